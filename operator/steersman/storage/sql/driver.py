"""The `sql` driver: helm's `releases_v1`/`custom_labels_v1` tables in PostgreSQL via asyncpg.

Rows are written exactly as helm writes them, so `HELM_DRIVER=sql helm ...` sees our records and
we see its. Differences from helm's driver, all invisible to helm:
* the `namespace` column is the driver's storage namespace (helm uses the release's namespace,
  which is the same thing when helm itself is the writer);
* custom labels of all rows come in one query instead of one per row;
* `update` also rewrites the custom labels and reports a missing row as `ReleaseNotFound`.
Every statement is parameterised; column names come from fixed tables, never from input.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
from asyncpg.pool import PoolConnectionProxy

from steersman.storage.driver import (
    KEY_ID_LABEL,
    OWNER,
    SECRET_TYPE,
    ReleaseFilter,
    Releases,
    custom_labels,
)
from steersman.storage.errors import (
    CorruptRecord,
    InvalidRecord,
    ReleaseExists,
    ReleaseNotFound,
    StorageError,
)
from steersman.storage.record import Release
from steersman.storage.sealing import PLAIN, Encoded, RecordCodec
from steersman.storage.sql.pools import SqlPools
from steersman.storage.sql.sanitize import sanitised

log = logging.getLogger(__name__)

# Label -> (column, is integer). The only labels helm's SQL driver can query.
_QUERY_COLUMNS: dict[str, tuple[str, bool]] = {
    "name": ("name", False),
    "owner": ("owner", False),
    "status": ("status", False),
    "version": ("version", True),
    "createdAt": ("createdat", True),
    "modifiedAt": ("modifiedat", True),
}

_SELECT_LABELS = (
    "SELECT releasekey, key, value FROM custom_labels_v1"
    " WHERE releasenamespace = $1 AND releasekey = ANY($2::text[])"
)


class SqlDriver:
    """A `Driver` bound to one storage namespace, using that namespace's pool."""

    def __init__(self, pools: SqlPools, namespace: str, codec: RecordCodec = PLAIN) -> None:
        self._pools = pools
        self._codec = codec
        self._namespace = namespace or "default"
        self._dsn = pools._dsn  # for scrubbing server messages in `sanitised`

    def __repr__(self) -> str:
        return f"SqlDriver(namespace={self._namespace!r})"

    @property
    def name(self) -> str:
        return "SQL"

    @property
    def namespace(self) -> str:
        return self._namespace

    @sanitised
    async def get(self, key: str) -> Release:
        async with self._pools.connection(self._namespace) as conn:
            body = await conn.fetchval(
                "SELECT body FROM releases_v1 WHERE key = $1 AND namespace = $2",
                key, self._namespace,
            )  # fmt: skip
            if body is None:
                raise ReleaseNotFound()
            labels = await self._labels(conn, [key])
        release = self._codec.decode(key, body)
        release.labels = custom_labels(labels.get(key, {}))
        return release

    @sanitised
    async def list(self, filter: ReleaseFilter | None = None) -> Releases:
        found = await self._select({"owner": OWNER})
        return [r for r in found if filter is None or filter(r)]

    @sanitised
    async def query(self, labels: Mapping[str, str]) -> Releases:
        found = await self._select(labels)
        if not found:
            raise ReleaseNotFound()
        return found

    async def _select(self, labels: Mapping[str, str]) -> Releases:
        where, args = [], []
        for label in sorted(labels):
            if label not in _QUERY_COLUMNS:
                raise StorageError(f"unknown label {label}")
            column, numeric = _QUERY_COLUMNS[label]
            value: Any = labels[label]
            if numeric:
                if not str(value).isdigit():
                    return []
                value = int(value)
            args.append(value)
            where.append(f"{column} = ${len(args)}")
        args.append(self._namespace)
        where.append(f"namespace = ${len(args)}")
        sql = "SELECT key, body FROM releases_v1 WHERE " + " AND ".join(where)
        async with self._pools.connection(self._namespace) as conn:
            rows = await conn.fetch(sql, *args)
            all_labels = await self._labels(conn, [r["key"] for r in rows]) if rows else {}
        found: Releases = []
        for row in rows:
            try:
                release = self._codec.decode(row["key"], row["body"])
            except InvalidRecord as exc:
                if "name" in labels:  # one release's history: see CorruptRecord
                    raise CorruptRecord(
                        f"SQL row {self._namespace}/{row['key']} is a record of release "
                        f"{labels['name']!r} but cannot be decoded ({exc}); nothing was changed. "
                        "Delete that row (or restore it) so the release can go on"
                    ) from None
                log.debug("skipping undecodable SQL row %s: %s", row["key"], exc)  # as helm
                continue
            release.labels = custom_labels(all_labels.get(row["key"], {}))
            found.append(release)
        return found

    async def _labels(
        self, conn: PoolConnectionProxy[Any], keys: Sequence[str]
    ) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for row in await conn.fetch(_SELECT_LABELS, self._namespace, keys):
            out.setdefault(row["releasekey"], {})[row["key"]] = row["value"]
        return out

    @sanitised
    async def create(self, key: str, release: Release) -> None:
        encoded = self._codec.encode(key, release)
        async with self._pools.connection(self._namespace) as conn, conn.transaction():
            try:
                await conn.execute(
                    "INSERT INTO releases_v1"
                    " (key, type, body, name, namespace, version, status, owner, createdAt)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                    key, SECRET_TYPE, encoded.body, release.name, self._namespace, release.version,
                    str(release.info.status), OWNER, int(time.time()),
                )  # fmt: skip
            except asyncpg.UniqueViolationError:
                raise ReleaseExists() from None
            await self._write_labels(conn, key, release, encoded)

    @sanitised
    async def update(self, key: str, release: Release) -> None:
        encoded = self._codec.encode(key, release)
        async with self._pools.connection(self._namespace) as conn, conn.transaction():
            result = await conn.execute(
                "UPDATE releases_v1 SET body = $1, name = $2, version = $3, status = $4,"
                " owner = $5, modifiedAt = $6 WHERE key = $7 AND namespace = $8",
                encoded.body, release.name, release.version, str(release.info.status), OWNER,
                int(time.time()), key, self._namespace,
            )  # fmt: skip
            if result.split()[-1] == "0":
                raise ReleaseNotFound()
            await conn.execute(
                "DELETE FROM custom_labels_v1 WHERE releaseKey = $1 AND releaseNamespace = $2",
                key, self._namespace,
            )  # fmt: skip
            await self._write_labels(conn, key, release, encoded)

    async def _write_labels(
        self, conn: PoolConnectionProxy[Any], key: str, release: Release, encoded: Encoded
    ) -> None:
        labels = custom_labels(release.labels)
        if encoded.key_id is not None:  # helm's schema has no column for it: a custom label row
            labels[KEY_ID_LABEL] = encoded.key_id
        if labels:
            await conn.executemany(
                "INSERT INTO custom_labels_v1 (releaseKey, releaseNamespace, key, value)"
                " VALUES ($1, $2, $3, $4)",
                [(key, self._namespace, k, v) for k, v in sorted(labels.items())],
            )

    @sanitised
    async def delete(self, key: str) -> Release:
        async with self._pools.connection(self._namespace) as conn, conn.transaction():
            body = await conn.fetchval(
                "DELETE FROM releases_v1 WHERE key = $1 AND namespace = $2 RETURNING body",
                key, self._namespace,
            )  # fmt: skip
            if body is None:
                raise ReleaseNotFound()
            labels = await self._labels(conn, [key])
            # Decoded inside the transaction: an unreadable record is left in place.
            release = self._codec.decode(key, body)
            release.labels = custom_labels(labels.get(key, {}))
            await conn.execute(
                "DELETE FROM custom_labels_v1 WHERE releaseKey = $1 AND releaseNamespace = $2",
                key, self._namespace,
            )  # fmt: skip
        return release
