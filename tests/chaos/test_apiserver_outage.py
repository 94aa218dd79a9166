"""The kube-apiserver killed for 30 s (then restarted on the same port and etcd), and frozen
with SIGSTOP for 30 s, while 10 upgrades are under way. The module has a control plane of its
own, so the session bench never sees these faults.

After each: every upgrade finishes with intact histories; the recovery is timed from the moment
the apiserver serves again to all Ready. Then one more change is timed from the patch to Ready:
kopf's watch must be back by then (its default retry delays left it ~15 s behind).
"""

from __future__ import annotations

import asyncio
import secrets
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

import hack.testenv as testenv
from hack.testenv import helm_env
from steersman.kube import KubeClient, KubeError
from tests.chaos.conftest import StartOperators
from tests.chaos.fleet import Fleet, record

pytestmark = [pytest.mark.chaos, pytest.mark.integration, pytest.mark.slow]

SIZE = 10
OUTAGE = 30.0
PICKUP_WITHIN = 6.0  # a change after the outage; kopf's defaults took ~15 s


async def _retrying(call: Callable[[], Awaitable[float]]) -> float:
    """Our own client may hold connections the restarted apiserver dropped: retry those."""
    for _ in range(20):
        try:
            return await call()
        except KubeError:
            await asyncio.sleep(0.2)
    return await call()


async def test_apiserver_killed_then_frozen_during_upgrades(
    private_bench: testenv.TestBench,
    private_kube: KubeClient,
    chaos_repo: str,
    operators: StartOperators,
    helm_v4: Path,
    tmp_path: Path,
) -> None:
    plane = private_bench.control_plane
    namespace = f"chaos-{secrets.token_hex(3)}"
    await private_kube.create(
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace}}
    )
    ops = operators(plane.kubeconfig, namespace)
    fleet = Fleet(
        private_kube,
        namespace,
        chaos_repo,
        SIZE,
        helm_binary=helm_v4,
        helm_env=helm_env(tmp_path, plane.kubeconfig),
    )
    await ops.start()
    await fleet.create()
    await fleet.wait_ready()

    async def fault(kind: str, start: Callable[[], None], end: Callable[[], None]) -> None:
        await fleet.upgrade_all(kind)
        done = await fleet.wait_progress(1)  # the upgrades are under way
        start()
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(end)  # returns once /readyz answers
        back = time.monotonic()
        await fleet.wait_ready()
        recovery = time.monotonic() - back
        pickup = await _retrying(lambda: fleet.upgrade_one("r00", f"after-{kind}"))
        await fleet.check([plane.token], [ops.log()])
        record(
            f"kube-apiserver {kind} for {OUTAGE:.0f} s ({done}/{SIZE} upgraded before): "
            f"all {SIZE} Ready {recovery:.1f} s after it served again; "
            f"next change picked up and Ready in {pickup:.1f} s"
        )
        assert pickup < PICKUP_WITHIN

    await fault("killed", plane.kill_apiserver, plane.start_apiserver)
    await fault(
        "frozen",
        lambda: plane.signal_apiserver(signal.SIGSTOP),
        lambda: _resume(plane),
    )


def _resume(plane: testenv.ControlPlane) -> None:
    plane.signal_apiserver(signal.SIGCONT)
    plane.wait_apiserver(30)
