"""`kubectl apply -k manifests` (and `manifests/locked-down`) on the real apiserver, with kubectl
1.33 and its built-in kustomize: no flags beyond the apply mode, every object created."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from hack.testkit.install import (
    LOCKED_DOWN,
    MANIFESTS,
    RBAC,
    kubectl,
    kustomize,
    manager_container,
    remove_cluster_admin_binding,
)
from steersman.kube import KubeClient

pytestmark = pytest.mark.integration

EXPECTED = [
    (
        "apiextensions.k8s.io/v1",
        "CustomResourceDefinition",
        "helmreleases.helm.steersman.dev",
        None,
    ),
    ("v1", "Namespace", "steersman-system", None),
    ("v1", "ServiceAccount", "steersman", "steersman-system"),
    (RBAC, "ClusterRole", "steersman-manager", None),
    (RBAC, "ClusterRoleBinding", "steersman-manager", None),
    (RBAC, "Role", "steersman-leader-election", "steersman-system"),
    (RBAC, "RoleBinding", "steersman-leader-election", "steersman-system"),
    ("apps/v1", "Deployment", "steersman", "steersman-system"),
]
CLUSTER_ADMIN = (RBAC, "ClusterRoleBinding", "steersman-cluster-admin", None)


@pytest.fixture
async def clean(kube: KubeClient) -> AsyncIterator[None]:
    await remove_cluster_admin_binding(kube)
    yield
    await remove_cluster_admin_binding(kube)


def applied_by_kubectl(obj: dict[str, Any]) -> bool:
    return any(
        m.get("manager") == "kubectl" and m.get("operation") == "Apply"
        for m in obj["metadata"].get("managedFields") or []
    )


async def established(kube: KubeClient) -> bool:
    for _ in range(100):
        crd = await kube.get(*EXPECTED[0][:3])
        conds = {c["type"]: c["status"] for c in (crd.get("status") or {}).get("conditions") or []}
        if conds.get("Established") == "True":
            return True
        await asyncio.sleep(0.1)
    return False


async def test_plain_apply_k_creates_crd_namespace_rbac_and_deployment(
    kube: KubeClient, kubeconfig: Path, clean: None
) -> None:
    out = kubectl(kubeconfig, "apply", "-k", str(MANIFESTS), "--server-side")
    assert "deployment.apps/steersman serverside-applied" in out
    for api_version, kind, name, namespace in [*EXPECTED, CLUSTER_ADMIN]:
        live = await kube.get(api_version, kind, name, namespace)
        assert applied_by_kubectl(live), f"{kind} {name} was not server-side applied by kubectl"
    assert await established(kube)
    admin = await kube.get(*CLUSTER_ADMIN[:3])
    assert admin["roleRef"]["name"] == "cluster-admin"
    live = await kube.get("apps/v1", "Deployment", "steersman", "steersman-system")
    built = manager_container(next(o for o in kustomize(MANIFESTS) if o["kind"] == "Deployment"))
    assert manager_container(live)["args"] == built["args"]
    assert built["args"][0] == "run"

    # Applying again is a no-op, and the literal `kubectl apply -k manifests` works too.
    kubectl(kubeconfig, "apply", "-k", str(MANIFESTS), "--server-side")
    kubectl(kubeconfig, "apply", "-k", str(MANIFESTS))


async def test_locked_down_apply_k_has_no_cluster_admin_binding(
    kube: KubeClient, kubeconfig: Path, clean: None
) -> None:
    kubectl(kubeconfig, "apply", "-k", str(LOCKED_DOWN), "--server-side")
    for api_version, kind, name, namespace in EXPECTED:
        assert applied_by_kubectl(await kube.get(api_version, kind, name, namespace))
    assert await kube.get_or_none(*CLUSTER_ADMIN[:3]) is None
    live = await kube.get("apps/v1", "Deployment", "steersman", "steersman-system")
    args = manager_container(live)["args"]
    assert "--default-service-account=default" in args
    assert "--no-cross-namespace-refs" in args
    assert "--allow-cross-namespace-releases" not in args
