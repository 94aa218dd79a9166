"""Installing Steersman on the bench the way a user would (`kubectl apply -k`, `helm install`),
then running `steersman run` with exactly the arguments its Deployment carries, as the
Deployment's own ServiceAccount (a token from the TokenRequest API), so the apiserver checks the
RBAC we ship rather than the bench's admin rights.

The bench has no kubelet, so the Deployment's pod never runs; the operator runs as a local
subprocess instead (hack.operatorkit.OperatorProcess), on loopback ports.
"""

from __future__ import annotations

import base64
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from hack.operatorkit import OperatorProcess
from hack.testenv import kubectl_binary
from steersman.kube import KubeClient

ROOT = Path(__file__).resolve().parents[2]
MANIFESTS = ROOT / "manifests"
LOCKED_DOWN = MANIFESTS / "locked-down"
CHART = MANIFESTS / "chart" / "steersman"
# Set by OperatorProcess itself (loopback, free ports); the Deployment's in-pod values are dropped.
LOCAL_FLAGS = ("--metrics-addr", "--health-addr", "--kubeconfig")
RBAC = "rbac.authorization.k8s.io/v1"


def kubectl(kubeconfig: Path | None, *args: str) -> str:
    """Run kubectl (the oracle); a failure raises with kubectl's own message."""
    argv = [str(kubectl_binary()), *args]
    if kubeconfig is not None:
        argv[1:1] = ["--kubeconfig", str(kubeconfig)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        raise AssertionError(f"kubectl {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc.stdout


def load_all(text: str) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(text) if d]


def kustomize(folder: Path) -> list[dict[str, Any]]:
    """What `kubectl apply -k folder` sends, as kubectl builds it."""
    return load_all(kubectl(None, "kustomize", str(folder)))


def the_deployment(objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    (deployment,) = [o for o in objects if o["kind"] == "Deployment"]
    return dict(deployment)


def manager_container(deployment: Mapping[str, Any]) -> dict[str, Any]:
    (container,) = [
        c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "manager"
    ]
    return dict(container)


def local_args(container_args: Sequence[str], *extra: str) -> list[str]:
    """The container's `steersman run` arguments for OperatorProcess: without `run` (it adds
    that) and without the in-pod addresses and kubeconfig, plus `extra`."""
    args = list(container_args)
    assert args and args[0] == "run", f"the container does not start the operator: {args}"
    kept = [a for a in args[1:] if not a.startswith(LOCAL_FLAGS)]
    return [*kept, *extra]


async def container_env(
    kube: KubeClient, namespace: str, container: Mapping[str, Any]
) -> dict[str, str]:
    """The container's environment, Secret references resolved from the cluster. HOME is left
    out: the pod's /tmp is an emptyDir, ours is shared."""
    env: dict[str, str] = {}
    for item in container.get("env") or []:
        if item["name"] == "HOME":
            continue
        if "value" in item:
            env[item["name"]] = str(item["value"])
            continue
        ref = item["valueFrom"]["secretKeyRef"]
        secret = await kube.get("v1", "Secret", ref["name"], namespace)
        env[item["name"]] = base64.b64decode(secret["data"][ref["key"]]).decode()
    return env


def token_kubeconfig(admin_kubeconfig: Path, user: str, token: str, path: Path) -> Path:
    """The bench's kubeconfig with its admin token swapped for `token`."""
    config = yaml.safe_load(admin_kubeconfig.read_text())
    config["users"] = [{"name": user, "user": {"token": token}}]
    for context in config["contexts"]:
        context["context"]["user"] = user
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


async def service_account_kubeconfig(
    kube: KubeClient, admin_kubeconfig: Path, namespace: str, name: str, path: Path
) -> Path:
    """A kubeconfig for the bench that authenticates as ServiceAccount namespace/name."""
    request = {
        "apiVersion": "authentication.k8s.io/v1",
        "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600},
    }
    issued = await kube.request(
        "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", body=request
    )
    return token_kubeconfig(
        admin_kubeconfig, f"{namespace}-{name}", issued["status"]["token"], path
    )


async def start_as_deployment(
    kube: KubeClient,
    admin_kubeconfig: Path,
    deployment: Mapping[str, Any],
    log_path: Path,
    *extra_args: str,
) -> OperatorProcess:
    """`steersman run` with the Deployment's arguments and environment, as its ServiceAccount."""
    namespace = deployment["metadata"]["namespace"]
    account = deployment["spec"]["template"]["spec"]["serviceAccountName"]
    container = manager_container(deployment)
    kubeconfig = await service_account_kubeconfig(
        kube, admin_kubeconfig, namespace, account, log_path.with_suffix(".kubeconfig")
    )
    op = OperatorProcess(
        kubeconfig,
        local_args(container["args"], *extra_args),
        await container_env(kube, namespace, container),
        log_path=log_path,
    )
    op.start()
    return op


def role_for_the_demo_chart(namespace: str, account: str) -> list[dict[str, Any]]:
    """What a namespace admin grants `account` so the e2e sample chart installs (the bench's
    aggregated `admin` ClusterRole stays empty, so the rules are spelled out)."""
    return [
        {
            "apiVersion": RBAC,
            "kind": "Role",
            "metadata": {"name": f"{account}-deployer", "namespace": namespace},
            "rules": [
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]},
            ],
        },
        {
            "apiVersion": RBAC,
            "kind": "RoleBinding",
            "metadata": {"name": f"{account}-deployer", "namespace": namespace},
            "roleRef": {
                "apiGroup": RBAC.split("/")[0],
                "kind": "Role",
                "name": f"{account}-deployer",
            },
            "subjects": [{"kind": "ServiceAccount", "name": account, "namespace": namespace}],
        },
    ]


async def remove_cluster_admin_binding(
    kube: KubeClient, name: str = "steersman-cluster-admin"
) -> None:
    """Tests share one apiserver: the default mode's cluster-admin binding must not outlive its
    test, or every later least-privilege check would pass for the wrong reason."""
    await kube.delete(RBAC, "ClusterRoleBinding", name, None)
