"""The cluster a HelmRelease's release lives in, for the commands that read or write it
(`history`, `diff`, `rekey`): the user's own, or the remote cluster of the kubeconfig Secret
that `spec.kubeConfig.secretRef` names, as the operator uses it. The HelmRelease, its
`valuesFrom` and chart credentials stay on the user's cluster; the objects and Secret or
ConfigMap records are in the remote one (SQL records are wherever the DSN points)."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import AsyncIterator
from typing import Any

from steersman.commands.common import OpsError
from steersman.controller.remote import RemoteClusterError, kubeconfig_bytes
from steersman.kube import InsecureKubeConfig, KubeClient, KubeConfigError


@contextlib.asynccontextmanager
async def release_cluster(
    local: KubeClient, hr: Any, args: argparse.Namespace
) -> AsyncIterator[KubeClient]:
    """`local` without spec.kubeConfig; else a client of the remote cluster, closed after the
    block. The kubeconfig is checked as the operator checks it: exec credentials and skipped
    TLS verification only with the same flags the operator needs for them."""
    if hr.spec.kube_config is None:
        yield local
        return
    ref = hr.spec.kube_config.secret_ref
    where = f"{hr.namespace}/{ref.name}"
    secret = await local.get_or_none("v1", "Secret", ref.name, hr.namespace)
    if secret is None:
        raise OpsError(
            f"the release is in the remote cluster of Secret {where} (spec.kubeConfig."
            "secretRef), which does not exist"
        )
    try:
        raw = kubeconfig_bytes(secret.get("data"), ref.key, where)
        remote = await KubeClient.from_kubeconfig_data(
            raw,
            allow_exec=bool(getattr(args, "insecure_kubeconfig_exec", False)),
            allow_insecure_tls=bool(getattr(args, "insecure_kubeconfig_tls", False)),
        )
    except RemoteClusterError as err:
        raise OpsError(str(err)) from None
    except InsecureKubeConfig as err:
        raise OpsError(
            f"Secret {where} (spec.kubeConfig.secretRef): {err} (this command takes {err.flag} too)"
        ) from None
    except KubeConfigError as err:
        raise OpsError(f"Secret {where} (spec.kubeConfig.secretRef): {err}") from None
    try:
        yield remote
    finally:
        await remote.close()
