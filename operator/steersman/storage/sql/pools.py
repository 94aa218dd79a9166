"""Connection pools for the SQL driver: one asyncpg pool per storage namespace.

Pools are created on first use and shared by every release of the namespace. At most
`max_pools` stay open (the least recently used idle one is closed to make room), pools idle for
`idle_timeout` seconds are closed by a background reaper, and `close()` closes them all. Helm's
own SQL driver never closes its connection; a long-running controller must.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from steersman.storage.errors import StorageUnavailable
from steersman.storage.sql.sanitize import SqlDsn, clean, sanitised, translate
from steersman.storage.sql.schema import ensure_schema

log = logging.getLogger(__name__)


@dataclass
class _Entry:
    pool: asyncpg.Pool
    last_used: float
    in_use: int = 0


class SqlPools:
    """Lazily created, cached, capped and reaped pools keyed by storage namespace."""

    def __init__(
        self,
        dsn: SqlDsn,
        *,
        max_pools: int = 16,
        pool_size: int = 4,
        idle_timeout: float = 300.0,
        connect_timeout: float = 10.0,
        command_timeout: float = 30.0,
    ) -> None:
        if max_pools < 1 or pool_size < 1:
            raise ValueError("max_pools and pool_size must be at least 1")
        self._dsn = dsn
        self.max_pools = max_pools
        self.pool_size = pool_size
        self.idle_timeout = idle_timeout
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self._pools: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = asyncio.Lock()
        self._schema_ready = False
        self._reaper: asyncio.Task[None] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"SqlPools(pools={len(self._pools)}, max_pools={self.max_pools})"

    @property
    def namespaces(self) -> list[str]:
        """Namespaces with an open pool, least recently used first."""
        return list(self._pools)

    def stats(self) -> dict[str, tuple[int, int]]:
        """namespace -> (open, idle) connections of each live pool (for metrics)."""
        return {
            ns: (int(e.pool.get_size()), int(e.pool.get_idle_size()))
            for ns, e in list(self._pools.items())
        }

    @contextlib.asynccontextmanager
    async def connection(self, namespace: str) -> AsyncIterator[PoolConnectionProxy[Any]]:
        """A connection from the namespace's pool (created, with the schema, on first use)."""
        entry = await self._entry(namespace)
        entry.in_use += 1
        try:
            conn = await self._acquire(entry)
            try:
                yield conn  # errors of the caller's own work pass through untouched
            finally:
                await self._release(entry, conn)
        finally:
            entry.in_use -= 1
            entry.last_used = time.monotonic()

    @sanitised
    async def _acquire(self, entry: _Entry) -> PoolConnectionProxy[Any]:
        return await entry.pool.acquire(timeout=self.connect_timeout)

    @sanitised
    async def _release(self, entry: _Entry, conn: PoolConnectionProxy[Any]) -> None:
        await entry.pool.release(conn, timeout=self.connect_timeout)

    @sanitised
    async def _entry(self, namespace: str) -> _Entry:
        if self._closed:
            raise StorageUnavailable("SQL storage: the pool manager is closed")
        entry = self._pools.get(namespace)
        if entry is not None:
            self._pools.move_to_end(namespace)
            entry.last_used = time.monotonic()
            return entry
        async with self._lock:
            entry = self._pools.get(namespace)
            if entry is None:
                entry = await self._open(namespace)
        return entry

    async def _open(self, namespace: str) -> _Entry:
        kwargs = self._dsn.connect_kwargs()
        connect_timeout = kwargs.pop("timeout", self.connect_timeout)
        pool = await asyncpg.create_pool(
            **kwargs,
            min_size=0,
            max_size=self.pool_size,
            timeout=connect_timeout,
            command_timeout=self.command_timeout,
        )
        try:
            if not self._schema_ready:
                async with pool.acquire(timeout=self.connect_timeout) as conn:
                    await ensure_schema(conn)
                self._schema_ready = True
        except BaseException:
            pool.terminate()
            raise
        entry = _Entry(pool, time.monotonic())
        self._pools[namespace] = entry
        await self._evict(keep=namespace)
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.create_task(self._reap(), name="steersman-sql-pool-reaper")
        return entry

    async def _evict(self, keep: str) -> None:
        """Close least recently used idle pools (never `keep`) while over the cap."""
        while len(self._pools) > self.max_pools:
            victim = next(
                (ns for ns, e in self._pools.items() if e.in_use == 0 and ns != keep), None
            )
            if victim is None:
                log.debug("SQL storage: %d pools busy, over the cap for now", len(self._pools))
                return
            await self._close_one(victim)

    async def _close_one(self, namespace: str) -> None:
        entry = self._pools.pop(namespace)
        try:
            await asyncio.wait_for(entry.pool.close(), timeout=self.connect_timeout)
        except Exception as exc:
            entry.pool.terminate()
            log.debug(
                "SQL storage: pool for %s terminated: %s", namespace, translate(exc, self._dsn)
            )

    async def close_idle(self, older_than: float | None = None) -> int:
        """Close pools unused for `older_than` seconds (default `idle_timeout`); return count."""
        limit = self.idle_timeout if older_than is None else older_than
        now = time.monotonic()
        idle = [ns for ns, e in self._pools.items() if e.in_use == 0 and now - e.last_used >= limit]
        for ns in idle:
            await self._close_one(ns)
        return len(idle)

    async def _reap(self) -> None:
        interval = max(0.05, min(self.idle_timeout / 2, 30.0))
        while self._pools:
            await asyncio.sleep(interval)
            await self.close_idle()

    async def close(self) -> None:
        """Close every pool and stop the reaper. The manager refuses further use."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reaper
            self._reaper = None
        for ns in list(self._pools):
            await self._close_one(ns)

    async def probe(self, timeout_s: float = 5.0) -> None:
        """Startup check: one connection, `SELECT 1`, closed again. Raises a sanitised error."""
        await probe(self._dsn, timeout_s)


async def probe(dsn: SqlDsn, timeout_s: float = 5.0) -> None:
    """Open one connection, run `SELECT 1`, close it; a sanitised `StorageError` on failure."""
    try:
        await asyncio.wait_for(_probe_once(dsn, timeout_s), timeout_s)
    except Exception as exc:
        err = translate(exc, dsn)
    else:
        return
    raise clean(err)


async def _probe_once(dsn: SqlDsn, timeout_s: float) -> None:
    kwargs = dsn.connect_kwargs()
    kwargs["timeout"] = min(timeout_s, kwargs.get("timeout", timeout_s))
    conn = await asyncpg.connect(**kwargs)
    try:
        await conn.fetchval("SELECT 1")
    finally:
        await conn.close(timeout=timeout_s)
