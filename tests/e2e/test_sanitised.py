"""The SQL connection string never leaks (issue 7 item 4).

The operator runs with a DSN whose password is a unique marker. PostgreSQL is stopped mid-run
(while an upgrade is requested) and started again. The marker must appear in no HelmRelease,
no Event and no line of the operator's log; the conditions must say what is wrong; once the
database is back every release is Ready again and no record is lost. A second operator started
while the database is down must refuse to start, again without the marker.
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

import hack.testenv as testenv
from hack.operatorkit import wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import annotate, condition, create, patch_spec, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
def own_postgres(bench: testenv.TestBench) -> Iterator[testenv.Postgres]:
    if bench.binaries.pg_bin is None:
        pytest.fail("this test needs a local PostgreSQL it can stop and start (pg_bin)")
    root = Path(tempfile.mkdtemp(prefix="steersman-e2e-pg-"))
    root.chmod(0o755)  # the postgres system user must reach its data dir
    pg = testenv.Postgres(bench.binaries.pg_bin, root / "pg")
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


async def _releases(dsn: str) -> list[tuple[str, int, str]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch(
            "SELECT name, version, status FROM releases_v1 ORDER BY name, version"
        )
    finally:
        await conn.close()
    return [(r["name"], int(r["version"]), r["status"]) for r in rows]


async def test_marker_password_never_leaks_and_releases_recover(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    own_postgres: testenv.Postgres,
) -> None:
    marker = "Pw" + secrets.token_hex(12)
    admin = await asyncpg.connect(own_postgres.dsn)
    try:
        await admin.execute(f"CREATE ROLE steersman LOGIN PASSWORD '{marker}'")
        await admin.execute("CREATE DATABASE helm OWNER steersman")
    finally:
        await admin.close()
    dsn = f"postgresql://steersman:{marker}@127.0.0.1:{own_postgres.port}/helm?sslmode=disable"
    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": dsn}
    op = start_operator(namespace, "--helm-storage-driver", "sql", env=env)
    await op.wait_ready()
    for name in ("alpha", "beta"):
        await create(e2e_kube, namespace, name, spec(chart_repo, interval="2s"))
    for name in ("alpha", "beta"):
        await wait_condition(e2e_kube, namespace, name)

    own_postgres.stop()
    await patch_spec(e2e_kube, namespace, "alpha", {"values": {"greeting": "while-down"}})
    await annotate(e2e_kube, namespace, "beta", "helm.steersman.dev/reconcile")
    for name in ("alpha", "beta"):
        hr = await wait_condition(
            e2e_kube, namespace, name, "Ready", "False", "StorageUnavailable", current=False
        )
        ready = condition(hr, "Ready")
        assert ready is not None and ready["message"].startswith("SQL storage unreachable")

    # A new operator cannot start without its database: a clear, sanitised refusal.
    refused = start_operator(namespace, "--helm-storage-driver", "sql", env=env)
    assert refused.proc is not None
    assert refused.proc.wait(60) == 1
    assert "storage startup check failed: SQL storage unreachable" in refused.log()
    assert marker not in refused.log()

    own_postgres.start()
    hr = await wait_condition(e2e_kube, namespace, "alpha", reason="UpgradeSucceeded", within=60)
    assert hr["status"]["history"][0]["version"] == 2
    await wait_condition(e2e_kube, namespace, "beta", within=60)
    assert await _releases(dsn) == [
        ("alpha", 1, "superseded"),
        ("alpha", 2, "deployed"),
        ("beta", 1, "deployed"),
    ]

    everything = json.dumps(await e2e_kube.list(API_VERSION, KIND, namespace))
    events = json.dumps(await e2e_kube.list("v1", "Event", namespace))
    assert "StorageUnavailable" in events  # the failure was reported...
    for text in (everything, events, op.log()):
        assert marker not in text  # ...without the password
        assert "steersman:" + marker not in text

    async def ready_again() -> bool:
        live = await e2e_kube.get(API_VERSION, KIND, "beta", namespace)
        c = condition(live, "Ready")
        return c is not None and c["status"] == "True"

    await wait_until(ready_again, 10, "beta Ready")
