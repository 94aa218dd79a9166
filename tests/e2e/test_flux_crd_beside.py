"""Flux's HelmRelease CRD installed beside ours (a cluster moving over from Flux).

Both kinds are `HelmRelease` with the short name `hr`. What we decided, and test here:
- each controller sees only its own group: the operator never touches a Flux HelmRelease, even
  one with the same name and namespace as ours;
- `kubectl get hr` / `helmreleases` resolve to Steersman's (kubectl orders CRD groups of equal
  priority by name, and helm.steersman.dev sorts before helm.toolkit.fluxcd.io) and kubectl
  warns that "hr" could also match Flux's; Flux's are reached as `hr.helm.toolkit.fluxcd.io`;
- `shr` and the `steersman` category always mean ours, whatever else is installed.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hack.testenv import kubectl_binary
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import create, get, records, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FLUX_GROUP = "helm.toolkit.fluxcd.io"
FLUX_API = f"{FLUX_GROUP}/v2"


def flux_crd() -> dict[str, Any]:
    """Enough of Flux's CRD for discovery and kubectl: its names block, an open schema."""
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"helmreleases.{FLUX_GROUP}"},
        "spec": {
            "group": FLUX_GROUP,
            "names": {
                "kind": "HelmRelease",
                "listKind": "HelmReleaseList",
                "plural": "helmreleases",
                "singular": "helmrelease",
                "shortNames": ["hr"],
                "categories": ["all", "fluxcd"],
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v2",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


@pytest.fixture
async def flux_installed(e2e_kube: KubeClient) -> AsyncIterator[None]:
    await e2e_kube.apply(flux_crd())
    try:
        for _ in range(100):  # established: the apiserver serves the new group
            try:
                await e2e_kube.list(FLUX_API, "HelmRelease", "default")
                break
            except Exception:
                await asyncio.sleep(0.1)
        yield
    finally:
        await e2e_kube.delete(
            "apiextensions.k8s.io/v1", "CustomResourceDefinition", f"helmreleases.{FLUX_GROUP}"
        )


def kubectl(kubeconfig: Path, cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # A discovery cache of its own: one filled by an earlier test (before Flux's CRD existed)
    # would resolve `hr` without seeing Flux's kind.
    argv = [str(kubectl_binary()), "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache)]
    argv += args
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)


def names(listing: str) -> list[str]:
    return [item["metadata"]["name"] for item in json.loads(listing)["items"]]


async def test_flux_helmreleases_are_left_alone_and_hr_means_ours(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    flux_installed: None,
    kubeconfig: Path,
    tmp_path: Path,
) -> None:
    flux_hr = {
        "apiVersion": FLUX_API,
        "kind": "HelmRelease",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {"interval": "5m", "chart": {"spec": {"chart": "demo"}}},
    }
    await e2e_kube.create(flux_hr, namespace=namespace)
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "web", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "web")
    assert await get(e2e_kube, namespace, "web")
    assert [r["metadata"]["labels"]["status"] for r in await records(e2e_kube, namespace, "web")]

    # The operator watched only its own group: Flux's object has no finalizer, no status.
    flux_live = await e2e_kube.get(FLUX_API, "HelmRelease", "web", namespace)
    assert not flux_live["metadata"].get("finalizers")
    assert "status" not in flux_live

    ns = ["-n", namespace, "-o", "json"]
    short = kubectl(kubeconfig, tmp_path, "get", "hr", *ns)
    assert names(short.stdout) == ["web"]
    assert json.loads(short.stdout)["items"][0]["apiVersion"].startswith("helm.steersman.dev/")
    assert 'short name "hr" could also match' in short.stderr  # kubectl says it is ambiguous
    for ours in ("shr", "helmreleases.helm.steersman.dev", "steersman"):
        listed = kubectl(kubeconfig, tmp_path, "get", ours, *ns)
        assert json.loads(listed.stdout)["items"][0]["apiVersion"].startswith(
            "helm.steersman.dev/"
        ), ours
        assert "could also match" not in listed.stderr
    theirs = kubectl(kubeconfig, tmp_path, "get", f"hr.{FLUX_GROUP}", *ns)
    assert [i["apiVersion"] for i in json.loads(theirs.stdout)["items"]] == [FLUX_API]
