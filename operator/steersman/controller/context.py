"""What a reconcile needs from the running operator: clients, storage backends per driver, the
chart fetcher, metrics, settings, and where events go. Built once by `main`, shared by every
HelmRelease."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Protocol

from kubernetes_asyncio import client

from steersman.api import HelmRelease
from steersman.controller.charts import Charts
from steersman.controller.metrics import Metrics, TimedDriver
from steersman.controller.remote import Cluster, RemoteClusters
from steersman.controller.settings import Settings
from steersman.engine import Engine, Renderer, default_renderer
from steersman.kube import KubeClient
from steersman.storage import (
    PLAIN,
    Driver,
    DriverKind,
    MemoryStore,
    RecordCodec,
    StorageBackend,
    load_sql_dsn,
)
from steersman.storage.sql import SqlPools


class EventSink(Protocol):
    """Posts a Kubernetes Event about the HelmRelease being reconciled."""

    def __call__(self, type: str, reason: str, message: str) -> None: ...


class TimedBackend(StorageBackend):
    """A storage backend whose drivers report their latency to the metrics."""

    metrics: Metrics | None = None

    def driver(self, namespace: str) -> Driver:
        inner = super().driver(namespace)
        return TimedDriver(inner, self.metrics) if self.metrics is not None else inner


@dataclass
class Backends:
    """One storage backend per driver kind, made on first use (SQL pools are opened lazily)."""

    api_client: client.ApiClient
    metrics: Metrics
    dsn_file: str | None = None
    environ: Mapping[str, str] | None = None
    sql_pools: SqlPools | None = None
    codec: RecordCodec = PLAIN  # plain or sealed record bodies (--encrypt-release-records)
    # A remote cluster's backends (see `on_cluster`): SQL and memory records are the operator's.
    parent: Backends | None = None
    _made: dict[tuple[DriverKind, bool], StorageBackend] = field(default_factory=dict)
    # One in-process store for the memory driver, whichever codec reaches it.
    _memory: MemoryStore = field(default_factory=MemoryStore)

    def get(self, kind: DriverKind, encrypt: bool | None = None) -> StorageBackend:
        """The backend of `kind`; `encrypt` overrides whether it seals new records (a release's
        `spec.storage.encryptRecords`, already allowed by the admin)."""
        if self.parent is not None and kind in (DriverKind.SQL, DriverKind.MEMORY):
            return self.parent.get(kind, encrypt)
        seal = self.codec.seal_writes if encrypt is None else encrypt
        backend = self._made.get((kind, seal))
        if backend is None:
            codec = RecordCodec(self.codec.keys, seal)
            if kind is DriverKind.SQL:
                if self.sql_pools is None:  # one set of pools, whichever codec
                    self.sql_pools = SqlPools(load_sql_dsn(self.dsn_file, self.environ))
                made = TimedBackend(
                    kind, api_client=self.api_client, sql_pools=self.sql_pools, codec=codec
                )
            else:
                made = TimedBackend(
                    kind, api_client=self.api_client, memory=self._memory, codec=codec
                )
            made.metrics = self.metrics
            self._made[(kind, seal)] = backend = made
        return backend

    def on_cluster(self, api_client: client.ApiClient) -> Backends:
        """Backends whose Secret and ConfigMap records are written through another cluster's
        client (a remote release's records live with its objects)."""
        return Backends(api_client, self.metrics, codec=self.codec, parent=self)

    def sql_pool_stats(self) -> dict[str, tuple[int, int]]:
        """namespace -> (open, idle) connections of each live PostgreSQL pool."""
        return self.sql_pools.stats() if self.sql_pools is not None else {}

    async def close(self) -> None:
        for backend in self._made.values():
            await backend.close()
        self._made.clear()


@dataclass
class Context:
    kube: KubeClient
    settings: Settings
    backends: Backends
    charts: Charts
    metrics: Metrics
    renderer: Renderer = default_renderer
    extra: dict[str, Any] = field(default_factory=dict)
    remotes: RemoteClusters = field(default_factory=RemoteClusters)

    def cluster(self, hr: HelmRelease) -> AbstractAsyncContextManager[Cluster]:
        """Where `hr`'s release lives, for the time of an `async with`: this cluster, or the
        remote one of spec.kubeConfig (`remote.RemoteClusterError` when it cannot be reached
        through the kubeconfig)."""
        return self.remotes.use(hr, Cluster(self.kube, self.backends), self.settings)

    def engine(
        self,
        kind: DriverKind,
        namespace: str,
        service_account: str | None,
        *,
        encrypt: bool | None = None,
        cluster: Cluster | None = None,
    ) -> Engine:
        """An engine on `cluster` (this one by default), acting as `service_account`
        (impersonated there) when one is named; `encrypt` is the release's own record
        encryption choice (checked against the settings first)."""
        kube, backends = (cluster.kube, cluster.backends) if cluster else (self.kube, self.backends)
        account = service_account or self.settings.default_service_account
        if account:
            kube = kube.impersonate(namespace, account)
        return Engine(kube, backends.get(kind, encrypt), self.renderer)


def release_logger(base: logging.Logger, namespace: str, name: str) -> logging.LoggerAdapter[Any]:
    """Log lines carrying the HelmRelease's namespace and name as structured fields."""
    return logging.LoggerAdapter(base, {"namespace": namespace, "release": name})
