"""SQL schema creation and the per-namespace pool manager, on the bench's PostgreSQL."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from hack.testkit.storage_samples import make_release
from steersman.storage import Storage, StorageUnavailable
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools, probe

pytestmark = pytest.mark.integration

HELM_COLUMNS = {
    "releases_v1": [
        ("key", "character varying", 90), ("type", "character varying", 64),
        ("body", "text", None), ("name", "character varying", 64),
        ("namespace", "character varying", 64), ("version", "integer", None),
        ("status", "text", None), ("owner", "text", None), ("createdat", "integer", None),
        ("modifiedat", "integer", None),
    ],
    "custom_labels_v1": [
        ("releasekey", "character varying", 64), ("releasenamespace", "character varying", 67),
        ("key", "character varying", 317), ("value", "character varying", 63),
    ],
}  # fmt: skip
HELM_INDEXES = {
    "releases_v1_pkey", "releases_v1_key_namespace_idx", "releases_v1_version_idx",
    "releases_v1_status_idx", "releases_v1_owner_idx", "releases_v1_createdat_idx",
    "releases_v1_modifiedat_idx", "custom_labels_v1_releasekey_releasenamespace_idx",
}  # fmt: skip


async def test_schema_is_helms_and_created_once_by_racing_controllers(pg_database: str) -> None:
    # Four managers start at the same moment on an empty database.
    managers = [SqlPools(SqlDsn(pg_database)) for _ in range(4)]
    try:
        await asyncio.gather(*(Storage(SqlDriver(m, "ns")).history("web") for m in managers))
    finally:
        for m in managers:
            await m.close()
    conn = await asyncpg.connect(pg_database)
    try:
        ids = sorted(r["id"] for r in await conn.fetch("SELECT id FROM gorp_migrations"))
        assert ids == ["custom_labels", "init"]
        for table, columns in HELM_COLUMNS.items():
            rows = await conn.fetch(
                "SELECT column_name, data_type, character_maximum_length FROM"
                " information_schema.columns WHERE table_name = $1 ORDER BY ordinal_position",
                table,
            )
            assert [tuple(r) for r in rows] == columns
            rls = await conn.fetchval(
                "SELECT relrowsecurity FROM pg_class WHERE relname = $1", table
            )
            assert rls is True
        indexes = {
            r["indexname"]
            for r in await conn.fetch(
                "SELECT indexname FROM pg_indexes WHERE schemaname = 'public'"
            )
        }
        assert indexes >= HELM_INDEXES
        assert len([i for i in indexes if i.startswith(("releases_v1", "custom_labels"))]) == 8
    finally:
        await conn.close()


async def test_pools_are_lazy_cached_and_capped(pg_database: str) -> None:
    pools = SqlPools(SqlDsn(pg_database), max_pools=2)
    try:
        assert pools.namespaces == []
        a1, a2 = SqlDriver(pools, "a"), SqlDriver(pools, "a")
        await Storage(a1).history("web")
        first_pool = pools._pools["a"].pool
        await Storage(a2).history("web")
        assert pools._pools["a"].pool is first_pool  # shared by every driver of "a"
        await Storage(SqlDriver(pools, "b")).history("web")
        await Storage(a1).history("web")  # "a" becomes the most recently used
        await Storage(SqlDriver(pools, "c")).history("web")
        assert pools.namespaces == ["a", "c"]  # "b", least recently used, was closed
        assert not first_pool.is_closing()
        # A closed namespace simply gets a new pool on next use.
        assert await Storage(SqlDriver(pools, "b")).history("web") == []
        assert sorted(pools.namespaces) == ["b", "c"]
        stats = pools.stats()  # what the operator's metrics read
        assert sorted(stats) == ["b", "c"]
        assert all(size >= 1 and 0 <= idle <= size for size, idle in stats.values())
    finally:
        await pools.close()
    assert pools.namespaces == [] and first_pool.is_closing() and pools.stats() == {}
    with pytest.raises(StorageUnavailable, match="closed"):
        await Storage(SqlDriver(pools, "a")).history("web")


async def test_idle_pools_are_closed_by_the_reaper(pg_database: str) -> None:
    pools = SqlPools(SqlDsn(pg_database), idle_timeout=0.2)
    try:
        storage = Storage(SqlDriver(pools, "a"))
        await storage.create(make_release("web", 1, "deployed", "a"))
        pool = pools._pools["a"].pool
        await asyncio.sleep(0.8)
        assert pools.namespaces == [] and pool.is_closing()
        assert (await storage.last("web")).version == 1  # reopened on demand
    finally:
        await pools.close()


async def test_busy_pools_are_not_closed(pg_database: str) -> None:
    pools = SqlPools(SqlDsn(pg_database), max_pools=1, idle_timeout=0.1)
    try:
        async with pools.connection("a") as conn:
            await Storage(SqlDriver(pools, "b")).history("web")  # over the cap while "a" works
            await asyncio.sleep(0.4)
            assert "a" in pools.namespaces
            assert await conn.fetchval("SELECT 1") == 1
    finally:
        await pools.close()


async def test_probe_succeeds_and_closes_its_connection(pg_database: str) -> None:
    await probe(SqlDsn(pg_database), 5)
    await SqlPools(SqlDsn(pg_database)).probe(5)
    conn = await asyncpg.connect(pg_database)
    try:
        others = await conn.fetchval(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        )
        assert others == 0
    finally:
        await conn.close()


async def test_keyword_dsn_works(pg_database: str) -> None:
    from urllib.parse import urlsplit

    url = urlsplit(pg_database)
    dsn = SqlDsn(
        f"host={url.hostname} port={url.port} user={url.username} dbname={url.path[1:]}"
        " sslmode=disable"
    )
    await probe(dsn, 5)
