"""Two tenants on the bench, and an operator running with only the shipped ClusterRole.

The operator's identity is a real service account bound to `manifests/clusterrole.yaml`, its
token issued by the apiserver's TokenRequest API; each tenant namespace gets a service account
with a Role for what the sample charts create there.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import yaml

from steersman.kube import KubeClient, NotFound

ROOT = Path(__file__).resolve().parents[2]
CLUSTER_ROLE = ROOT / "manifests" / "base" / "clusterrole.yaml"
REACH_CHART = ROOT / "tests" / "charts" / "e2e" / "reach"
RBAC = "rbac.authorization.k8s.io/v1"
TENANT_RULES = [
    {"apiGroups": [""], "resources": ["configmaps", "secrets"], "verbs": ["*"]},
    {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]},
]


async def service_account(kube: KubeClient, ns: str, name: str) -> None:
    body = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name}}
    await kube.create(body, namespace=ns)


async def grant(
    kube: KubeClient,
    ns: str,
    name: str,
    account_ns: str,
    account: str,
    rules: list[dict[str, Any]] | None = None,
) -> None:
    """A Role `name` in `ns` with `rules` (TENANT_RULES), bound to account_ns/account."""
    role = {
        "apiVersion": RBAC,
        "kind": "Role",
        "metadata": {"name": name},
        "rules": rules if rules is not None else TENANT_RULES,
    }
    await kube.apply(role, namespace=ns)
    binding = {
        "apiVersion": RBAC,
        "kind": "RoleBinding",
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": account_ns}],
    }
    await kube.apply(binding, namespace=ns)


async def new_namespace(kube: KubeClient) -> str:
    name = f"t-{secrets.token_hex(4)}"
    await kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
    return name


async def operator_kubeconfig(kube: KubeClient, bench_kubeconfig: Path, out: Path) -> Path:
    """A kubeconfig for a service account bound to the shipped ClusterRole (only)."""
    ns = await new_namespace(kube)
    await service_account(kube, ns, "steersman")
    role = yaml.safe_load(CLUSTER_ROLE.read_text())
    role["metadata"]["name"] = f"steersman-manager-{ns}"
    await kube.create(role)
    await kube.create(
        {
            "apiVersion": RBAC,
            "kind": "ClusterRoleBinding",
            "metadata": {"name": f"steersman-manager-{ns}"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": role["metadata"]["name"],
            },
            "subjects": [{"kind": "ServiceAccount", "name": "steersman", "namespace": ns}],
        }
    )
    issued = await kube.request(
        "POST",
        f"/api/v1/namespaces/{ns}/serviceaccounts/steersman/token",
        body={
            "apiVersion": "authentication.k8s.io/v1",
            "kind": "TokenRequest",
            "spec": {"expirationSeconds": 3600},
        },
    )
    return _write_kubeconfig(bench_kubeconfig, str(issued["status"]["token"]), out)


def _write_kubeconfig(bench_kubeconfig: Path, token: str, out: Path) -> Path:
    config = yaml.safe_load(bench_kubeconfig.read_text())
    config["users"] = [{"name": "steersman", "user": {"token": token}}]
    config["contexts"][0]["context"]["user"] = "steersman"
    out.write_text(yaml.safe_dump(config))
    out.chmod(0o600)
    return out


async def resource_version(kube: KubeClient, kind: str, name: str, ns: str) -> str | None:
    try:
        return str((await kube.get("v1", kind, name, ns))["metadata"]["resourceVersion"])
    except NotFound:
        return None
