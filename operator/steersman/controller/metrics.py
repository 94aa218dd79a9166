"""Prometheus metrics of the operator, on their own registry.

- `steersman_reconcile_duration_seconds{result}`: one reconcile of one HelmRelease;
- `steersman_actions_total{action,result}`: Helm actions run (install, upgrade, ...);
- `steersman_releases{ready}`: HelmReleases by Ready condition (True/False/Unknown);
- `steersman_storage_operation_duration_seconds{driver,operation,result}`: every call into a
  release-storage driver, measured by wrapping the driver (storage stays metrics-free);
- `steersman_sql_pools` and `steersman_sql_pool_connections{namespace,state}`: the live
  per-namespace PostgreSQL pools, read at scrape time.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from steersman.storage import Driver, Release, ReleaseFilter, Releases

# Pool stats: namespace -> (open connections, idle connections).
PoolStats = Callable[[], Mapping[str, tuple[int, int]]]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.reconcile_duration = Histogram(
            "steersman_reconcile_duration_seconds",
            "Time to reconcile one HelmRelease.",
            ["result"],
            registry=self.registry,
            buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300),
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
        """Record (or, with None, forget) one HelmRelease's Ready status."""
        if status is None:
            self._ready.pop(key, None)
        else:
            self._ready[key] = status
        for value in ("True", "False", "Unknown"):
            self.releases.labels(ready=value).set(
                sum(1 for s in self._ready.values() if s == value)
            )

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

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def namespace(self) -> str:
        return self._inner.namespace

    async def get(self, key: str) -> Release:
        with self._metrics.time_storage(self.name, "get"):
            return await self._inner.get(key)

    async def list(self, filter: ReleaseFilter | None = None) -> Releases:
        with self._metrics.time_storage(self.name, "list"):
            return await self._inner.list(filter)

    async def query(self, labels: Mapping[str, str]) -> Releases:
        with self._metrics.time_storage(self.name, "query"):
            return await self._inner.query(labels)

    async def create(self, key: str, release: Release) -> None:
        with self._metrics.time_storage(self.name, "create"):
            await self._inner.create(key, release)

    async def update(self, key: str, release: Release) -> None:
        with self._metrics.time_storage(self.name, "update"):
            await self._inner.update(key, release)

    async def delete(self, key: str) -> Release:
        with self._metrics.time_storage(self.name, "delete"):
            return await self._inner.delete(key)
