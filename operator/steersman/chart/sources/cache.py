"""Caches: chart archives on disk keyed by digest and fetch identity (bounded, LRU by mtime) and
parsed index.yaml files in memory (TTL, then revalidated with ETag / If-Modified-Since).

Every entry belongs to one fetch identity (`identity.fetch_identity`: URL, credentials, CA,
client certificate, TLS and plain-HTTP flags): a hit is only ever served to a caller that could
have fetched the same bytes itself, so one HelmRelease's credentials or trust never lend a chart
to another. The same archive fetched under two identities is stored twice; charts are small.

Disk writes are atomic (temp file + rename in the same directory) and every read re-checks the
digest, so a torn or tampered file is dropped instead of served. Several asyncio tasks, and
several processes sharing the directory, can use one cache: a per-entry lock makes concurrent
fetches of one chart by one identity download it once, and eviction tolerates files vanishing
under it.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import os
import re
import tempfile
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from .index import RepoIndex

_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_SCOPE = re.compile(r"[0-9a-f]{16,64}")
_STALE_TEMP_SECONDS = 3600.0


def sha256_digest(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def normalize_digest(text: str) -> str:
    """`<hex>` or `sha256:<hex>` (any case) -> `sha256:<hex>`; ValueError for anything else."""
    candidate = text.strip().lower()
    if ":" not in candidate:
        candidate = "sha256:" + candidate
    if not _DIGEST.fullmatch(candidate):
        raise ValueError(f"not a sha256 digest: {text!r}")
    return candidate


def _check_scope(scope: str) -> str:
    if not _SCOPE.fullmatch(scope):
        raise ValueError("a cache scope is a fetch identity digest (hex)")
    return scope


class ChartCache:
    """Chart archives under `root/sha256/<hex>.<scope>.tgz`, at most `max_bytes` in total;
    `scope` is the fetch identity (hex digest) the archive was downloaded with.

    `indexes` is the in-memory cache of parsed repository indexes used by the HTTP source.
    """

    def __init__(
        self,
        root: Path | str,
        *,
        max_bytes: int = 1 << 30,
        index_ttl: float = 300.0,
        max_indexes: int = 32,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.indexes = IndexCache(ttl=index_ttl, max_entries=max_indexes)
        self._dir = self.root / "sha256"
        self._total: int | None = None
        self._evict_lock = asyncio.Lock()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def path_for(self, digest: str, *, scope: str) -> Path:
        hexdigest = normalize_digest(digest).removeprefix("sha256:")
        return self._dir / f"{hexdigest}.{_check_scope(scope)[:32]}.tgz"

    def lock(self, digest: str, *, scope: str) -> asyncio.Lock:
        """One lock per entry: hold it around check-download-put so concurrent fetches of the
        same chart by the same identity share one download."""
        key = f"{normalize_digest(digest)} {_check_scope(scope)}"
        found = self._locks.get(key)
        if found is None:
            found = asyncio.Lock()
            self._locks[key] = found
        return found

    async def get(self, digest: str, *, scope: str) -> bytes | None:
        """The archive's bytes as fetched by `scope`, or None when absent or corrupt. A hit
        refreshes its LRU time."""
        key = normalize_digest(digest)
        return await asyncio.to_thread(self._read, key, self.path_for(key, scope=scope))

    async def put(self, digest: str, data: bytes, *, scope: str) -> Path:
        """Store `data`, which must hash to `digest`, then evict old entries over the bound."""
        key = normalize_digest(digest)
        if sha256_digest(data) != key:
            raise ValueError(f"refusing to cache bytes under the wrong digest {key}")
        path = self.path_for(key, scope=scope)
        added = await asyncio.to_thread(self._write, path, data)
        if self._total is not None:
            self._total += added
        if self._total is None or self._total > self.max_bytes:
            await self._evict(keep=path)
        return path

    async def total_bytes(self) -> int:
        total, _ = await asyncio.to_thread(self._scan)
        return total

    # -- blocking helpers, always run in a thread --

    def _read(self, key: str, path: Path) -> bytes | None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return None
        if sha256_digest(data) != key:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            return None
        with contextlib.suppress(FileNotFoundError):
            os.utime(path)  # mtime is the LRU clock: atime is often not updated (noatime)
        return data

    def _write(self, path: Path, data: bytes) -> int:
        self._dir.mkdir(parents=True, exist_ok=True)
        existed = path.exists()
        fd, tmp = _mkstemp(self._dir)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        return 0 if existed else len(data)

    def _scan(self) -> tuple[int, list[tuple[float, int, Path]]]:
        """Total size and (mtime, size, path) of every archive; removes stale temp files."""
        files: list[tuple[float, int, Path]] = []
        total = 0
        now = time.time()
        try:
            entries = list(os.scandir(self._dir))
        except FileNotFoundError:
            return 0, files
        for entry in entries:
            try:
                st = entry.stat()
            except FileNotFoundError:
                continue
            if entry.name.startswith(".tmp-"):
                if now - st.st_mtime > _STALE_TEMP_SECONDS:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)
                continue
            if entry.name.endswith(".tgz"):
                files.append((st.st_mtime, st.st_size, Path(entry.path)))
                total += st.st_size
        return total, files

    def _evict_sync(self, keep: Path) -> int:
        total, files = self._scan()
        files.sort(key=lambda f: f[0])
        for _, size, path in files:
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            # Another process may have evicted it first; it is gone either way.
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
            total -= size
        return total

    async def _evict(self, keep: Path) -> None:
        async with self._evict_lock:
            self._total = await asyncio.to_thread(self._evict_sync, keep)


def _mkstemp(directory: Path) -> tuple[int, str]:
    return tempfile.mkstemp(prefix=".tmp-", suffix=".part", dir=directory)


@dataclass
class CachedIndex:
    index: RepoIndex
    etag: str | None
    last_modified: str | None
    checked_at: float  # time.monotonic() of the last successful fetch or revalidation


class IndexCache:
    """Parsed indexes by key (a digest of the index URL and the fetch identity), LRU-bounded.

    An entry younger than `ttl` is used without a request; an older one is revalidated with a
    conditional GET. `lock(key)` lets concurrent callers share one fetch of the same index.
    """

    def __init__(self, *, ttl: float, max_entries: int) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self._entries: OrderedDict[str, CachedIndex] = OrderedDict()
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def get(self, key: str) -> CachedIndex | None:
        entry = self._entries.get(key)
        if entry is not None:
            self._entries.move_to_end(key)
        return entry

    def is_fresh(self, entry: CachedIndex) -> bool:
        return time.monotonic() - entry.checked_at < self.ttl

    def put(self, key: str, entry: CachedIndex) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def invalidate(self, key: str) -> None:
        self._entries.pop(key, None)

    def lock(self, key: str) -> asyncio.Lock:
        found = self._locks.get(key)
        if found is None:
            found = asyncio.Lock()
            self._locks[key] = found
        return found
