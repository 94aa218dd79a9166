"""The operator's own chart (manifests/chart/steersman): `helm lint --strict` (v4) passes, and
`steersman template` renders it byte-identical to `helm template` v4.1.4 for its defaults and
for variants that turn every value on, with the same error for values that cannot work."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack import gen_crds
from hack.testkit.install import CHART, load_all

pytestmark = pytest.mark.interop

VARIANTS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "single-replica": {
        "replicas": 1,
        "leaderElection": {"enabled": False},
        "gracefulShutdownTimeout": "",
    },
    "locked-down-sql": {
        "rbac": {"mode": "locked-down", "defaultServiceAccount": "tenant-deployer"},
        "storage": {
            "driver": "sql",
            "allowedDrivers": ["secret", "configmap"],
            "sql": {"connectionString": "postgresql://helm:pw@db.example:5432/helm"},
        },
        "concurrent": 8,
        "watch": {"namespaces": ["team-a", "team-b"], "labelSelector": "shard in (a, c)"},
    },
    "everything-on": {
        "image": {"repository": "registry.example/steersman", "tag": "0.2.0"},
        "imagePullSecrets": [{"name": "regcred"}],
        "replicas": 3,
        "storage": {
            "allowedDrivers": ["*"],
            "sql": {"existingSecret": "pg", "secretKey": "uri"},
            "encryption": {"enabled": True, "keysSecret": "record-keys"},
        },
        "serviceMonitor": {"enabled": True, "labels": {"release": "prometheus"}},
        "networkPolicy": {
            "enabled": True,
            "metricsFrom": [{"namespaceSelector": {"matchLabels": {"name": "monitoring"}}}],
        },
        "podDisruptionBudget": {"minAvailable": "50%"},
        "serviceAccount": {"annotations": {"example.com/role": "ops"}},
        "metrics": {"port": 18080, "service": {"annotations": {"example.com/scrape": "yes"}}},
        "health": {"port": 19440},
        "podAnnotations": {"example.com/team": "platform"},
        "podLabels": {"tier": "control"},
        "nodeSelector": {"kubernetes.io/os": "linux"},
        "tolerations": [{"key": "control", "operator": "Exists", "effect": "NoSchedule"}],
        "affinity": {
            "podAntiAffinity": {
                "preferredDuringSchedulingIgnoredDuringExecution": [
                    {
                        "weight": 100,
                        "podAffinityTerm": {
                            "topologyKey": "kubernetes.io/hostname",
                            "labelSelector": {
                                "matchLabels": {"app.kubernetes.io/name": "steersman"}
                            },
                        },
                    }
                ]
            }
        },
        "priorityClassName": "system-cluster-critical",
        "resources": {"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"memory": "1Gi"}},
        "extraArgs": ["--requeue-dependency-seconds=10"],
        "extraEnv": [{"name": "TZ", "value": "UTC"}],
        "logLevel": "debug",
        "logFormat": "text",
    },
    "bring-your-own-rbac": {
        "rbac": {"create": False},
        "serviceAccount": {"create": False, "name": "ops"},
        "metrics": {"service": {"enabled": False}},
        "podDisruptionBudget": {"enabled": False},
    },
}

INVALID: dict[str, tuple[dict[str, Any], str]] = {
    "replicas-without-leader-election": (
        {"replicas": 3, "leaderElection": {"enabled": False}},
        "replicas > 1 needs leaderElection.enabled=true",
    ),
    # values.schema.json: the same report from helm and from us.
    "unknown-rbac-mode": (
        {"rbac": {"mode": "admin"}},
        "- at '/rbac/mode': value must be one of 'cluster-admin', 'locked-down'",
    ),
    "unknown-driver": (
        {"storage": {"allowedDrivers": ["sql", "etcd"]}},
        "- at '/storage/allowedDrivers/1': value must be one of",
    ),
    "zero-replicas": ({"replicas": 0}, "- at '/replicas': minimum: got 0, want 1"),
    "duration-without-unit": (
        {"leaderElection": {"leaseDuration": "35"}},
        "- at '/leaderElection/leaseDuration': '35' does not match pattern",
    ),
    "port-out-of-range": ({"metrics": {"port": 80800}}, "- at '/metrics/port': maximum"),
    "sql-without-dsn": ({"storage": {"driver": "sql"}}, "storage.driver=sql needs"),
    "encryption-without-keys": (
        {"storage": {"encryption": {"enabled": True}}},
        "storage.encryption.enabled needs storage.encryption.keysSecret",
    ),
    "service-monitor-without-service": (
        {"serviceMonitor": {"enabled": True}, "metrics": {"service": {"enabled": False}}},
        "serviceMonitor.enabled needs metrics.service.enabled=true",
    ),
    "no-service-account-name": (
        {"serviceAccount": {"create": False}},
        "serviceAccount.name is required",
    ),
}


def values_file(tmp_path: Path, values: dict[str, Any]) -> Path:
    path = tmp_path / "values.yaml"
    path.write_text(yaml.safe_dump(values))
    return path


def run_template(
    cmd: list[str], env: dict[str, str], release: str, values: Path
) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            *cmd,
            "template",
            release,
            str(CHART),
            "--namespace",
            "steersman-system",
            "-f",
            str(values),
        ],
        capture_output=True,
        env=env,
        timeout=120,
    )


STEERSMAN = [sys.executable, "-m", "steersman.cli"]


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_helm_lint_strict_passes(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path, variant: str
) -> None:
    values = values_file(tmp_path, VARIANTS[variant])
    proc = subprocess.run(
        [str(helm_v4), "lint", "--strict", str(CHART), "-f", str(values)],
        capture_output=True,
        text=True,
        env=helm_home_env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 chart(s) linted, 0 chart(s) failed" in proc.stdout
    assert "[WARNING]" not in proc.stdout and "[ERROR]" not in proc.stdout


@pytest.mark.parametrize("release", ["steersman", "ops"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_steersman_template_is_byte_identical_to_helm(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path, variant: str, release: str
) -> None:
    values = values_file(tmp_path, VARIANTS[variant])
    helm = run_template([str(helm_v4)], helm_home_env, release, values)
    assert helm.returncode == 0, helm.stderr.decode()
    ours = run_template(STEERSMAN, helm_home_env, release, values)
    assert ours.returncode == 0, ours.stderr.decode()
    assert ours.stdout == helm.stdout
    assert load_all(helm.stdout.decode())  # it rendered objects, not nothing


@pytest.mark.parametrize("case", sorted(INVALID))
def test_values_that_cannot_work_fail_the_same_way(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path, case: str
) -> None:
    values, message = INVALID[case]
    path = values_file(tmp_path, values)
    helm = run_template([str(helm_v4)], helm_home_env, "steersman", path)
    ours = run_template(STEERSMAN, helm_home_env, "steersman", path)
    assert helm.returncode != 0 and ours.returncode != 0
    assert message in helm.stderr.decode()
    assert ours.stderr == helm.stderr
    assert ours.stdout == helm.stdout


def objects(
    helm_v4: Path, env: dict[str, str], tmp_path: Path, variant: str
) -> list[dict[str, Any]]:
    proc = run_template([str(helm_v4)], env, "steersman", values_file(tmp_path, VARIANTS[variant]))
    return load_all(proc.stdout.decode())


def args_of(objs: list[dict[str, Any]]) -> list[str]:
    (deployment,) = [o for o in objs if o["kind"] == "Deployment"]
    return list(deployment["spec"]["template"]["spec"]["containers"][0]["args"])


def test_defaults_run_two_replicas_with_leader_election_and_cluster_admin(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    objs = objects(helm_v4, helm_home_env, tmp_path, "defaults")
    kinds = {(o["kind"], o["metadata"]["name"]) for o in objs}
    assert ("ClusterRoleBinding", "steersman-cluster-admin") in kinds
    assert ("PodDisruptionBudget", "steersman") in kinds
    (deployment,) = [o for o in objs if o["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == 2
    args = args_of(objs)
    assert args[0] == "run"
    for flag in (
        "--leader-elect",
        "--leader-election-lease-duration=35s",
        "--leader-election-renew-deadline=30s",
        "--leader-election-retry-period=5s",
        "--leader-election-namespace=steersman-system",
        "--graceful-shutdown-timeout=600s",
    ):
        assert flag in args
    assert not any(a.startswith("--default-service-account") for a in args)


def test_locked_down_has_no_cluster_admin_and_impersonates(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    objs = objects(helm_v4, helm_home_env, tmp_path, "locked-down-sql")
    bindings = [o for o in objs if o["kind"] == "ClusterRoleBinding"]
    assert [b["roleRef"]["name"] for b in bindings] == ["steersman-manager"]
    args = args_of(objs)
    assert "--default-service-account=tenant-deployer" in args
    assert "--no-cross-namespace-refs" in args
    assert "--watch-label-selector=shard in (a, c)" in args
    assert [a for a in args if a.startswith("--namespace")] == [
        "--namespace=team-a",
        "--namespace=team-b",
    ]
    (secret,) = [o for o in objs if o["kind"] == "Secret"]
    assert secret["metadata"]["name"] == "steersman-sql"


def test_encryption_mounts_the_keys_secret_as_the_keys_file(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    objs = objects(helm_v4, helm_home_env, tmp_path, "everything-on")
    args = args_of(objs)
    assert "--encrypt-release-records" in args
    assert "--release-record-keys=/etc/steersman/record-keys/keys" in args
    (deployment,) = [o for o in objs if o["kind"] == "Deployment"]
    pod = deployment["spec"]["template"]["spec"]
    (volume,) = [v for v in pod["volumes"] if v["name"] == "record-keys"]
    assert volume["secret"] == {
        "secretName": "record-keys",
        "items": [{"key": "keys", "path": "keys"}],
    }
    mounts = {m["name"]: m for m in pod["containers"][0]["volumeMounts"]}
    assert mounts["record-keys"]["mountPath"] == "/etc/steersman/record-keys"
    defaults = args_of(objects(helm_v4, helm_home_env, tmp_path, "defaults"))
    assert not any("record" in a for a in defaults)


def test_the_chart_ships_the_generated_crd() -> None:
    assert CHART / "crds" / "helm.steersman.dev_helmreleases.yaml" in gen_crds.CRD_COPIES
