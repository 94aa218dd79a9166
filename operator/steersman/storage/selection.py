"""Choosing the storage driver and building drivers for storage namespaces.

Source order for the driver name: the explicit `--helm-storage-driver` value, then `HELM_DRIVER`,
then `secret`. The SQL connection string comes from a file (so it can be mounted from a Secret)
or from `HELM_DRIVER_SQL_CONNECTION_STRING`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path

from kubernetes_asyncio import client

from steersman.storage.driver import Driver
from steersman.storage.errors import StorageConfigError
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.memory import MemoryStore
from steersman.storage.sealing import PLAIN, RecordCodec
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools
from steersman.storage.storage import Storage

DSN_ENV = "HELM_DRIVER_SQL_CONNECTION_STRING"
DSN_FILE_ENV = "HELM_DRIVER_SQL_CONNECTION_STRING_FILE"


class DriverKind(StrEnum):
    SECRET = "secret"
    CONFIGMAP = "configmap"
    MEMORY = "memory"
    SQL = "sql"


_ALIASES = {
    "": DriverKind.SECRET,
    "secret": DriverKind.SECRET,
    "secrets": DriverKind.SECRET,
    "configmap": DriverKind.CONFIGMAP,
    "configmaps": DriverKind.CONFIGMAP,
    "memory": DriverKind.MEMORY,
    "sql": DriverKind.SQL,
}
VALID_NAMES = "secret (or secrets), configmap (or configmaps), memory, sql"


def normalize_driver_name(name: str) -> DriverKind:
    """Map a driver name (any case; empty means secret) to its kind."""
    kind = _ALIASES.get(name.strip().lower())
    if kind is None:
        raise StorageConfigError(
            f"unknown helm storage driver {name!r}; valid names: {VALID_NAMES}"
        )
    return kind


def select_driver(flag: str | None, environ: Mapping[str, str] | None = None) -> DriverKind:
    """The flag value if given, else HELM_DRIVER, else secret."""
    env = os.environ if environ is None else environ
    if flag:
        return normalize_driver_name(flag)
    return normalize_driver_name(env.get("HELM_DRIVER", ""))


def load_sql_dsn(
    dsn_file: str | Path | None = None, environ: Mapping[str, str] | None = None
) -> SqlDsn:
    """The SQL DSN from `dsn_file`, else the file named by HELM_DRIVER_SQL_CONNECTION_STRING_FILE,
    else HELM_DRIVER_SQL_CONNECTION_STRING. Read once at startup."""
    env = os.environ if environ is None else environ
    path = dsn_file or env.get(DSN_FILE_ENV)
    if path:
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise StorageConfigError(
                f"cannot read the SQL connection string file {str(path)!r}: {exc.strerror}"
            ) from None
        if not value:
            raise StorageConfigError(f"the SQL connection string file {str(path)!r} is empty")
        return SqlDsn(value)
    value = env.get(DSN_ENV, "").strip()
    if not value:
        raise StorageConfigError(
            f"the sql storage driver needs a connection string: set {DSN_ENV} "
            f"or point {DSN_FILE_ENV} at a file holding it"
        )
    return SqlDsn(value)


class StorageBackend:
    """Makes drivers of one kind for any storage namespace, and owns their shared resources."""

    def __init__(
        self,
        kind: DriverKind,
        *,
        api_client: client.ApiClient | None = None,
        sql_pools: SqlPools | None = None,
        memory: MemoryStore | None = None,
        codec: RecordCodec = PLAIN,
    ) -> None:
        if kind in (DriverKind.SECRET, DriverKind.CONFIGMAP) and api_client is None:
            raise StorageConfigError(f"the {kind} storage driver needs a Kubernetes API client")
        if kind is DriverKind.SQL and sql_pools is None:
            raise StorageConfigError("the sql storage driver needs SQL connection pools")
        self.kind = kind
        self._api = api_client
        self._pools = sql_pools
        self._memory = memory if memory is not None else MemoryStore()
        self.codec = codec  # plain or sealed bodies (opt-in encryption), for every driver

    @classmethod
    def from_config(
        cls,
        flag: str | None,
        *,
        api_client: client.ApiClient | None,
        environ: Mapping[str, str] | None = None,
        dsn_file: str | Path | None = None,
        codec: RecordCodec = PLAIN,
    ) -> StorageBackend:
        kind = select_driver(flag, environ)
        pools = SqlPools(load_sql_dsn(dsn_file, environ)) if kind is DriverKind.SQL else None
        return cls(kind, api_client=api_client, sql_pools=pools, codec=codec)

    def driver(self, namespace: str) -> Driver:
        if self.kind is DriverKind.SECRET:
            assert self._api is not None
            return SecretDriver(self._api, namespace, self.codec)
        if self.kind is DriverKind.CONFIGMAP:
            assert self._api is not None
            return ConfigMapDriver(self._api, namespace, self.codec)
        if self.kind is DriverKind.SQL:
            assert self._pools is not None
            return SqlDriver(self._pools, namespace, self.codec)
        return self._memory.driver(namespace, self.codec)

    def storage(self, namespace: str, max_history: int = 0) -> Storage:
        return Storage(self.driver(namespace), max_history)

    async def probe(self, timeout_s: float = 5.0) -> None:
        """Startup check of the SQL database (a no-op for other drivers)."""
        if self._pools is not None:
            await self._pools.probe(timeout_s)

    async def close(self) -> None:
        if self._pools is not None:
            await self._pools.close()
