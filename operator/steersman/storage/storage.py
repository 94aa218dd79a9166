"""Release history on top of a driver (helm's `pkg/storage/storage.go`)."""

from __future__ import annotations

import logging

from steersman.storage.codec import record_key
from steersman.storage.driver import OWNER, Driver, ReleaseFilter
from steersman.storage.errors import ReleaseNotFound, StorageError
from steersman.storage.record import Release, Status, is_pending

log = logging.getLogger(__name__)


class Storage:
    """History, last/deployed lookups and MaxHistory pruning for one driver (one namespace).

    `max_history` 0 means unlimited; helm applies it on upgrade and rollback, callers choose.
    """

    def __init__(self, driver: Driver, max_history: int = 0) -> None:
        self.driver = driver
        self.max_history = max_history

    async def get(self, name: str, version: int) -> Release:
        return await self.driver.get(record_key(name, version))

    async def create(self, release: Release) -> None:
        """Store a new revision, then prune so that at most `max_history` remain.

        Helm prunes first; pruning after a successful create ends in the same history but
        leaves everything untouched when the create fails (too large, already exists...).
        """
        await self.driver.create(record_key(release.name, release.version), release)
        if self.max_history > 0:
            try:
                await self._remove_least_recent(release.name, self.max_history)
            except StorageError as exc:  # the new revision is stored; the next create retries
                log.warning("pruning history of %s failed: %s", release.name, exc)

    async def update(self, release: Release) -> None:
        await self.driver.update(record_key(release.name, release.version), release)

    async def delete(self, name: str, version: int) -> Release:
        return await self.driver.delete(record_key(name, version))

    async def list_releases(self, filter: ReleaseFilter | None = None) -> list[Release]:
        return await self.driver.list(filter)

    async def history(self, name: str) -> list[Release]:
        """Every revision of `name`, oldest first; empty if there is none."""
        try:
            found = await self.driver.query({"name": name, "owner": OWNER})
        except ReleaseNotFound:
            return []
        return sorted(found, key=lambda r: r.version)

    async def last(self, name: str) -> Release:
        """The newest revision, whatever its status."""
        history = await self.history(name)
        if not history:
            raise ReleaseNotFound(f"no revision for release {name!r}")
        return history[-1]

    async def deployed_all(self, name: str) -> list[Release]:
        """Every `deployed` revision, oldest first (several can exist after a crash)."""
        try:
            found = await self.driver.query(
                {"name": name, "owner": OWNER, "status": Status.DEPLOYED}
            )
        except ReleaseNotFound:
            found = []
        if not found:
            raise ReleaseNotFound(f'"{name}" has no deployed releases')
        return sorted(found, key=lambda r: r.version)

    async def deployed(self, name: str) -> Release:
        """The newest `deployed` revision."""
        return (await self.deployed_all(name))[-1]

    async def pending(self, name: str) -> Release | None:
        """The newest revision if an operation on it is in progress (or died mid-way)."""
        history = await self.history(name)
        if history and is_pending(history[-1].info.status):
            return history[-1]
        return None

    async def _remove_least_recent(self, name: str, keep: int) -> None:
        """Delete the oldest revisions until `keep` remain, sparing the newest deployed one."""
        history = await self.history(name)
        if len(history) <= keep:
            return
        deployed = [r.version for r in history if r.info.status == Status.DEPLOYED]
        spare = max(deployed) if deployed else None
        doomed: list[Release] = []
        for rel in history:
            if len(history) - len(doomed) <= keep:
                break
            if rel.version != spare:
                doomed.append(rel)
        for rel in doomed:
            try:
                await self.driver.delete(record_key(rel.name, rel.version))
            except ReleaseNotFound:
                log.debug("prune: %s v%d already gone", rel.name, rel.version)
