"""Waiting on chart repositories never starves other HelmReleases (issue 11 point 5).

With `--concurrent 2`, four HelmReleases point at repositories that accept connections and
never answer (two say nothing at all, two send headers and stall mid-body) while a fifth, healthy
one is created: it must be Ready long before the stuck ones reach their own `spec.timeout`, and
the stuck ones must then say which repository did not answer and within which timeout, without
the repository password.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator

import pytest

from hack.operatorkit import wait_until
from hack.testkit.chart_servers import BlackHole
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]

STUCK_TIMEOUT = 25.0  # spec.timeout of the stuck HelmReleases, below the 30 s read timeout


@pytest.fixture
async def black_holes() -> AsyncIterator[list[BlackHole]]:
    holes = [BlackHole(), BlackHole(headers=True)]
    for hole in holes:
        await hole.start()
    yield holes
    for hole in holes:
        await hole.stop()


async def test_unresponsive_repositories_do_not_starve_a_healthy_release(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    black_holes: list[BlackHole],
) -> None:
    password = "pw-" + secrets.token_hex(8)
    await e2e_kube.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "repo-auth"},
            "stringData": {"username": "reader", "password": password},
        },
        namespace=namespace,
    )
    op = start_operator(namespace, "--concurrent", "2")
    await op.wait_ready()
    stuck = {}
    for i in range(4):
        hole = black_holes[i % 2]
        stuck[f"stuck-{i}"] = hole
        chart = {
            "repository": hole.oci_url,
            "name": "demo",
            "insecure": True,
            "secretRef": {"name": "repo-auth"},
        }
        await create(
            e2e_kube, namespace, f"stuck-{i}", {"chart": chart, "timeout": f"{STUCK_TIMEOUT:g}s"}
        )

    # All four wait on the network at once: none of them holds one of the two slots.
    async def all_connected() -> bool:
        return sum(h.accepted for h in black_holes) >= 4

    await wait_until(all_connected, 30, "four fetches connected to the black holes")
    loop = asyncio.get_running_loop()
    started = loop.time()
    await create(e2e_kube, namespace, "healthy", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "healthy", within=STUCK_TIMEOUT)
    took = loop.time() - started
    print(f"healthy HelmRelease Ready after {took:.1f} s beside four stuck fetches")
    assert took < STUCK_TIMEOUT / 2, f"healthy release took {took:.1f} s"
    for name in stuck:  # the stuck ones are still waiting: the healthy one did not queue
        hr = await e2e_kube.get(API_VERSION, KIND, name, namespace)
        ready = condition(hr, "Ready")
        assert ready is None or ready["reason"] != "ArtifactFailed", name

    for name, hole in stuck.items():
        hr = await wait_condition(
            e2e_kube, namespace, name, "Ready", "False", "ArtifactFailed", within=60
        )
        ready = condition(hr, "Ready")
        assert ready is not None
        message = ready["message"]
        assert f"127.0.0.1:{hole.port}" in message, message
        assert f"timeout of {STUCK_TIMEOUT:g}s" in message, message
        assert password not in message and "reader" not in message
    everything = json.dumps(await e2e_kube.list(API_VERSION, KIND, namespace))
    events = json.dumps(await e2e_kube.list("v1", "Event", namespace))
    for text in (everything, events, op.log()):
        assert password not in text
