"""The digest-keyed chart cache on a real temp dir, and the in-memory index cache."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from steersman.chart.sources.cache import (
    CachedIndex,
    ChartCache,
    IndexCache,
    normalize_digest,
    sha256_digest,
)
from steersman.chart.sources.identity import fetch_identity
from steersman.chart.sources.index import RepoIndex
from steersman.chart.sources.model import RepoAuth

S = fetch_identity("https://charts.example.com", None)
OTHER = fetch_identity("https://charts.example.com", RepoAuth(ca_pem=b"another trust"))


def blob(tag: str, size: int = 1000) -> tuple[str, bytes]:
    data = (tag.encode() * size)[:size]
    return sha256_digest(data), data


async def test_round_trip_and_layout(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    digest, data = blob("a")
    assert await cache.get(digest, scope=S) is None
    path = await cache.put(digest, data, scope=S)
    assert path == tmp_path / "sha256" / f"{digest.removeprefix('sha256:')}.{S[:32]}.tgz"
    assert await cache.get(digest, scope=S) == data
    upper = digest.removeprefix("sha256:").upper()
    assert await cache.get(upper, scope=S) == data  # normalized key
    assert await cache.total_bytes() == len(data)
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]


async def test_an_entry_is_served_only_to_its_own_identity(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    digest, data = blob("a")
    await cache.put(digest, data, scope=S)
    assert await cache.get(digest, scope=OTHER) is None
    assert await cache.get(digest, scope=S) == data
    with pytest.raises(ValueError, match="scope"):
        await cache.get(digest, scope="")  # no unscoped entries


async def test_refuses_bytes_under_the_wrong_digest(tmp_path: Path) -> None:
    digest, _ = blob("a")
    with pytest.raises(ValueError, match="wrong digest"):
        await ChartCache(tmp_path).put(digest, b"something else", scope=S)


async def test_corrupt_entry_is_dropped_not_served(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    digest, data = blob("a")
    path = await cache.put(digest, data, scope=S)
    path.write_bytes(data[:-1] + b"!")
    assert await cache.get(digest, scope=S) is None
    assert not path.exists()


async def test_lru_eviction_by_mtime(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path, max_bytes=3000)
    entries = [blob(t) for t in "abcd"]
    paths = [await cache.put(d, b, scope=S) for d, b in entries[:3]]
    for age, path in zip((3000, 2000, 1000), paths, strict=True):
        old = time.time() - age
        os.utime(path, (old, old))  # a is oldest, then b, then c
    assert await cache.get(entries[0][0], scope=S) is not None  # a hit makes a the newest
    await cache.put(*entries[3], scope=S)
    present = [await cache.get(d, scope=S) is not None for d, _ in entries]
    assert present == [True, False, True, True]  # b was least recently used
    assert await cache.total_bytes() <= 3000


async def test_an_entry_bigger_than_the_bound_survives_its_own_put(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path, max_bytes=500)
    big_digest, big = blob("x", 800)
    assert (await cache.put(big_digest, big, scope=S)).exists()
    small_digest, small = blob("y", 100)
    await cache.put(small_digest, small, scope=S)
    assert await cache.get(big_digest, scope=S) is None
    assert await cache.get(small_digest, scope=S) == small


async def test_concurrent_tasks_share_the_cache(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path, max_bytes=20_000)
    entries = [blob(str(i), 1500) for i in range(30)]

    async def worker(i: int) -> None:
        digest, data = entries[i]
        await cache.put(digest, data, scope=S)
        got = await cache.get(digest, scope=S)
        assert got is None or got == data  # may already be evicted, never wrong

    await asyncio.gather(*(worker(i) for i in range(30)))
    assert await cache.total_bytes() <= 20_000
    assert not [p for p in (tmp_path / "sha256").iterdir() if not p.name.endswith(".tgz")]


async def test_lock_makes_concurrent_fetches_download_once(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    digest, data = blob("a")
    downloads = 0

    async def fetch() -> bytes:
        nonlocal downloads
        async with cache.lock(digest, scope=S):
            hit = await cache.get(digest, scope=S)
            if hit is not None:
                return hit
            downloads += 1
            await asyncio.sleep(0.01)
            await cache.put(digest, data, scope=S)
            return data

    results = await asyncio.gather(*(fetch() for _ in range(10)))
    assert downloads == 1 and set(results) == {data}


async def test_two_caches_on_one_directory(tmp_path: Path) -> None:
    # Like two processes: one evicts what the other wrote; the other just sees a miss.
    first, second = ChartCache(tmp_path, max_bytes=1500), ChartCache(tmp_path, max_bytes=1500)
    a_digest, a = blob("a")
    b_digest, b = blob("b")
    await first.put(a_digest, a, scope=S)
    assert await second.get(a_digest, scope=S) == a
    old = time.time() - 100
    os.utime(first.path_for(a_digest, scope=S), (old, old))
    await second.put(b_digest, b, scope=S)
    assert await first.get(a_digest, scope=S) is None
    assert await first.get(b_digest, scope=S) == b


async def test_stale_temp_files_are_cleaned(tmp_path: Path) -> None:
    cache = ChartCache(tmp_path)
    (tmp_path / "sha256").mkdir()
    stale = tmp_path / "sha256" / ".tmp-crashed.part"
    stale.write_bytes(b"partial")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    fresh = tmp_path / "sha256" / ".tmp-writing.part"
    fresh.write_bytes(b"in progress")
    await cache.total_bytes()
    assert not stale.exists() and fresh.exists()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("AB" * 32, "sha256:" + "ab" * 32),
        ("sha256:" + "0f" * 32, "sha256:" + "0f" * 32),
        (" sha256:" + "0f" * 32 + "\n", "sha256:" + "0f" * 32),
    ],
)
def test_normalize_digest(text: str, expected: str) -> None:
    assert normalize_digest(text) == expected


@pytest.mark.parametrize("text", ["", "sha256:abc", "sha512:" + "a" * 128, "../../etc/passwd"])
def test_bad_digests_never_become_paths(text: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not a sha256 digest"):
        ChartCache(tmp_path).path_for(text, scope=S)


def test_index_cache_ttl_and_bound() -> None:
    cache = IndexCache(ttl=60, max_entries=2)
    empty = RepoIndex({})
    cache.put("a", CachedIndex(empty, '"e"', None, time.monotonic()))
    cache.put("b", CachedIndex(empty, None, "Mon", time.monotonic() - 120))
    a, b = cache.get("a"), cache.get("b")
    assert a is not None and cache.is_fresh(a)
    assert b is not None and not cache.is_fresh(b)
    cache.get("a")  # a becomes most recently used
    cache.put("c", CachedIndex(empty, None, None, time.monotonic()))
    assert cache.get("b") is None and cache.get("a") is not None
    cache.invalidate("a")
    assert cache.get("a") is None
