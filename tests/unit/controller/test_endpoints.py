"""Metrics and health endpoints over real HTTP, and the timing storage wrapper on a real driver."""

from __future__ import annotations

import aiohttp
import pytest

from steersman.controller.http import Endpoints
from steersman.controller.metrics import CONTENT_TYPE, Metrics, TimedDriver
from steersman.storage.errors import ReleaseNotFound
from steersman.storage.memory import MemoryStore


async def test_health_and_metrics_endpoints() -> None:
    metrics = Metrics()
    metrics.set_ready("ns/a", "True")
    metrics.set_ready("ns/b", "False")
    metrics.set_ready("ns/c", "True")
    metrics.set_ready("ns/c", None)
    metrics.actions.labels("install", "success").inc()
    metrics.watch_sql_pools(lambda: {"team-a": (3, 1)})
    ep = Endpoints(metrics)
    (m_host, m_port), (h_host, h_port) = await ep.start("127.0.0.1:0", "127.0.0.1:0")
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://{h_host}:{h_port}/healthz") as r:
                assert r.status == 200
            async with http.get(f"http://{h_host}:{h_port}/readyz") as r:
                assert (r.status, await r.text()) == (503, "starting")
            ep.health.ready = True
            async with http.get(f"http://{h_host}:{h_port}/readyz") as r:
                assert r.status == 200
            async with http.get(f"http://{m_host}:{m_port}/metrics") as r:
                body = await r.text()
                content_type = r.headers["Content-Type"]
    finally:
        await ep.stop()
    assert content_type == CONTENT_TYPE  # Prometheus' text format with its version, not bare text
    assert content_type.startswith("text/plain; version=")
    assert 'steersman_releases{ready="True"} 1.0' in body
    assert 'steersman_releases{ready="False"} 1.0' in body
    assert 'steersman_actions_total{action="install",result="success"} 1.0' in body
    assert "steersman_sql_pools 1.0" in body
    assert 'steersman_sql_pool_connections{namespace="team-a",state="open"} 3.0' in body


async def test_disabled_endpoints_bind_nothing() -> None:
    ep = Endpoints(Metrics())
    assert await ep.start("0", "") == []
    await ep.stop()


async def test_timed_driver_records_latency_by_result() -> None:
    metrics = Metrics()
    driver = TimedDriver(MemoryStore().driver("default"), metrics)
    with pytest.raises(ReleaseNotFound):
        await driver.get("sh.helm.release.v1.nope.v1")
    assert await driver.list() == []
    body = metrics.exposition().decode()
    assert (
        'steersman_storage_operation_duration_seconds_count{driver="memory",operation="get",'
        'result="error"} 1.0' in body
    )
    assert 'operation="list",result="ok"} 1.0' in body


def test_per_helmrelease_series_in_flux_shapes() -> None:
    metrics = Metrics()
    metrics.set_ready("team-a/web", "False")
    metrics.set_ready("team-a/web", "True")
    metrics.observe_reconcile("team-a/web", "ok", 0.2)
    metrics.observe_reconcile("team-a/db", "suspended", 0.01)
    body = metrics.exposition().decode()
    web = 'kind="HelmRelease",name="web",namespace="team-a"'
    assert f'steersman_reconcile_condition{{{web},status="True",type="Ready"}} 1.0' in body
    assert f'steersman_reconcile_condition{{{web},status="False",type="Ready"}} 0.0' in body
    assert f'steersman_reconcile_condition{{{web},status="Unknown",type="Ready"}} 0.0' in body
    assert f"steersman_reconcile_duration_seconds_count{{{web}}} 1.0" in body
    assert f"steersman_suspend_status{{{web}}} 0.0" in body
    db = 'kind="HelmRelease",name="db",namespace="team-a"'
    assert f"steersman_suspend_status{{{db}}} 1.0" in body
    assert 'steersman_reconciles_total{result="ok"} 1.0' in body
    assert 'steersman_reconciles_total{result="suspended"} 1.0' in body
    assert "process_resident_memory_bytes" in body or "process_cpu_seconds_total" in body
    assert "python_info{" in body

    metrics.set_ready("team-a/web", None)
    metrics.observe_reconcile("team-a/web", "gone", 0.01)
    body = metrics.exposition().decode()
    assert 'name="web"' not in body
    assert 'steersman_reconciles_total{result="gone"} 1.0' in body
