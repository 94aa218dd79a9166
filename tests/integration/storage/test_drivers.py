"""Every driver against its real backend: the Driver contract, object layout and size limits."""

from __future__ import annotations

import base64
import gzip
import json
import os

import pytest
from kubernetes_asyncio import client

from hack.testkit.storage_samples import make_release
from steersman.storage import (
    CorruptRecord,
    Driver,
    RecordTooLarge,
    ReleaseExists,
    ReleaseNotFound,
    Status,
    Storage,
    StorageUnavailable,
    decode_release,
    encode_release,
    record_key,
)
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.sql import SqlDriver, SqlPools

pytestmark = pytest.mark.integration


async def test_driver_contract(driver: Driver, namespace: str) -> None:
    rel = make_release("web", 1, "pending-install", namespace, labels={"team": "payments"})
    key = record_key("web", 1)
    await driver.create(key, rel)
    with pytest.raises(ReleaseExists):
        await driver.create(key, rel)

    got = await driver.get(key)
    assert got == rel
    assert got.labels == {"team": "payments"}

    rel.info.status = Status.DEPLOYED
    rel.labels = {"team": "payments", "tier": "gold"}
    await driver.update(key, rel)
    got = await driver.get(key)
    assert got.info.status == "deployed" and got.labels == {"team": "payments", "tier": "gold"}

    await driver.create(record_key("web", 2), make_release("web", 2, "failed", namespace))
    await driver.create(record_key("db", 1), make_release("db", 1, "deployed", namespace))
    found = await driver.query({"name": "web", "owner": "helm"})
    assert sorted(r.version for r in found) == [1, 2]
    deployed = await driver.query({"name": "web", "owner": "helm", "status": "deployed"})
    assert [r.version for r in deployed] == [1]
    assert deployed[0].labels == {"team": "payments", "tier": "gold"}
    with pytest.raises(ReleaseNotFound):
        await driver.query({"name": "nothing", "owner": "helm"})
    everything = await driver.list()
    assert sorted((r.name, r.version) for r in everything) == [("db", 1), ("web", 1), ("web", 2)]
    assert [r.name for r in await driver.list(lambda r: r.status == "failed")] == ["web"]

    removed = await driver.delete(record_key("web", 2))
    assert removed.version == 2 and removed.info.status == "failed"
    with pytest.raises(ReleaseNotFound):
        await driver.get(record_key("web", 2))
    with pytest.raises(ReleaseNotFound):
        await driver.delete(record_key("web", 2))
    with pytest.raises(ReleaseNotFound):
        await driver.update(record_key("web", 9), make_release("web", 9, "failed", namespace))


async def test_storage_history_and_pruning(driver: Driver, namespace: str) -> None:
    storage = Storage(driver, max_history=3)
    await storage.create(make_release("web", 1, "deployed", namespace))
    for version in range(2, 6):
        await storage.create(make_release("web", version, "failed", namespace))
    assert [r.version for r in await storage.history("web")] == [1, 4, 5]
    assert (await storage.deployed("web")).version == 1
    assert (await storage.last("web")).version == 5
    await storage.create(make_release("web", 6, "pending-upgrade", namespace))
    pending = await storage.pending("web")
    assert pending is not None and pending.version == 6


async def test_kube_object_layout(kube_api: client.ApiClient, namespace: str) -> None:
    """Names, labels, Secret type and the double base64 of the Secret data, as helm writes."""
    core = client.CoreV1Api(kube_api)
    rel = make_release("web", 3, "deployed", namespace, labels={"team": "a"})
    await SecretDriver(kube_api, namespace).create(record_key("web", 3), rel)
    await ConfigMapDriver(kube_api, namespace).create(record_key("web", 3), rel)

    secret = await core.read_namespaced_secret("sh.helm.release.v1.web.v3", namespace)
    assert secret.type == "helm.sh/release.v1"
    labels = dict(secret.metadata.labels)
    assert int(labels.pop("createdAt")) > 0
    assert labels == {"name": "web", "owner": "helm", "status": "deployed", "version": "3",
                      "team": "a"}  # fmt: skip
    helm_string = base64.b64decode(secret.data["release"]).decode()
    assert helm_string.startswith("H4sI")
    assert decode_release(helm_string) == decode_release(encode_release(rel))
    assert not secret.metadata.annotations and not secret.metadata.owner_references

    cm = await core.read_namespaced_config_map("sh.helm.release.v1.web.v3", namespace)
    assert cm.data["release"].startswith("H4sI")
    assert json.loads(gzip.decompress(base64.b64decode(cm.data["release"])))["version"] == 3

    rel.info.status = Status.SUPERSEDED
    await SecretDriver(kube_api, namespace).update(record_key("web", 3), rel)
    secret = await core.read_namespaced_secret("sh.helm.release.v1.web.v3", namespace)
    assert secret.metadata.labels["status"] == "superseded"
    assert "modifiedAt" in secret.metadata.labels


def _huge_release(namespace: str, version: int, size: int) -> object:
    rel = make_release("big", version, "deployed", namespace)
    # Random bytes do not compress: the encoded record really is this large.
    rel.config = {"blob": base64.b64encode(os.urandom(size)).decode()}
    return rel


