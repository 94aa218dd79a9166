"""Taking over a release Flux installed (docs/migrating-from-flux.md): Flux's helm-controller
writes standard Helm release Secrets, so such a release is a helm-made release with Flux's labels.
The real helm binary installs it, the record gets Flux's labels, `steersman convert` turns the
Flux manifests into our HelmRelease, and the operator continues the history with revision 2.
Argo CD's health check (manifests/argocd/health.lua) is run on the live object on the way."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import get, record_states, records, wait_condition
from tests.unit.test_argocd_health import health

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.interop]

FLUX_LABELS = ("helm.toolkit.fluxcd.io/name", "helm.toolkit.fluxcd.io/namespace")


def flux_manifests(namespace: str, chart_repo: str) -> str:
    """What the user's Git repository holds for the release Flux manages."""
    repository = {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "HelmRepository",
        "metadata": {"name": "demo-charts", "namespace": namespace},
        "spec": {"interval": "5m", "type": "oci", "url": chart_repo, "insecure": True},
    }
    release = {
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "web", "namespace": namespace},
        "spec": {
            "interval": "1m",
            "timeout": "30s",
            "chart": {
                "spec": {
                    "chart": "demo",
                    "version": "0.1.0",
                    "sourceRef": {"kind": "HelmRepository", "name": "demo-charts"},
                }
            },
            "values": {"greeting": "from git"},
        },
    }
    return yaml.safe_dump_all([repository, release])


def steersman_convert(manifests: str) -> dict[str, object]:
    exe = shutil.which("steersman", path=str(Path(sys.executable).parent))
    assert exe is not None
    res = subprocess.run(
        [exe, "convert", "-"], input=manifests, capture_output=True, text=True, timeout=60
    )
    assert res.returncode == 0, res.stderr
    (body,) = list(yaml.safe_load_all(res.stdout))
    return dict(body)


@pytest.mark.parametrize("helm_major", [3, 4])
async def test_a_release_flux_installed_is_upgraded_to_revision_2(
    request: pytest.FixtureRequest,
    helm_major: int,
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    helm_env: dict[str, str],
) -> None:
    helm: Path = request.getfixturevalue(f"helm_v{helm_major}")
    chart = f"{chart_repo}/demo"
    installed = await asyncio.to_thread(
        subprocess.run,
        [str(helm), "install", "web", chart, "--version", "0.1.0", "--plain-http", "-n", namespace],
        env=helm_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert installed.returncode == 0, installed.stderr
    (record,) = await records(e2e_kube, namespace, "web")
    labels = {FLUX_LABELS[0]: "web", FLUX_LABELS[1]: namespace}
    await e2e_kube.merge_patch(
        "v1", "Secret", record["metadata"]["name"], namespace, {"metadata": {"labels": labels}}
    )

    converted = steersman_convert(flux_manifests(namespace, chart_repo))
    await e2e_kube.create(converted, namespace=namespace)
    # Argo CD's view (manifests/argocd/health.lua) of the live object, before and after.
    assert health(await get(e2e_kube, namespace, "web"))[0] == "Progressing"
    start_operator(namespace)

    hr = await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded")
    assert hr["status"]["history"][0]["version"] == 2
    assert record_states(await records(e2e_kube, namespace, "web")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]
    # helm itself sees one continued history, with the values from Git applied.
    history = await asyncio.to_thread(
        subprocess.run,
        [str(helm), "history", "web", "-n", namespace, "-o", "json"],
        env=helm_env,
        capture_output=True,
        text=True,
    )
    assert [(h["revision"], h["status"]) for h in json.loads(history.stdout)] == [
        (1, "superseded"),
        (2, "deployed"),
    ]
    configmap = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert configmap["data"]["greeting"] == "from git"
    live = await get(e2e_kube, namespace, "web")
    assert live["spec"]["upgrade"]["crds"] == "Skip"
    ready = next(c for c in live["status"]["conditions"] if c["type"] == "Ready")
    assert health(live) == ("Healthy", ready["message"])
    assert ready["message"].startswith(f"Helm upgrade succeeded for release {namespace}/web.v2")
