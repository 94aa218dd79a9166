"""Storage-layer semantics (helm's pkg/storage) over the memory driver."""

import pytest

from hack.testkit.storage_samples import make_release
from steersman.storage import ReleaseExists, ReleaseNotFound, Status, Storage
from steersman.storage.memory import MemoryDriver, MemoryStore

NS = "apps"


def storage(max_history: int = 0) -> Storage:
    return Storage(MemoryDriver(MemoryStore(), NS), max_history)


async def test_history_last_and_deployed() -> None:
    s = storage()
    for version, status in [(3, "failed"), (1, "superseded"), (2, "deployed")]:
        await s.create(make_release("web", version, status, NS))
    assert [r.version for r in await s.history("web")] == [1, 2, 3]
    assert (await s.last("web")).version == 3
    assert (await s.deployed("web")).version == 2
    assert [r.version for r in await s.deployed_all("web")] == [2]
    assert await s.history("other") == []
    with pytest.raises(ReleaseNotFound, match="no revision for release 'other'"):
        await s.last("other")


async def test_deployed_takes_the_newest_of_several() -> None:
    s = storage()
    for version in (1, 2, 3):
        await s.create(make_release("web", version, "deployed", NS))
    assert (await s.deployed("web")).version == 3
    assert len(await s.deployed_all("web")) == 3


async def test_no_deployed_release_is_not_found() -> None:
    s = storage()
    await s.create(make_release("web", 1, "failed", NS))
    with pytest.raises(ReleaseNotFound, match='"web" has no deployed releases'):
        await s.deployed("web")


async def test_create_update_get_delete_and_typed_errors() -> None:
    s = storage()
    rel = make_release("web", 1, "pending-install", NS, labels={"team": "a"})
    await s.create(rel)
    with pytest.raises(ReleaseExists):
        await s.create(rel)
    rel.info.status = Status.DEPLOYED
    await s.update(rel)
    got = await s.get("web", 1)
    assert got.info.status == "deployed"
    assert got.labels == {"team": "a"}
    assert got == rel
    assert (await s.delete("web", 1)).version == 1
    with pytest.raises(ReleaseNotFound):
        await s.get("web", 1)
    with pytest.raises(ReleaseNotFound):
        await s.update(rel)
    with pytest.raises(ReleaseNotFound):
        await s.delete("web", 1)


async def test_stored_records_are_not_aliased() -> None:
    s = storage()
    rel = make_release("web", 1, "deployed", NS)
    await s.create(rel)
    rel.info.status = Status.FAILED
    assert (await s.get("web", 1)).info.status == "deployed"


async def test_pending_detection() -> None:
    s = storage()
    assert await s.pending("web") is None
    await s.create(make_release("web", 1, "deployed", NS))
    assert await s.pending("web") is None
    await s.create(make_release("web", 2, "pending-upgrade", NS))
    pending = await s.pending("web")
    assert pending is not None and pending.version == 2


async def test_max_history_prunes_oldest_but_keeps_newest_deployed() -> None:
    s = storage(max_history=3)
    await s.create(make_release("web", 1, "deployed", NS))
    for version in range(2, 7):
        await s.create(make_release("web", version, "failed", NS))
    # 1 is the only deployed revision: it survives; 2..6 are failed, the oldest go first.
    assert [r.version for r in await s.history("web")] == [1, 5, 6]


async def test_max_history_with_no_deployed_and_unlimited() -> None:
    s = storage(max_history=2)
    for version, status in [(1, "superseded"), (2, "superseded"), (3, "failed")]:
        await s.create(make_release("web", version, status, NS))
    assert [r.version for r in await s.history("web")] == [2, 3]
    s0 = storage(max_history=0)
    for version in range(1, 15):
        await s0.create(make_release("web", version, "superseded", NS))
    assert len(await s0.history("web")) == 14


async def test_query_list_and_namespaces_are_separate() -> None:
    store = MemoryStore()
    a, b = Storage(store.driver("a")), Storage(store.driver("b"))
    await a.create(make_release("web", 1, "deployed", "a"))
    await b.create(make_release("web", 1, "failed", "b"))
    await b.create(make_release("db", 1, "deployed", "b"))
    assert [r.namespace for r in await a.history("web")] == ["a"]
    names = sorted(r.name for r in await b.list_releases(lambda r: r.status == "deployed"))
    assert names == ["db"]
    with pytest.raises(ReleaseNotFound):
        await a.driver.query({"name": "db"})
