"""Every file under manifests/ is accepted by the apiserver (server-side dry-run), the
kustomization lists them, and the manager role is least-privilege."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from steersman.kube import Forbidden, KubeClient, UnknownKind

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "manifests"
CRD = ROOT / "crds" / "helm.steersman.dev_helmreleases.yaml"


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def all_manifest_files() -> list[Path]:
    return sorted(p for p in MANIFESTS.rglob("*.yaml") if p.name != "kustomization.yaml")


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
    for name in ("steersman-system", "team-a"):
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


def test_kustomization_lists_the_install_set() -> None:
    listed = {
        (MANIFESTS / r).resolve()
        for r in yaml.safe_load((MANIFESTS / "kustomization.yaml").read_text())["resources"]
    }
    assert all(p.exists() for p in listed)
    top_level = {p.resolve() for p in MANIFESTS.glob("*.yaml") if p.name != "kustomization.yaml"}
    # deployer.yaml (cluster-admin) is deliberately opt-in.
    assert top_level - listed == {(MANIFESTS / "deployer.yaml").resolve()}
    assert CRD.resolve() in listed


async def test_manager_role_is_enough_for_the_operator_and_no_more(
    kube: KubeClient, prerequisites: None, namespace: str
) -> None:
    for name in ("clusterrole.yaml", "clusterrolebinding.yaml", "serviceaccount.yaml"):
        for obj in docs(MANIFESTS / name):
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
