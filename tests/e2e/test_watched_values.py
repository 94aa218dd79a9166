"""valuesFrom ConfigMaps and Secrets carrying a watch label reconcile their HelmReleases within
seconds of a change; unlabelled ones wait for the interval (here an hour)."""

from __future__ import annotations

import asyncio
import base64
from typing import Any

import pytest

from hack.operatorkit import wait_until
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import create, get, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLUX_LABEL = {"reconcile.fluxcd.io/watch": "Enabled"}
OUR_LABEL = {"helm.steersman.dev/watch": "Enabled"}


def config_map(name: str, greeting: str, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels},
        "data": {"values.yaml": f"greeting: {greeting}\n"},
    }


def secret(name: str, greeting: str, labels: dict[str, str]) -> dict[str, Any]:
    encoded = base64.b64encode(f"greeting: {greeting}\n".encode()).decode()
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "labels": labels},
        "data": {"values.yaml": encoded},
    }


async def greeting(kube: KubeClient, namespace: str, release: str) -> str:
    live = await kube.get("v1", "ConfigMap", f"{release}-config", namespace)
    return str(live["data"]["greeting"])


async def test_watched_values_upgrade_within_seconds_unwatched_wait(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    sources = [
        config_map("flux-labelled", "one", FLUX_LABEL),
        secret("our-labelled", "one", OUR_LABEL),
        config_map("unlabelled", "one", {}),
    ]
    for obj in sources:
        await e2e_kube.create(obj, namespace=namespace)
    op = start_operator(namespace)
    await op.wait_ready()
    releases = {"flux-labelled": "ConfigMap", "our-labelled": "Secret", "unlabelled": "ConfigMap"}
    for name, kind in releases.items():
        body = spec(chart_repo, interval="1h", valuesFrom=[{"kind": kind, "name": name}])
        await create(e2e_kube, namespace, name, body)
    for name in releases:
        await wait_condition(e2e_kube, namespace, name)
        assert await greeting(e2e_kube, namespace, name) == "one"

    await e2e_kube.apply(config_map("flux-labelled", "two", FLUX_LABEL), namespace=namespace)
    await e2e_kube.apply(secret("our-labelled", "two", OUR_LABEL), namespace=namespace)
    await e2e_kube.apply(config_map("unlabelled", "two", {}), namespace=namespace)

    for name in ("flux-labelled", "our-labelled"):

        async def upgraded(release: str = name) -> bool:
            return await greeting(e2e_kube, namespace, release) == "two"

        await wait_until(upgraded, 20, f"{name}: the upgrade after its values changed")
        hr = await wait_condition(e2e_kube, namespace, name, reason="UpgradeSucceeded")
        assert hr["status"]["history"][0]["version"] == 2

    # The unwatched one is read at its interval (an hour away): still the first revision.
    await asyncio.sleep(5)
    assert await greeting(e2e_kube, namespace, "unlabelled") == "one"
    hr = await get(e2e_kube, namespace, "unlabelled")
    assert hr["status"]["history"][0]["version"] == 1

    # A label-only change of a watched object wakes the HelmRelease, which finds the values
    # unchanged and writes no new revision.
    await e2e_kube.apply(
        config_map("flux-labelled", "two", {**FLUX_LABEL, "note": "x"}), namespace=namespace
    )
    await asyncio.sleep(5)
    hr = await get(e2e_kube, namespace, "flux-labelled")
    assert hr["status"]["history"][0]["version"] == 2
    log = op.log()
    assert f"ConfigMap {namespace}/flux-labelled changed: reconciling" in log
    assert f"Secret {namespace}/our-labelled changed: reconciling" in log
    assert f"{namespace}/unlabelled changed" not in log
    assert base64.b64encode(b"greeting: two\n").decode() not in log  # metadata-only watch
