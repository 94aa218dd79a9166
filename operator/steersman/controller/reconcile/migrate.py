"""Moving a release's records when its storage changes (`spec.storage.driver` or
`spec.storageNamespace`), instead of Flux's uninstall-and-reinstall: the workload keeps
running, and helm sees the same history in the new place.

Copy first, delete after: an interruption leaves the records in both places, and the next run
skips the revisions already copied, so it is safe to repeat.
"""

from __future__ import annotations

from steersman.controller.context import Context
from steersman.controller.reconcile.outcomes import Recorder
from steersman.controller.reconcile.request import Request
from steersman.storage import DriverKind, Storage, record_key


async def migrate_records(source: Storage, target: Storage, name: str) -> int:
    """Move every revision of release `name` from `source` to `target`; how many moved."""
    history = await source.history(name)
    if not history:
        return 0
    present = {r.version for r in await target.history(name)}
    for rel in history:
        if rel.version not in present:
            # The driver directly: Storage.create would prune history while we copy.
            await target.driver.create(record_key(name, rel.version), rel)
    for rel in history:
        await source.delete(name, rel.version)
    return len(history)


async def follow_storage_change(req: Request, rec: Recorder, ctx: Context) -> bool:
    """If the records live elsewhere than the spec now says, move them there; whether any
    moved."""
    previous = req.hr.status.storage
    if previous is None or (previous.driver.value, previous.namespace) == (
        req.kind,
        req.storage_ns,
    ):
        return False
    backends = req.cluster.backends  # the records move within the release's cluster
    source = backends.get(DriverKind(previous.driver.value)).storage(previous.namespace)
    target = req.engine.backend.storage(req.storage_ns)
    moved = await migrate_records(source, target, req.release_name)
    if moved:
        message = (
            f"Moved {moved} release record(s) of {req.release_name} from {previous.driver} "
            f"storage in {previous.namespace} to {req.kind} storage in {req.storage_ns}"
        )
        rec.emit("Normal", "StorageMigrated", message)
        rec.log.info("%s", message)
    return moved > 0
