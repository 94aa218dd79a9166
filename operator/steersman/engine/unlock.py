"""Recovering a release whose last operation died mid-way (process killed, task cancelled).

Such a release keeps a `pending-*` record forever and every upgrade is refused with
`ReleaseLocked`. `unlock` marks that record `failed`, which is what helm itself would have
written had the operation ended with an error; the controller decides when a pending record
is stale.
"""

from __future__ import annotations

from steersman.engine.context import Engine, settled
from steersman.storage import Release, Status, is_pending


async def unlock(engine: Engine, name: str, storage_namespace: str) -> Release | None:
    """Mark the newest revision `failed` if it is pending; returns it, or None if nothing
    was locked."""
    storage = engine.storage(storage_namespace)
    history = await storage.history(name)
    if not history or not is_pending(history[-1].info.status):
        return None
    rel = history[-1]
    was = rel.info.status
    rel.info.status = Status.FAILED
    rel.info.description = f"Release unlocked from stale '{was}' state"
    await settled(storage.update(rel))
    return rel
