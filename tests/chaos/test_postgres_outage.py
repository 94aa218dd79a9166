"""PostgreSQL stopped for 30 s while 20 upgrades with SQL storage are under way.

Every reconcile during the outage fails (StorageUnavailable, sanitised: the DSN's password is a
marker that must appear nowhere). Those failures pile up: with the backoff of release failures
(5 s doubling to 5 min) the last ones would wait minutes after the database is back. An outage
is retried a few seconds apart instead, so every release recovers within seconds.
"""

from __future__ import annotations

import asyncio
import secrets
import time
from pathlib import Path

import pytest

import hack.testenv as testenv
from hack.testenv import helm_env
from steersman.api import API_VERSION, KIND
from steersman.controller.backoff import retry_delay
from steersman.kube import KubeClient
from tests.chaos.conftest import StartOperators, marked_database
from tests.chaos.fleet import Fleet, record

pytestmark = [pytest.mark.chaos, pytest.mark.integration, pytest.mark.slow]

SIZE = 20
OUTAGE = 30.0
RECOVERY_WITHIN = 20.0  # seconds after the database is back; the old backoff waited minutes


async def test_postgres_stopped_during_upgrades(
    bench: testenv.TestBench,
    kube: KubeClient,
    shared_crd: None,
    namespace: str,
    private_postgres: testenv.Postgres,
    chaos_repo: str,
    operators: StartOperators,
    helm_v4: Path,
    tmp_path: Path,
) -> None:
    db = await marked_database(private_postgres.dsn)
    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": db.dsn}
    kubeconfig = bench.control_plane.kubeconfig
    ops = operators(kubeconfig, namespace, "--helm-storage-driver", "sql", env=env)
    fleet = Fleet(
        kube, namespace, chaos_repo, SIZE, "sql", db.dsn, helm_v4, helm_env(tmp_path, kubeconfig)
    )
    await ops.start()
    await fleet.create()
    await fleet.wait_ready()

    await fleet.upgrade_all(f"pg-{secrets.token_hex(2)}")
    done = await fleet.wait_progress(2)  # the upgrades are under way
    await asyncio.to_thread(private_postgres.stop)
    await asyncio.sleep(OUTAGE)
    failures = [
        int((hr.get("status") or {}).get("failures") or 0)
        for hr in await kube.list(API_VERSION, KIND, namespace)
    ]
    await asyncio.to_thread(private_postgres.start)  # returns once it accepts connections
    back = time.monotonic()
    await fleet.wait_ready()
    recovery = time.monotonic() - back
    await fleet.check([db.marker, bench.control_plane.token], [ops.log()])
    worst = max(failures)
    record(
        f"PostgreSQL stopped for {OUTAGE:.0f} s ({done}/{SIZE} upgraded before): all {SIZE} "
        f"Ready {recovery:.1f} s after it accepted connections again; up to {worst} failed "
        f"attempts per release during the outage (release-failure backoff would now wait "
        f"{retry_delay(worst, 300.0, ValueError()):.0f} s)"
    )
    assert worst >= 5, f"the outage should have piled up failed attempts: {failures}"
    assert "SQL storage unreachable" in ops.log()
    assert recovery < RECOVERY_WITHIN
