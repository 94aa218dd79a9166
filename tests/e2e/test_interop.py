"""`helm list` and `helm history` (v3 and v4) show what the operator wrote, for each of the
secret, configmap and sql storage drivers."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import create, patch_spec, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.interop]

DRIVERS = {"sec": "secret", "cm": "configmap", "db": "sql"}


def helm_json(helm: Path, env: dict[str, str], *args: str) -> Any:
    res = subprocess.run([str(helm), *args, "-o", "json"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return json.loads(res.stdout)


async def test_helm_cli_reads_the_operators_releases_for_every_driver(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    pg_database: str,
    helm_v3: Path,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> None:
    # lib/pq (helm) insists on TLS unless told otherwise; the bench server has none.
    dsn_env = {"HELM_DRIVER_SQL_CONNECTION_STRING": f"{pg_database}?sslmode=disable"}
    op = start_operator(namespace, "--allowed-storage-drivers", "configmap,sql", env=dsn_env)
    await op.wait_ready()
    for name, driver in DRIVERS.items():
        await create(e2e_kube, namespace, name, spec(chart_repo, storage={"driver": driver}))
    for name in DRIVERS:
        await wait_condition(e2e_kube, namespace, name)
        await patch_spec(e2e_kube, namespace, name, {"values": {"greeting": "again"}})
    for name in DRIVERS:
        await wait_condition(e2e_kube, namespace, name, reason="UpgradeSucceeded")
    metrics = op.metrics()
    assert "steersman_sql_pools 1.0" in metrics  # one pool: the one storage namespace
    assert f'steersman_sql_pool_connections{{namespace="{namespace}",state="open"}}' in metrics

    for helm in (helm_v3, helm_v4):
        for name, driver in DRIVERS.items():
            env = {**helm_env, "HELM_DRIVER": driver, **dsn_env}
            listed = await asyncio.to_thread(helm_json, helm, env, "list", "-n", namespace)
            assert [(r["name"], r["revision"], r["status"], r["chart"]) for r in listed] == [
                (name, "2", "deployed", "demo-0.1.0")
            ], (helm.name, driver)
            history = await asyncio.to_thread(
                helm_json, helm, env, "history", name, "-n", namespace
            )
            assert [(h["revision"], h["status"]) for h in history] == [
                (1, "superseded"),
                (2, "deployed"),
            ], (helm.name, driver)
            values = await asyncio.to_thread(
                helm_json, helm, env, "get", "values", name, "-n", namespace
            )
            assert values == {"greeting": "again"}
