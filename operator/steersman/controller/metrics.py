"""Prometheus metrics of the operator, on their own registry.

Per HelmRelease, in the shapes of Flux's `gotk_*` metrics under our prefix (so dashboards and
alerts written for Flux port by renaming the prefix):
- `steersman_reconcile_duration_seconds{kind,name,namespace}`: one reconcile of one HelmRelease;
- `steersman_reconcile_condition{kind,name,namespace,type,status}`: 1 for the Ready condition's
  current status, 0 for the other two (True/False/Unknown);
- `steersman_suspend_status{kind,name,namespace}`: 1 while `spec.suspend` is set.
A HelmRelease's series are removed when it is deleted.

For the whole operator:
- `steersman_reconciles_total{result}`: reconciles by result (ok, error, suspended, ...);
- `steersman_actions_total{action,result}`: Helm actions run (install, upgrade, ...);
- `steersman_releases{ready}`: HelmReleases by Ready condition (True/False/Unknown);
- `steersman_storage_operation_duration_seconds{driver,operation,result}`: every call into a
  release-storage driver (driver spelled as the `--helm-storage-driver` values), measured by
  wrapping the driver (storage stays metrics-free);
- `steersman_sql_pools` and `steersman_sql_pool_connections{namespace,state}`: the live
  per-namespace PostgreSQL pools, read at scrape time;
- `process_*` (CPU, memory, open files, start time) and `python_*` (GC, version) collectors.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    GC_COLLECTOR,
    PLATFORM_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from steersman.storage import Driver, Release, ReleaseFilter, Releases

# Pool stats: namespace -> (open connections, idle connections).
PoolStats = Callable[[], Mapping[str, tuple[int, int]]]

# The `kind` label of the per-HelmRelease series (Flux's shape: one metric for all kinds).
KIND = "HelmRelease"
CONDITION_STATUSES = ("True", "False", "Unknown")
# The text exposition format's content type with its version, as Prometheus negotiates it.
CONTENT_TYPE = CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        ProcessCollector(registry=self.registry)
        self.registry.register(PLATFORM_COLLECTOR)
        self.registry.register(GC_COLLECTOR)
        self.reconcile_duration = Histogram(
            "steersman_reconcile_duration_seconds",
            "Time to reconcile one HelmRelease.",
            ["kind", "name", "namespace"],
            registry=self.registry,
            # Flux's buckets: 10 ms to 30 min.
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 900, 1800),
        )
        self.reconciles = Counter(
            "steersman_reconciles_total",
            "Reconciles of HelmReleases, by result.",
            ["result"],
            registry=self.registry,
        )
        self.condition = Gauge(
            "steersman_reconcile_condition",
            "The status of each HelmRelease's Ready condition (1 for the current status).",
            ["kind", "name", "namespace", "type", "status"],
            registry=self.registry,
        )
        self.suspended = Gauge(
            "steersman_suspend_status",
            "1 while a HelmRelease is suspended.",
            ["kind", "name", "namespace"],
            registry=self.registry,
        )
        self.actions = Counter(
            "steersman_actions_total",
            "Helm actions run, by action and result.",
            ["action", "result"],
            registry=self.registry,
        )
        self.releases = Gauge(
            "steersman_releases",
            "HelmReleases by the status of their Ready condition.",
            ["ready"],
            registry=self.registry,
        )
        self.storage_duration = Histogram(
            "steersman_storage_operation_duration_seconds",
            "Latency of release-storage driver calls.",
            ["driver", "operation", "result"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
        )
        self._ready: dict[str, str] = {}  # HelmRelease key -> Ready status

    def set_ready(self, key: str, status: str | None) -> None:
        """Record one HelmRelease's Ready status (key: namespace/name); None forgets the
        HelmRelease, removing its per-release series too."""
        namespace, _, name = key.partition("/")
        if status is None:
            self._ready.pop(key, None)
            self._forget(namespace, name)
        else:
            self._ready[key] = status
            for value in CONDITION_STATUSES:
                self.condition.labels(KIND, name, namespace, "Ready", value).set(
                    1 if value == status else 0
                )
        for value in CONDITION_STATUSES:
            self.releases.labels(ready=value).set(
                sum(1 for s in self._ready.values() if s == value)
            )

    def observe_reconcile(self, key: str, result: str, seconds: float) -> None:
        """Record one reconcile of the HelmRelease `key` (namespace/name)."""
        self.reconciles.labels(result).inc()
        if result == "gone":  # deleted meanwhile: its series were removed, keep them so
            return
        namespace, _, name = key.partition("/")
        self.reconcile_duration.labels(KIND, name, namespace).observe(seconds)
        self.suspended.labels(KIND, name, namespace).set(1 if result == "suspended" else 0)

    def _forget(self, namespace: str, name: str) -> None:
        for metric in (self.reconcile_duration, self.suspended):
            with contextlib.suppress(KeyError):
                metric.remove(KIND, name, namespace)
        for value in CONDITION_STATUSES:
            with contextlib.suppress(KeyError):
                self.condition.remove(KIND, name, namespace, "Ready", value)

    def watch_sql_pools(self, stats: PoolStats) -> None:
        self.registry.register(_SqlPoolCollector(stats))

    @contextmanager
    def time_storage(self, driver: str, operation: str) -> Iterator[None]:
        started = time.perf_counter()
        result = "error"
        try:
            yield
            result = "ok"
        finally:
            self.storage_duration.labels(driver, operation, result).observe(
                time.perf_counter() - started
            )

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class _SqlPoolCollector(Collector):
    def __init__(self, stats: PoolStats) -> None:
        self._stats = stats

    def collect(self) -> Iterable[Any]:
        stats = self._stats()
        pools = GaugeMetricFamily("steersman_sql_pools", "Live PostgreSQL connection pools.")
        pools.add_metric([], len(stats))
        conns = GaugeMetricFamily(
            "steersman_sql_pool_connections",
            "Connections of each per-namespace PostgreSQL pool.",
            labels=["namespace", "state"],
        )
        for namespace, (size, idle) in sorted(stats.items()):
            conns.add_metric([namespace, "open"], size)
            conns.add_metric([namespace, "idle"], idle)
        yield pools
        yield conns

    def describe(self) -> Iterable[Any]:
        return []


class TimedDriver:
    """A storage Driver that records the latency of every call it forwards."""

    def __init__(self, inner: Driver, metrics: Metrics) -> None:
        self._inner = inner
        self._metrics = metrics
        # The label is the flag value (secret, configmap, memory, sql), not Helm's driver name.
        self._label = inner.name.lower()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def namespace(self) -> str:
        return self._inner.namespace

    async def get(self, key: str) -> Release:
        with self._metrics.time_storage(self._label, "get"):
            return await self._inner.get(key)

    async def list(self, filter: ReleaseFilter | None = None) -> Releases:
        with self._metrics.time_storage(self._label, "list"):
            return await self._inner.list(filter)

    async def query(self, labels: Mapping[str, str]) -> Releases:
        with self._metrics.time_storage(self._label, "query"):
            return await self._inner.query(labels)

    async def create(self, key: str, release: Release) -> None:
        with self._metrics.time_storage(self._label, "create"):
            await self._inner.create(key, release)

    async def update(self, key: str, release: Release) -> None:
        with self._metrics.time_storage(self._label, "update"):
            await self._inner.update(key, release)

    async def delete(self, key: str) -> Release:
        with self._metrics.time_storage(self._label, "delete"):
            return await self._inner.delete(key)