@pytest.mark.parametrize("kind", ["secret", "configmap"])
async def test_record_too_large_touches_nothing(
    kind: str, kube_api: client.ApiClient, namespace: str
) -> None:
    driver: Driver = (SecretDriver if kind == "secret" else ConfigMapDriver)(kube_api, namespace)
    storage = Storage(driver, max_history=2)
    first = make_release("big", 1, "superseded", namespace)
    await storage.create(first)
    await storage.create(make_release("big", 2, "deployed", namespace))
    huge = _huge_release(namespace, 3, 900 * 1024)
    with pytest.raises(RecordTooLarge) as err:
        await storage.create(huge)  # type: ignore[arg-type]
    message = str(err.value)
    assert "'big'" in message and "--helm-storage-driver=sql" in message
    assert str(err.value.size) in message and err.value.size > 1024 * 1024
    with pytest.raises(RecordTooLarge):
        await storage.update(huge)  # type: ignore[arg-type]
    # Pruning for the new revision did not run: revision 1 is still there, unchanged.
    assert [r.version for r in await storage.history("big")] == [1, 2]
    assert await storage.get("big", 1) == first
    assert not await driver.list(lambda r: r.version == 3)


async def test_sql_stores_bodies_over_one_mebibyte(sql_pools: SqlPools, namespace: str) -> None:
    storage = Storage(SqlDriver(sql_pools, namespace))
    huge = _huge_release(namespace, 1, 2 * 1024 * 1024)
    await storage.create(huge)  # type: ignore[arg-type]
    assert await storage.last("big") == huge


async def test_unreachable_or_refusing_api_server_is_unavailable(
    kube_api: client.ApiClient, namespace: str
) -> None:
    from hack.testenv.parts import free_port

    cfg = client.Configuration()
    cfg.host = f"https://127.0.0.1:{free_port()}"
    cfg.verify_ssl = False
    async with client.ApiClient(configuration=cfg) as down:
        with pytest.raises(StorageUnavailable, match="API server unreachable"):
            await Storage(SecretDriver(down, namespace)).history("web")
    cfg = client.Configuration()
    cfg.host = kube_api.configuration.host
    cfg.verify_ssl = False
    async with client.ApiClient(configuration=cfg) as anonymous:  # no token: RBAC refuses
        with pytest.raises(StorageUnavailable, match=r"HTTP 40[13]"):
            await ConfigMapDriver(anonymous, namespace).get(record_key("web", 1))


async def _corrupt(driver: Driver, key: str, kube_api: client.ApiClient, namespace: str) -> None:
    """Put garbage where the record's body is, in the backend itself."""
    core = client.CoreV1Api(kube_api)
    if isinstance(driver, SecretDriver):
        garbage = base64.b64encode(b"garbage!").decode()
        await core.patch_namespaced_secret(key, namespace, {"data": {"release": garbage}})
    elif isinstance(driver, ConfigMapDriver):
        await core.patch_namespaced_config_map(key, namespace, {"data": {"release": "garbage!"}})
    else:
        assert isinstance(driver, SqlDriver)
        async with driver._pools.connection(namespace) as conn:
            await conn.execute("UPDATE releases_v1 SET body = 'garbage!' WHERE key = $1", key)


async def test_undecodable_record_is_named_by_history_and_skipped_by_list(
    driver: Driver, kube_api: client.ApiClient, namespace: str
) -> None:
    storage = Storage(driver)
    await storage.create(make_release("web", 1, "superseded", namespace))
    await storage.create(make_release("web", 2, "deployed", namespace))
    await _corrupt(driver, record_key("web", 2), kube_api, namespace)
    with pytest.raises(CorruptRecord) as err:
        await storage.history("web")
    assert record_key("web", 2) in str(err.value) and "'web'" in str(err.value)
    assert [r.version for r in await driver.list()] == [1]  # like `helm list`: skipped


@pytest.mark.parametrize("kind", [SecretDriver, ConfigMapDriver])
async def test_lists_from_the_watch_cache_see_every_write(
    kind: type[SecretDriver] | type[ConfigMapDriver], kube_api: client.ApiClient, namespace: str
) -> None:
    """After the first (quorum) list, lists name the newest record version this client saw;
    the apiserver answers them from its watch cache and they still see each write at once.
    A quiet kind (no event since the client's other requests) must not make a list wait:
    an apiserver answers a version its cache has not reached with 504 after 3 s."""
    driver = kind(kube_api, namespace)
    # Other traffic moves etcd's revision on, not the watch cache of this kind.
    core = client.CoreV1Api(kube_api)
    for i in range(3):
        body = client.V1ServiceAccount(metadata=client.V1ObjectMeta(name=f"sa{i}"))
        await core.create_namespaced_service_account(namespace, body)
    assert await driver.list() == []
    assert await driver.list() == []  # at no version yet: nothing of the kind seen
    for version in range(1, 6):
        await driver.create(
            record_key("web", version), make_release("web", version, "failed", namespace)
        )
        found = await driver.query({"name": "web", "owner": "helm"})
        assert sorted(r.version for r in found) == list(range(1, version + 1))
        assert driver._seen.list_version() is not None
    await driver.delete(record_key("web", 5))
    assert sorted(r.version for r in await driver.list()) == [1, 2, 3, 4]
