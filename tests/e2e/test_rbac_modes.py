"""The two RBAC modes of manifests/, end to end: `kubectl apply -k`, then `steersman run` with the
Deployment's own arguments, authenticated as its ServiceAccount (a TokenRequest token), so the
apiserver checks exactly the RBAC we ship.

- default (`manifests/`): cluster-admin; a HelmRelease without serviceAccountName installs.
- locked-down (`manifests/locked-down`): least privilege plus --default-service-account=default;
  the release acts as its namespace's `default` account, so it installs once a namespace admin
  grants that account rights, and until then its condition names the account.

Each operator watches only its test's namespace (`--namespace`, added to the Deployment's
arguments), so tests never see each other's HelmReleases.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.operatorkit import OperatorProcess
from hack.testkit.install import (
    LOCKED_DOWN,
    MANIFESTS,
    kubectl,
    kustomize,
    remove_cluster_admin_binding,
    role_for_the_demo_chart,
    start_as_deployment,
    the_deployment,
)
from steersman.kube import KubeClient
from tests.e2e.support import annotate, condition, create, get, records, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@pytest.fixture
async def installed(
    e2e_kube: KubeClient, crd: None, tmp_path: Path
) -> AsyncIterator[list[OperatorProcess]]:
    """Cleans up after a test: stops its operators and removes the default mode's cluster-admin
    binding (the apiserver is shared by the whole session)."""
    await remove_cluster_admin_binding(e2e_kube)
    started: list[OperatorProcess] = []
    yield started
    for op in started:
        op.stop()
        print(f"--- operator log ({op.log_path}) ---\n{op.log()[-6000:]}")
    await remove_cluster_admin_binding(e2e_kube)


async def install(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    folder: Path,
    namespace: str,
    tmp_path: Path,
    started: list[OperatorProcess],
) -> OperatorProcess:
    kubectl(kubeconfig, "apply", "-k", str(folder), "--server-side", "--force-conflicts")
    deployment = the_deployment(kustomize(folder))
    op = await start_as_deployment(
        e2e_kube,
        kubeconfig,
        deployment,
        tmp_path / f"operator-{len(started)}.log",
        f"--namespace={namespace}",
    )
    started.append(op)
    await op.wait_ready(60)
    return op


async def test_default_mode_installs_a_helmrelease_without_service_account(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    chart_repo: str,
    tmp_path: Path,
    installed: list[OperatorProcess],
) -> None:
    await install(e2e_kube, kubeconfig, MANIFESTS, namespace, tmp_path, installed)
    await create(e2e_kube, namespace, "plain", spec(chart_repo))
    hr = await wait_condition(e2e_kube, namespace, "plain", within=90)
    assert not hr["spec"].get("serviceAccountName")
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "plain-config", namespace) is not None
    assert [
        r["metadata"]["labels"]["status"] for r in await records(e2e_kube, namespace, "plain")
    ] == ["deployed"]


async def test_locked_down_mode_installs_as_the_namespaces_default_account_once_granted(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    chart_repo: str,
    tmp_path: Path,
    installed: list[OperatorProcess],
) -> None:
    await install(e2e_kube, kubeconfig, LOCKED_DOWN, namespace, tmp_path, installed)
    # No controller-manager on the bench creates `default`: the namespace admin does here.
    await e2e_kube.create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}},
        namespace=namespace,
    )
    await create(e2e_kube, namespace, "tenant", spec(chart_repo))
    # The operator's own role may write ConfigMaps (release records, valuesFrom), yet the chart's
    # ConfigMap is refused: the release really acts as the account, which has no rights yet.
    hr = await wait_condition(
        e2e_kube, namespace, "tenant", "Ready", "False", current=False, within=90
    )
    ready = condition(hr, "Ready")
    assert ready is not None
    message = ready["message"]
    assert f"system:serviceaccount:{namespace}:default" in message or (
        f"service account {namespace}/default" in message
    ), message
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "tenant-config", namespace) is None

    # The namespace admin grants what the chart needs; the next reconcile installs.
    for obj in role_for_the_demo_chart(namespace, "default"):
        await e2e_kube.create(obj, namespace=namespace)
    await annotate(e2e_kube, namespace, "tenant", "helm.steersman.dev/reconcile")
    await wait_condition(e2e_kube, namespace, "tenant", within=90)
    cm = await e2e_kube.get("v1", "ConfigMap", "tenant-config", namespace)
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-name"] == "tenant"


async def test_locked_down_mode_names_the_missing_then_the_unauthorised_account(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    chart_repo: str,
    tmp_path: Path,
    installed: list[OperatorProcess],
) -> None:
    """Needs the i11-tenant controller change (impersonation failures as conditions)."""
    await install(e2e_kube, kubeconfig, LOCKED_DOWN, namespace, tmp_path, installed)
    await create(e2e_kube, namespace, "refused", spec(chart_repo))
    hr = await wait_condition(
        e2e_kube, namespace, "refused", "Ready", "False", "ServiceAccountNotFound", within=90
    )
    ready = condition(hr, "Ready")
    assert ready is not None
    assert ready["message"].startswith(f"service account {namespace}/default not found")
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "refused-config", namespace) is None
    assert await records(e2e_kube, namespace, "refused") == []

    # The account exists but may do nothing: refused again, naming it.
    await e2e_kube.create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "default"}},
        namespace=namespace,
    )
    hr = await wait_condition(
        e2e_kube, namespace, "refused", "Ready", "False", "AccessDenied", within=120
    )
    ready = condition(hr, "Ready")
    assert ready is not None
    assert f"service account {namespace}/default" in ready["message"]
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "refused-config", namespace) is None
    live = await get(e2e_kube, namespace, "refused")
    assert live["metadata"]["name"] == "refused"
