"""The operator's chart installed on the bench by the real helm v4, then `steersman run` started
with exactly the installed Deployment's arguments and environment (the DSN read from the Secret
the chart made), as the chart's ServiceAccount: it must become ready (/readyz) and reconcile.

Each release watches only its test's namespace (`watch.namespaces`), so its operator never
touches other tests' HelmReleases, and none is called `steersman`: that release's cluster-scoped
names (`steersman-manager`, ...) are the kustomize install's, which other tests apply.

The defaults test needs the leader-election flags of branch i10-ha: before that merge
`steersman run` exits 2 on `--leader-elect`.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack.operatorkit import OperatorProcess, push_chart
from hack.testkit.install import (
    CHART,
    RBAC,
    role_for_the_demo_chart,
    start_as_deployment,
)
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import create, records, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.interop, pytest.mark.slow]

SINGLE = {"replicas": 1, "leaderElection": {"enabled": False}, "gracefulShutdownTimeout": ""}

Install = Callable[[str, dict[str, Any]], dict[str, Any]]


@pytest.fixture
def helm_install(helm_v4: Path, helm_env: dict[str, str], namespace: str, tmp_path: Path) -> Any:
    """`helm install` of the chart into the test's namespace; uninstalled afterwards (its
    cluster-scoped roles and bindings would otherwise outlive the test)."""
    installed: list[str] = []

    def helm(*args: str) -> str:
        proc = subprocess.run(
            [str(helm_v4), *args], capture_output=True, text=True, env=helm_env, timeout=180
        )
        assert proc.returncode == 0, f"helm {' '.join(args)}:\n{proc.stderr}"
        return proc.stdout

    def install(release: str, values: dict[str, Any]) -> None:
        path = tmp_path / f"{release}-values.yaml"
        path.write_text(yaml.safe_dump({"watch": {"namespaces": [namespace]}, **values}))
        helm("install", release, str(CHART), "--namespace", namespace, "-f", str(path))
        installed.append(release)

    yield install
    for release in installed:
        helm("uninstall", release, "--namespace", namespace)


@pytest.fixture
async def operators() -> AsyncIterator[list[OperatorProcess]]:
    started: list[OperatorProcess] = []
    yield started
    for op in started:
        op.stop()
        print(f"--- operator log ({op.log_path}) ---\n{op.log()[-6000:]}")


async def run_installed(
    kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    name: str,
    tmp_path: Path,
    started: list[OperatorProcess],
) -> tuple[dict[str, Any], OperatorProcess]:
    deployment = await kube.get("apps/v1", "Deployment", name, namespace)
    op = await start_as_deployment(
        kube, kubeconfig, deployment, tmp_path / f"operator-{len(started)}.log"
    )
    started.append(op)
    await op.wait_ready(60)
    return deployment, op


async def test_default_values_start_the_operator_with_leader_election(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    crd: None,
    helm_install: Any,
    operators: list[OperatorProcess],
    tmp_path: Path,
) -> None:
    """Needs branch i10-ha (the --leader-elect flags)."""
    helm_install("ops", {})
    deployment, _ = await run_installed(
        e2e_kube, kubeconfig, namespace, "ops-steersman", tmp_path, operators
    )
    assert deployment["spec"]["replicas"] == 2
    assert "--leader-elect" in deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    # policy/v1 does not exist on the bench's 1.20: the chart fell back to v1beta1.
    pdb = await e2e_kube.get("policy/v1beta1", "PodDisruptionBudget", "ops-steersman", namespace)
    assert pdb["spec"]["minAvailable"] == 1
    assert await e2e_kube.get_or_none(RBAC, "Role", "ops-steersman-leader-election", namespace)


async def test_single_replica_cluster_admin_installs_without_service_account(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    crd: None,
    chart_repo: str,
    helm_install: Any,
    operators: list[OperatorProcess],
    tmp_path: Path,
) -> None:
    helm_install("ops", SINGLE)
    deployment, _ = await run_installed(
        e2e_kube, kubeconfig, namespace, "ops-steersman", tmp_path, operators
    )
    template = deployment["spec"]["template"]["spec"]
    assert template["serviceAccountName"] == "ops-steersman"
    assert deployment["spec"]["strategy"]["type"] == "Recreate"
    assert await e2e_kube.get_or_none(RBAC, "ClusterRoleBinding", "ops-steersman-cluster-admin")
    # One replica: no PodDisruptionBudget that would block every node drain.
    pdb = await e2e_kube.get_or_none(
        "policy/v1beta1", "PodDisruptionBudget", "ops-steersman", namespace
    )
    assert pdb is None

    await create(e2e_kube, namespace, "plain", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "plain", within=90)
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "plain-config", namespace) is not None


async def test_locked_down_sql_reads_the_dsn_secret_and_installs_as_the_granted_account(
    e2e_kube: KubeClient,
    kubeconfig: Path,
    namespace: str,
    crd: None,
    chart_repo: str,
    pg_database: str,
    helm_install: Any,
    operators: list[OperatorProcess],
    tmp_path: Path,
) -> None:
    helm_install(
        "tenants",
        {
            **SINGLE,
            "rbac": {"mode": "locked-down", "defaultServiceAccount": "deployer"},
            "storage": {"driver": "sql", "sql": {"connectionString": pg_database}},
        },
    )
    name = "tenants-steersman"
    assert await e2e_kube.get_or_none(RBAC, "ClusterRoleBinding", f"{name}-cluster-admin") is None
    # The operator starts only if the DSN from the chart's Secret reaches PostgreSQL.
    deployment, _ = await run_installed(e2e_kube, kubeconfig, namespace, name, tmp_path, operators)
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert "--default-service-account=deployer" in args
    assert pg_database not in str(deployment)  # the DSN stays in the Secret

    await e2e_kube.create(
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer"}},
        namespace=namespace,
    )
    for obj in role_for_the_demo_chart(namespace, "deployer"):
        await e2e_kube.create(obj, namespace=namespace)
    await create(e2e_kube, namespace, "tenant", spec(chart_repo))
    hr = await wait_condition(e2e_kube, namespace, "tenant", within=90)
    assert hr["status"]["storage"]["driver"] == "sql"
    assert await records(e2e_kube, namespace, "tenant") == []  # not in Secrets: in PostgreSQL


@pytest.fixture(scope="module")
def operator_chart_repo(helm_v4: Path, helm_env: dict[str, str], oci_registry: str) -> str:
    """The operator's chart packaged and pushed to the bench's OCI registry."""
    return push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"], chart_dir=CHART)


async def test_steersman_installs_its_own_chart_and_helm_reads_the_release(
    e2e_kube: KubeClient,
    namespace: str,
    operator_chart_repo: str,
    start_operator: StartOperator,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> None:
    """The engine renders the chart against the live apiserver (policy/v1 is not served on 1.20,
    so `.Capabilities` must come from discovery) and writes a record helm v4 can uninstall."""
    op = start_operator(namespace)
    await op.wait_ready()
    values = {"watch": {"namespaces": [namespace]}, "podDisruptionBudget": {"minAvailable": 1}}
    body = {
        "chart": {
            "repository": operator_chart_repo,
            "name": "steersman",
            "version": "0.1.0",
            "insecure": True,
        },
        "interval": "1m",
        "timeout": "30s",
        # The bench runs no kubelet: the Deployment never becomes available.
        "install": {"disableWait": True},
        "values": values,
    }
    await create(e2e_kube, namespace, "inner", body)
    await wait_condition(e2e_kube, namespace, "inner", within=90)
    deployment = await e2e_kube.get("apps/v1", "Deployment", "inner-steersman", namespace)
    assert deployment["spec"]["replicas"] == 2
    pdb = await e2e_kube.get("policy/v1beta1", "PodDisruptionBudget", "inner-steersman", namespace)
    assert pdb["metadata"]["annotations"]["meta.helm.sh/release-name"] == "inner"
    binding = "inner-steersman-cluster-admin"
    assert await e2e_kube.get_or_none(RBAC, "ClusterRoleBinding", binding)

    op.stop()  # so that the uninstall below is helm's alone
    helm = [str(helm_v4), "--namespace", namespace]
    run = await asyncio.to_thread(
        subprocess.run, [*helm, "uninstall", "inner"], capture_output=True, text=True, env=helm_env
    )
    assert run.returncode == 0, run.stderr
    assert await e2e_kube.get_or_none(RBAC, "ClusterRoleBinding", binding) is None
    assert await e2e_kube.get_or_none("apps/v1", "Deployment", "inner-steersman", namespace) is None
