"""Metrics and health endpoints over real HTTP, and the timing storage wrapper on a real driver."""

from __future__ import annotations

import aiohttp
import pytest

from steersman.controller.http import Endpoints
from steersman.controller.metrics import Metrics, TimedDriver
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
    finally:
        await ep.stop()
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
        'steersman_storage_operation_duration_seconds_count{driver="Memory",operation="get",'
        'result="error"} 1.0' in body
    )
    assert 'operation="list",result="ok"} 1.0' in body
