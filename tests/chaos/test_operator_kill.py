"""kill -9 of the operator during 20 concurrent upgrades, at three moments: right after the
upgrades start, mid-way, and near the end; with Secret and with SQL storage.

A killed operator leaves `pending-upgrade` records behind; the next one must unlock them and
finish every upgrade, with each release's history intact (revisions 1..n, one deployed, the
newest) and readable by helm v4. Recovery is timed from the restart to all Ready.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

import hack.testenv as testenv
from hack.testenv import helm_env
from steersman.kube import KubeClient
from tests.chaos.conftest import StartOperators, marked_database
from tests.chaos.fleet import Fleet, record

pytestmark = [pytest.mark.chaos, pytest.mark.integration, pytest.mark.slow]

SIZE = 20
# When to kill: as the first upgrade is written (none done), mid-way, near the end.
MOMENTS = {"start": 0, "mid": SIZE // 2, "end": SIZE - 5}


@pytest.mark.parametrize("driver", ["secret", "sql"])
async def test_kill_during_concurrent_upgrades(
    driver: str,
    bench: testenv.TestBench,
    kube: KubeClient,
    shared_crd: None,
    namespace: str,
    chaos_repo: str,
    operators: StartOperators,
    helm_v4: Path,
    tmp_path: Path,
) -> None:
    markers = [bench.control_plane.token]
    args: list[str] = []
    env: dict[str, str] = {}
    dsn = ""
    if driver == "sql":
        db = await marked_database(bench.postgres_dsn)
        dsn, markers = db.dsn, [*markers, db.marker]
        args, env = ["--helm-storage-driver", "sql"], {"HELM_DRIVER_SQL_CONNECTION_STRING": dsn}
    kubeconfig = bench.control_plane.kubeconfig
    ops = operators(kubeconfig, namespace, *args, env=env)
    fleet = Fleet(
        kube, namespace, chaos_repo, SIZE, driver, dsn, helm_v4, helm_env(tmp_path, kubeconfig)
    )
    await ops.start()
    await fleet.create()
    await fleet.wait_ready()

    unlocked = 0
    for moment, done_before_kill in MOMENTS.items():
        await fleet.upgrade_all(moment)
        if done_before_kill == 0:
            await fleet.wait_pending()  # the first upgrade records are written
            done = await fleet.done()
        else:
            done = await fleet.wait_progress(done_before_kill)
        ops.kill()
        assert done < SIZE, f"all {SIZE} upgrades finished before the kill ({moment})"
        restarted = time.monotonic()
        await ops.start()
        ready = time.monotonic() - restarted
        await fleet.wait_ready()
        recovery = time.monotonic() - restarted
        failed = await fleet.check(markers, [ops.log()], every_history=moment == "end")
        record(
            f"operator kill -9 ({driver}, {moment}: {done}/{SIZE} upgraded at the kill): "
            f"all {SIZE} Ready {recovery:.1f} s after the restart "
            f"(operator ready at {ready:.1f} s); "
            f"{failed - unlocked} interrupted upgrade(s) unlocked and redone"
        )
        unlocked = failed
