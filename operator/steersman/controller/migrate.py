"""Moving a release's records when its storage changes (`spec.storage.driver` or
`spec.storageNamespace`), instead of Flux's uninstall-and-reinstall: the workload keeps
running, and helm sees the same history in the new place.

Copy first, delete after: an interruption leaves the records in both places, and the next run
skips the revisions already copied, so it is safe to repeat.
"""

from __future__ import annotations

from steersman.storage import Storage, record_key


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
