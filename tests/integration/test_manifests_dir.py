"""Every plain manifest under manifests/ is accepted by the apiserver (server-side dry-run), the
kustomizations ship what they should, and the manager role is least-privilege.

`kubectl kustomize` is the oracle for what `kubectl apply -k` sends; the chart under
manifests/chart/ has its own tests (test_manifests_chart.py).
"""

from __future__ import annotations

import asyncio
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack import gen_crds
from hack.testenv import kubectl_binary
from steersman.kube import Forbidden, KubeClient, UnknownKind

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "manifests"
BASE = MANIFESTS / "base"
CRD = ROOT / "crds" / "helm.steersman.dev_helmreleases.yaml"


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def all_manifest_files() -> list[Path]:
    chart = MANIFESTS / "chart"
    return sorted(
        p
        for p in MANIFESTS.rglob("*.yaml")
        if p.name != "kustomization.yaml" and chart not in p.parents
    )


def kustomize(folder: Path) -> list[dict[str, Any]]:
    """What `kubectl apply -k folder` would send, as kubectl itself builds it."""
    out = subprocess.run(
        [str(kubectl_binary()), "kustomize", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [d for d in yaml.safe_load_all(out) if d]


def kinds_and_names(objects: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {(o["kind"], o["metadata"]["name"]) for o in objects}


def container_args(objects: list[dict[str, Any]]) -> list[str]:
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    return list(deployment["spec"]["template"]["spec"]["containers"][0]["args"])


async def apply_retrying(kube: KubeClient, obj: dict[str, Any], **kw: Any) -> dict[str, Any]:
    for _ in range(100):  # a freshly created CRD is served a moment later
        try:
            return await kube.apply(obj, **kw)
        except UnknownKind:
            kube.discovery.invalidate()
            await asyncio.sleep(0.1)
    return await kube.apply(obj, **kw)


@pytest.fixture(scope="module")
async def prerequisites(kube: KubeClient) -> None:
    for obj in docs(CRD):
        await kube.apply(obj)
    for name in ("steersman-system", "team-a", "argocd"):  # argocd: manifests/argocd/argocd-cm
        await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


@pytest.mark.parametrize("path", all_manifest_files(), ids=lambda p: str(p.relative_to(ROOT)))
async def test_manifest_passes_server_side_dry_run(
    kube: KubeClient, prerequisites: None, path: Path
) -> None:
    objects = docs(path)
    assert objects, f"{path} holds no objects"
    for obj in objects:
        out = await apply_retrying(kube, obj, dry_run=True)
        assert out["kind"] == obj["kind"]
        assert out["metadata"]["name"] == obj["metadata"]["name"]


SHARED = {
    ("CustomResourceDefinition", "helmreleases.helm.steersman.dev"),
    ("Namespace", "steersman-system"),
    ("ServiceAccount", "steersman"),
    ("ClusterRole", "steersman-manager"),
    ("ClusterRoleBinding", "steersman-manager"),
    ("Role", "steersman-leader-election"),
    ("RoleBinding", "steersman-leader-election"),
    ("Deployment", "steersman"),
}


def test_default_kustomization_is_the_base_plus_cluster_admin() -> None:
    objects = kustomize(MANIFESTS)
    assert kinds_and_names(objects) == SHARED | {("ClusterRoleBinding", "steersman-cluster-admin")}
    (admin,) = [o for o in objects if o["metadata"]["name"] == "steersman-cluster-admin"]
    assert admin["roleRef"]["name"] == "cluster-admin"
    assert admin["subjects"] == [
        {"kind": "ServiceAccount", "name": "steersman", "namespace": "steersman-system"}
    ]
    args = container_args(objects)
    assert args[0] == "run"
    assert not any(a.startswith("--default-service-account") for a in args)
    assert "--allow-cross-namespace-releases" in args  # Flux's reach: any namespace
    # The CRD shipped is the generated one (the copy under base/ is kept current by gen_crds).
    (crd,) = [o for o in objects if o["kind"] == "CustomResourceDefinition"]
    assert crd == docs(CRD)[0]


def test_locked_down_kustomization_drops_cluster_admin_and_impersonates() -> None:
    objects = kustomize(MANIFESTS / "locked-down")
    assert kinds_and_names(objects) == SHARED
    args = container_args(objects)
    assert args[0] == "run"
    assert "--default-service-account=default" in args
    assert "--no-cross-namespace-refs" in args


def test_every_base_file_is_in_the_base_kustomization() -> None:
    listed = {
        (BASE / r).resolve()
        for r in yaml.safe_load((BASE / "kustomization.yaml").read_text())["resources"]
    }
    on_disk = {p.resolve() for p in BASE.rglob("*.yaml") if p.name != "kustomization.yaml"}
    assert listed == on_disk
    assert (BASE / "crds" / CRD.name).resolve() in listed
    assert (BASE / "crds" / CRD.name) in gen_crds.CRD_COPIES


async def test_manager_role_is_enough_for_the_operator_and_no_more(
    kube: KubeClient, prerequisites: None, namespace: str
) -> None:
    for name in ("clusterrole.yaml", "clusterrolebinding.yaml", "serviceaccount.yaml"):
        for obj in docs(BASE / name):
            await kube.apply(obj)
    manager = kube.impersonate("steersman-system", "steersman")
    for _ in range(50):  # RBAC reaches the authorizer cache shortly after
        try:
            await manager.list("helm.steersman.dev/v1alpha1", "HelmRelease", None)
            break
        except Forbidden:
            await asyncio.sleep(0.1)
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "sh.helm.release.v1.x.v1"}}
    await manager.apply(secret, namespace=namespace)  # release records
    await manager.list("v1", "ConfigMap", namespace)  # valuesFrom
    # Telling a missing service account from one without rights.
    assert await manager.get_or_none("v1", "ServiceAccount", "nobody", namespace) is None
    with pytest.raises(Forbidden):  # charts' objects need an impersonated account
        await manager.apply(
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "s"},
                "spec": {"ports": [{"port": 80}]},
            },
            namespace=namespace,
        )
    with pytest.raises(Forbidden):
        await manager.list("rbac.authorization.k8s.io/v1", "ClusterRole", None)
