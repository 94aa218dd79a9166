"""Caches: chart archives on disk keyed by digest (bounded, LRU by mtime) and parsed index.yaml
files in memory (TTL, then revalidated with ETag / If-Modified-Since).

Disk writes are atomic (temp file + rename in the same directory) and every read re-checks the
digest, so a torn or tampered file is dropped instead of served. Several asyncio tasks, and
several processes sharing the directory, can use one cache: a per-digest lock makes concurrent
fetches of one chart download it once, and eviction tolerates files vanishing under it.
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


class ChartCache:
    """Chart archives under `root/sha256/<hex>.tgz`, at most `max_bytes` in total.

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

    def path_for(self, digest: str) -> Path:
        return self._dir / (normalize_digest(digest).removeprefix("sha256:") + ".tgz")

    def lock(self, digest: str) -> asyncio.Lock:
        """One lock per digest: hold it around check-download-put so concurrent fetches of the
        same chart share one download."""
        key = normalize_digest(digest)
        found = self._locks.get(key)
        if found is None:
            found = asyncio.Lock()
            self._locks[key] = found
        return found

    async def get(self, digest: str) -> bytes | None:
        """The archive's bytes, or None when absent or corrupt. A hit refreshes its LRU time."""
        return await asyncio.to_thread(self._read, normalize_digest(digest))

    async def put(self, digest: str, data: bytes) -> Path:
        """Store `data`, which must hash to `digest`, then evict old entries over the bound."""
        key = normalize_digest(digest)
        if sha256_digest(data) != key:
            raise ValueError(f"refusing to cache bytes under the wrong digest {key}")
        path, added = await asyncio.to_thread(self._write, key, data)
        if self._total is not None:
            self._total += added
        if self._total is None or self._total > self.max_bytes:
            await self._evict(keep=path)
        return path

    async def total_bytes(self) -> int:
        total, _ = await asyncio.to_thread(self._scan)
        return total

    # -- blocking helpers, always run in a thread --

    def _read(self, key: str) -> bytes | None:
        path = self.path_for(key)
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

    def _write(self, key: str, data: bytes) -> tuple[Path, int]:
        path = self.path_for(key)
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
        return path, 0 if existed else len(data)

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
    """Parsed indexes by key (index URL + identity of the credentials), LRU-bounded.

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
