"""Moving release records between storages (memory driver: same code path as any driver)."""

from __future__ import annotations

from steersman.controller.reconcile.migrate import migrate_records
from steersman.storage import DriverKind, Info, Release, StorageBackend


def rel(version: int, status: str) -> Release:
    return Release(name="web", namespace="apps", version=version, info=Info(status=status))


async def test_records_move_and_leave_nothing_behind() -> None:
    backend = StorageBackend(DriverKind.MEMORY)
    old, new = backend.storage("old"), backend.storage("new")
    for r in (rel(1, "superseded"), rel(2, "deployed")):
        await old.create(r)
    assert await migrate_records(old, new, "web") == 2
    assert await old.history("web") == []
    assert [(r.version, r.info.status) for r in await new.history("web")] == [
        (1, "superseded"),
        (2, "deployed"),
    ]


async def test_an_interrupted_move_can_be_repeated() -> None:
    backend = StorageBackend(DriverKind.MEMORY)
    old, new = backend.storage("old"), backend.storage("new")
    for r in (rel(1, "superseded"), rel(2, "deployed")):
        await old.create(r)
    await new.create(rel(1, "superseded"))  # copied before the interruption
    assert await migrate_records(old, new, "web") == 2
    assert [r.version for r in await new.history("web")] == [1, 2]
    assert await migrate_records(old, new, "web") == 0  # nothing left to move
