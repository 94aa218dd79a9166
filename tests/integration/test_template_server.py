"""`steersman template --dry-run=server` / `--validate` next to the real `helm template` on the
bench apiserver, with the same kubeconfig: the cluster's capabilities, `lookup`, and the
install's "exists and cannot be imported" failure, byte for byte (exit code, stdout, stderr)."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from steersman.kube import KubeClient

pytestmark = [pytest.mark.integration, pytest.mark.interop]

CHART_YAML = "apiVersion: v2\nname: probe\nversion: 0.1.0\n"
CAPABILITIES = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-caps
data:
  kube: {{ .Capabilities.KubeVersion.Version | quote }}
  direct: "{{ .Capabilities.KubeVersion }}"
  copied: {{ .Capabilities.KubeVersion | quote }}
  minor: {{ .Capabilities.KubeVersion.Minor | quote }}
  apps: {{ .Capabilities.APIVersions.Has "apps/v1/Deployment" | quote }}
  made-up: {{ .Capabilities.APIVersions.Has "made.up/v1" | quote }}
  found: {{ (lookup "v1" "ConfigMap" .Release.Namespace "seed").data | toJson | quote }}
"""


def _chart(root: Path, templates: dict[str, str]) -> Path:
    chart = root / "probe"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    for name, text in templates.items():
        (chart / "templates" / name).write_text(text)
    return chart


def _both(helm_v4: Path, env: dict[str, str], args: list[str]) -> list[tuple[int, str, str]]:
    runs = []
    for argv in (
        [str(helm_v4), "template", *args],
        [sys.executable, "-m", "steersman", "template", *args],
    ):
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        runs.append((r.returncode, r.stdout, r.stderr))
    return runs


async def _seed(kube: KubeClient, namespace: str, name: str, **meta: dict[str, str]) -> None:
    await kube.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, **meta},
            "data": {"k": "v"},
        },
        namespace=namespace,
    )


@pytest.mark.parametrize("mode", [["--dry-run=server"], ["--validate"]])
async def test_capabilities_and_lookup_come_from_the_cluster(
    mode: list[str],
    helm_v4: Path,
    helm_env: dict[str, str],
    kube: KubeClient,
    namespace: str,
    tmp_path: Path,
) -> None:
    await _seed(kube, namespace, "seed")
    chart = _chart(tmp_path, {"caps.yaml": CAPABILITIES})
    helm, ours = await asyncio.to_thread(
        _both, helm_v4, helm_env, [*mode, "-n", namespace, str(chart)]
    )
    assert helm[0] == 0, helm[2]
    assert 'kube: "v1.20.2"' in helm[1]  # the bench's version, not helm's default
    assert 'apps: "true"' in helm[1] and 'made-up: "false"' in helm[1]
    assert 'found: "{\\"k\\":\\"v\\"}"' in helm[1]
    assert ours == helm


async def test_api_versions_flag_is_ignored_against_a_cluster(
    helm_v4: Path, helm_env: dict[str, str], namespace: str, tmp_path: Path
) -> None:
    chart = _chart(tmp_path, {"caps.yaml": CAPABILITIES.replace("made.up/v1", "extra/v1")})
    args = ["--dry-run=server", "-a", "extra/v1", "--kube-version", "1.99.0", "-n", namespace]
    helm, ours = await asyncio.to_thread(_both, helm_v4, helm_env, [*args, str(chart)])
    assert helm[0] == 0, helm[2]
    assert 'made-up: "false"' in helm[1] and 'kube: "v1.20.2"' in helm[1]
    assert ours == helm


SEED_TEMPLATE = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: seed
data:
  k: rendered
---
apiVersion: v1
kind: Secret
metadata:
  name: fresh
