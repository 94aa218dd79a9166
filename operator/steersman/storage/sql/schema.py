"""Helm's SQL schema (`pkg/storage/driver/sql.go`), created the way helm's sql-migrate does.

Helm records its migrations in `gorp_migrations` with ids `init` and `custom_labels`; a database
missing either row makes helm run that migration, so we write both rows with the tables. Index
names are the ones PostgreSQL generates for helm's unnamed `CREATE INDEX ON`, which lets us use
`IF NOT EXISTS` and land on the same schema whoever came first. A transaction-scoped advisory
lock serialises controllers that start at the same moment.
"""

from __future__ import annotations

import logging
from typing import Any

from asyncpg.pool import PoolConnectionProxy

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: "Steersmn" as a big-endian int64.
SCHEMA_LOCK_KEY = 0x5374656572736D6E

MIGRATIONS_TABLE = """
CREATE TABLE IF NOT EXISTS gorp_migrations (
  id text NOT NULL PRIMARY KEY,
  applied_at timestamp with time zone
)
"""

INIT = (
    """
    CREATE TABLE IF NOT EXISTS releases_v1 (
      key VARCHAR(90),
      type VARCHAR(64) NOT NULL,
      body TEXT NOT NULL,
      name VARCHAR(64) NOT NULL,
      namespace VARCHAR(64) NOT NULL,
      version INTEGER NOT NULL,
      status TEXT NOT NULL,
      owner TEXT NOT NULL,
      createdAt INTEGER NOT NULL,
      modifiedAt INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY(key, namespace)
    )
    """,
    "CREATE INDEX IF NOT EXISTS releases_v1_key_namespace_idx ON releases_v1 (key, namespace)",
    "CREATE INDEX IF NOT EXISTS releases_v1_version_idx ON releases_v1 (version)",
    "CREATE INDEX IF NOT EXISTS releases_v1_status_idx ON releases_v1 (status)",
    "CREATE INDEX IF NOT EXISTS releases_v1_owner_idx ON releases_v1 (owner)",
    "CREATE INDEX IF NOT EXISTS releases_v1_createdat_idx ON releases_v1 (createdAt)",
    "CREATE INDEX IF NOT EXISTS releases_v1_modifiedat_idx ON releases_v1 (modifiedAt)",
    "GRANT ALL ON releases_v1 TO PUBLIC",
    "ALTER TABLE releases_v1 ENABLE ROW LEVEL SECURITY",
)

CUSTOM_LABELS = (
    """
    CREATE TABLE IF NOT EXISTS custom_labels_v1 (
      releaseKey VARCHAR(64),
      releaseNamespace VARCHAR(67),
      key VARCHAR(317),
      value VARCHAR(63)
    )
    """,
    "CREATE INDEX IF NOT EXISTS custom_labels_v1_releasekey_releasenamespace_idx"
    " ON custom_labels_v1 (releaseKey, releaseNamespace)",
    "GRANT ALL ON custom_labels_v1 TO PUBLIC",
    "ALTER TABLE custom_labels_v1 ENABLE ROW LEVEL SECURITY",
)

# Applied in helm's order (sql-migrate sorts ids as strings).
MIGRATIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("custom_labels", CUSTOM_LABELS),
    ("init", INIT),
)


async def ensure_schema(conn: PoolConnectionProxy[Any]) -> list[str]:
    """Create whatever part of helm's schema is missing; return the migration ids applied."""
    applied: list[str] = []
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SCHEMA_LOCK_KEY)
        await conn.execute(MIGRATIONS_TABLE)
        done = {row["id"] for row in await conn.fetch("SELECT id FROM gorp_migrations")}
        unknown = done - {mid for mid, _ in MIGRATIONS}
        if unknown:
            # A newer helm may add migrations; our statements still match the tables we know.
            log.warning(
                "SQL storage: unknown helm migrations %s in gorp_migrations", sorted(unknown)
            )
        for mid, statements in MIGRATIONS:
            if mid in done:
                continue
            for statement in statements:
                await conn.execute(statement)
            await conn.execute(
                "INSERT INTO gorp_migrations (id, applied_at) VALUES ($1, now())", mid
            )
            applied.append(mid)
    if applied:
        log.info("SQL storage: applied helm schema migrations %s", applied)
    return applied
