"""The `steersman run` flags as argparse arguments. Kept free of heavy imports, so other
commands (`steersman template`, `version`) start fast."""

from __future__ import annotations

import argparse
from typing import Any

FLAGS: list[tuple[str, dict[str, Any]]] = [
    (
        "--helm-storage-driver",
        {"help": "secret (default), configmap, memory or sql; falls back to HELM_DRIVER"},
    ),
    (
        "--allowed-storage-drivers",
        {
            "help": "comma-separated drivers a HelmRelease may pick "
            "in spec.storage.driver ('*' for all)"
        },
    ),
    (
        "--sql-connection-string-file",
        {"help": "file holding the PostgreSQL DSN (else HELM_DRIVER_SQL_CONNECTION_STRING)"},
    ),
    (
        "--encrypt-release-records",
        {
            "action": "store_true",
            "default": None,
            "help": "encrypt the body of every release record written (AES-256-GCM); the helm "
            "CLI cannot read encrypted records (docs/encryption.md)",
        },
    ),
    (
        "--release-record-keys",
        {"help": "file of KEY_ID:BASE64 lines (32-byte keys), newest first, for release records"},
    ),
    (
        "--release-record-keys-secret",
        {"help": "NAMESPACE/NAME of a Secret whose data.keys holds such lines (not with a file)"},
    ),
    (
        "--allow-release-record-encryption-override",
        {
            "action": "store_true",
            "default": None,
            "help": "let a HelmRelease choose spec.storage.encryptRecords (true or false) "
            "against --encrypt-release-records",
        },
    ),
    ("--namespace", {"action": "append", "help": "watch only this namespace (repeatable)"}),
    (
        "--all-namespaces",
        {"action": "store_true", "default": None, "help": "watch every namespace (the default)"},
    ),
    (
        "--watch-label-selector",
        {"help": "only reconcile HelmReleases matching this selector (sharding)"},
    ),
    (
        "--watch-configs-label-selector",
        {
            "action": "append",
            "help": "ConfigMaps and Secrets matching this selector trigger a reconcile of the "
            "HelmReleases naming them in valuesFrom, within seconds (repeatable, each watched "
            "on its own; default: reconcile.fluxcd.io/watch=Enabled and "
            "helm.steersman.dev/watch=Enabled; an empty value turns the watch off)",
        },
    ),
    ("--concurrent", {"help": "HelmReleases reconciled at the same time (default 4)"}),
    (
        "--default-service-account",
        {"help": "service account to impersonate when a HelmRelease names none"},
    ),
    (
        "--no-cross-namespace-refs",
        {"action": "store_true", "default": None, "help": "refuse references to other namespaces"},
    ),
    (
        "--allow-cross-namespace-releases",
        {
            "action": "store_true",
            "default": None,
            "help": "let a HelmRelease without a service account reach other namespaces "
            "(targetNamespace, storageNamespace, chart objects) with the operator's own rights",
        },
    ),
    (
        "--insecure-kubeconfig-exec",
        {
            "action": "store_true",
            "default": None,
            "help": "allow users[].user.exec in the kubeconfigs of remote clusters "
            "(spec.kubeConfig): the operator then runs the commands they name",
        },
    ),
    (
        "--insecure-kubeconfig-tls",
        {
            "action": "store_true",
            "default": None,
            "help": "allow insecure-skip-tls-verify: true in the kubeconfigs of remote clusters "
            "(spec.kubeConfig)",
        },
    ),
    ("--metrics-addr", {"help": "Prometheus metrics address (default :8080; 0 disables)"}),
    ("--health-addr", {"help": "liveness/readiness address (default :9440; 0 disables)"}),
    ("--log-level", {"help": "debug, info (default), warning or error"}),
    ("--log-format", {"help": "json (default) or text"}),
    ("--kubeconfig", {"help": "kubeconfig file (default: in-cluster, then ~/.kube/config)"}),
    (
        "--requeue-dependency-seconds",
        {"help": "how often a HelmRelease waiting for dependsOn checks again (default 30)"},
    ),
    (
        "--leader-elect",
        {
            "action": "store_true",
            "default": None,
            "help": "elect a leader (a Lease) so that only one of several replicas reconciles",
        },
    ),
    (
        "--leader-election-lease-duration",
        {"help": "how long standbys wait before taking over an unrenewed lease (default 35s)"},
    ),
    (
        "--leader-election-renew-deadline",
        {"help": "how long the leader retries renewing before it stops reconciling (default 30s)"},
    ),
    (
        "--leader-election-retry-period",
        {"help": "how often to try acquiring or renewing the lease (default 5s)"},
    ),
    (
        "--leader-election-namespace",
        {"help": "namespace of the lease (default: the pod's own, else steersman-system)"},
    ),
    (
        "--leader-election-id",
        {"help": "name of the lease (default steersman-leader-election)"},
    ),
    (
        "--http-retry",
        {
            "help": "retries of a chart repository or registry request after a transient "
            "failure (no connection, timeout, 429, 5xx), with backoff from 1s to 30s (default 9)"
        },
    ),
    (
        "--helm-index-cache-ttl",
        {
            "help": "how long a repository's index.yaml is used before it is revalidated "
            "(default 5m); a requested reconcile revalidates it at once"
        },
    ),
    (
        "--default-server-side-apply",
        {
            "help": "how releases are applied when a HelmRelease does not say (its "
            "install/upgrade/rollback.serverSideApply): enabled (server-side apply, the "
            "default), disabled (client-side, as helm v3), auto (as the last revision was)"
        },
    ),
    (
        "--graceful-shutdown-timeout",
        {
            "help": "on SIGTERM, how long running actions may take before they are cancelled "
            "(default 600s)"
        },
    ),
]


def add_run_arguments(parser: argparse.ArgumentParser) -> None:
    for flag, kwargs in FLAGS:
        parser.add_argument(flag, **kwargs)