"""


async def test_an_existing_object_outside_the_release_fails_the_install(
    helm_v4: Path, helm_env: dict[str, str], kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    await _seed(kube, namespace, "seed", labels={"app.kubernetes.io/managed-by": "kubectl"})
    chart = _chart(tmp_path, {"seed.yaml": SEED_TEMPLATE})
    helm, ours = await asyncio.to_thread(
        _both, helm_v4, helm_env, ["--dry-run=server", "-n", namespace, str(chart)]
    )
    assert helm[0] == 1
    assert "exists and cannot be imported into the current release" in helm[2]
    assert ours == helm
    # an upgrade, or --take-ownership, renders over the same object
    for extra in (["--is-upgrade"], ["--take-ownership"]):
        helm, ours = await asyncio.to_thread(
            _both, helm_v4, helm_env, ["--validate", *extra, "-n", namespace, str(chart)]
        )
        assert helm[0] == 0, helm[2]
        assert ours == helm


async def test_an_object_of_the_release_is_adopted(
    helm_v4: Path, helm_env: dict[str, str], kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    owned = {
        "labels": {"app.kubernetes.io/managed-by": "Helm"},
        "annotations": {
            "meta.helm.sh/release-name": "release-name",
            "meta.helm.sh/release-namespace": namespace,
        },
    }
    await _seed(kube, namespace, "seed", **owned)
    chart = _chart(tmp_path, {"seed.yaml": SEED_TEMPLATE})
    helm, ours = await asyncio.to_thread(
        _both, helm_v4, helm_env, ["--dry-run=server", "-n", namespace, str(chart)]
    )
    assert helm[0] == 0, helm[2]
    assert ours == helm
    # another release of the same name space does not own it
    helm, ours = await asyncio.to_thread(
        _both, helm_v4, helm_env, ["--dry-run=server", "-n", namespace, "other", str(chart)]
    )
    assert helm[0] == 1 and "release-name" in helm[2]
    assert ours == helm


async def test_a_kind_unknown_to_the_cluster_fails_the_build(
    helm_v4: Path, helm_env: dict[str, str], namespace: str, tmp_path: Path
) -> None:
    unknown = "apiVersion: made.up/v1\nkind: Gizmo\nmetadata:\n  name: g\n"
    chart = _chart(tmp_path, {"gizmo.yaml": unknown})
    helm, ours = await asyncio.to_thread(
        _both, helm_v4, helm_env, ["--dry-run=server", "-n", namespace, str(chart)]
    )
    assert helm[0] == 1
    assert ours == helm


CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object}
"""


@pytest.mark.parametrize("skip_crds", [[], ["--skip-crds"]])
async def test_a_chart_with_crds_warns_as_helm_does(
    skip_crds: list[str], helm_v4: Path, helm_env: dict[str, str], namespace: str, tmp_path: Path
) -> None:
    chart = _chart(tmp_path, {"caps.yaml": CAPABILITIES})
    (chart / "crds").mkdir()
    (chart / "crds" / "widget.yaml").write_text(CRD)
    args = ["--dry-run=server", *skip_crds, "-n", namespace, str(chart)]
    helm, ours = await asyncio.to_thread(_both, helm_v4, helm_env, args)
    assert helm[0] == 0, helm[2]
    assert ("contains CRDs" in helm[2]) == (not skip_crds)
    assert ours == helm


async def test_every_kube_as_group_is_impersonated(
    helm_v4: Path, helm_env: dict[str, str], kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    """Each --kube-as-group is its own Impersonate-Group header: a role bound only to the
    second group lets the impersonated user read the ConfigMap `lookup` asks for; without it
    the same render is forbidden, for helm and for us alike."""
    group = f"readers-{namespace}"
    await _seed(kube, namespace, "seed")
    await kube.create(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "read-configmaps"},
            "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
        },
        namespace=namespace,
    )
    await kube.create(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "read-configmaps"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "read-configmaps",
            },
            "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": group}],
        },
        namespace=namespace,
    )
    chart = _chart(tmp_path, {"caps.yaml": CAPABILITIES})
    base = ["--dry-run=server", "-n", namespace, "--kube-as-user", "someone"]
    both_groups = [*base, "--kube-as-group", "first", "--kube-as-group", group, str(chart)]
    helm, ours = await asyncio.to_thread(_both, helm_v4, helm_env, both_groups)
    assert helm[0] == 0, helm[2]
    assert 'found: "{\\"k\\":\\"v\\"}"' in helm[1]
    assert ours == helm
    first_only = [*base, "--kube-as-group", "first", str(chart)]
    helm, ours = await asyncio.to_thread(_both, helm_v4, helm_env, first_only)
    assert helm[0] == 1
    assert "forbidden" in helm[2]
    assert ours == helm
