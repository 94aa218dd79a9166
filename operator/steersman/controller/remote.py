"""Where a HelmRelease's release lives: this cluster, or the remote cluster of the kubeconfig
its `spec.kubeConfig.secretRef` names (Flux's semantics). The release's objects, its hooks,
waits, drift checks and its Secret or ConfigMap records go there; the HelmRelease itself, its
status, Events, finalizer, `valuesFrom` and chart credentials stay here.

The kubeconfig Secret is read from the HelmRelease's own namespace on every use (never from
another one). Clients are cached per Secret and key, and rebuilt when the Secret changes (its
uid or resourceVersion) or the exec credentials expire; a replaced client is closed once the
reconciles using it are done.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from steersman.api import HelmRelease
from steersman.controller.settings import Settings
from steersman.kube import InsecureKubeConfig, KubeClient, KubeConfigError

if TYPE_CHECKING:
    from steersman.controller.context import Backends

DEFAULT_KEYS = ("value", "value.yaml")  # Flux's, in this order, when secretRef.key is unset
EXPIRY_MARGIN = 60.0  # seconds before exec credentials expire that a new client is made


class RemoteClusterError(KubeConfigError):
    """The remote cluster's client cannot be made; `missing` when the Secret does not exist,
    `insecure` when the kubeconfig asks for what only a flag allows."""

    def __init__(self, message: str, *, missing: bool = False, insecure: bool = False) -> None:
        super().__init__(message)
        self.missing, self.insecure = missing, insecure


@dataclass(frozen=True)
class Cluster:
    kube: KubeClient  # the kubeconfig's own identity (or the operator's), not impersonated
    backends: Backends
    remote: str | None = None  # `namespace/name` of the kubeconfig Secret; None: this cluster


def kubeconfig_bytes(data: Mapping[str, Any] | None, key: str | None, where: str) -> bytes:
    """The kubeconfig in a Secret's `data`: `key` if given, else `value`, else `value.yaml`."""
    data = data or {}
    if key is not None:
        if not data.get(key):
            raise RemoteClusterError(
                f"Secret {where} has no key '{key}' (spec.kubeConfig.secretRef.key): add the "
                "kubeconfig under that key, or name the key that holds it"
            )
        chosen = key
    else:
        found = [k for k in DEFAULT_KEYS if data.get(k)]
        if not found:
            raise RemoteClusterError(
                f"Secret {where} has neither a 'value' nor a 'value.yaml' key with a kubeconfig: "
                "add one, or set spec.kubeConfig.secretRef.key"
            )
        chosen = found[0]
    try:
        return base64.b64decode(str(data[chosen]), validate=True)
    except (binascii.Error, ValueError):
        raise RemoteClusterError(f"Secret {where} key '{chosen}' is not valid base64") from None


@dataclass
class _Entry:
    fingerprint: tuple[str, str]  # the Secret's uid and resourceVersion
    cluster: Cluster
    users: int = 0
    retired: bool = False

    def stale(self, now: float) -> bool:
        expires = self.cluster.kube.expires_at
        return expires is not None and now >= expires - EXPIRY_MARGIN

    async def release(self) -> None:
        self.users -= 1
        if self.retired and self.users <= 0:
            await self.cluster.kube.close()


@dataclass
class RemoteClusters:
    """The cache of remote clients, one per (namespace, Secret, key)."""

    _entries: dict[tuple[str, str, str | None], _Entry] = field(default_factory=dict)

    @contextlib.asynccontextmanager
    async def use(
        self, hr: HelmRelease, local: Cluster, settings: Settings
    ) -> AsyncIterator[Cluster]:
        """The cluster of `hr`'s release for the time of the block; `local` without
        spec.kubeConfig. RemoteClusterError when the remote client cannot be made."""
        if hr.spec.kube_config is None:
            yield local
            return
        entry = await self._entry(hr, local, settings)
        entry.users += 1
        try:
            yield entry.cluster
        finally:
            await entry.release()

    async def _entry(self, hr: HelmRelease, local: Cluster, settings: Settings) -> _Entry:
        assert hr.spec.kube_config is not None
        ref = hr.spec.kube_config.secret_ref
        key = (hr.namespace, ref.name, ref.key)
        where = f"{hr.namespace}/{ref.name}"
        # A KubeError here is this cluster's apiserver: handled (and retried) as such.
        secret = await local.kube.get_or_none("v1", "Secret", ref.name, hr.namespace)
        if secret is None:
            await self._retire(key)
            raise RemoteClusterError(
                f"Secret {where} (spec.kubeConfig.secretRef) not found: create it with the "
                "remote cluster's kubeconfig under the key 'value'",
                missing=True,
            )
        meta = secret.get("metadata") or {}
        fingerprint = (str(meta.get("uid")), str(meta.get("resourceVersion")))
        current = self._entries.get(key)
        fresh = current is not None and not current.stale(time.time())
        if current is not None and fresh and current.fingerprint == fingerprint:
            return current
        raw = kubeconfig_bytes(secret.get("data"), ref.key, where)
        try:
            kube = await KubeClient.from_kubeconfig_data(
                raw,
                allow_exec=settings.insecure_kubeconfig_exec,
                allow_insecure_tls=settings.insecure_kubeconfig_tls,
            )
        except KubeConfigError as err:
            await self._retire(key)
            insecure = isinstance(err, InsecureKubeConfig)
            raise RemoteClusterError(f"Secret {where}: {err}", insecure=insecure) from None
        raced = self._entries.get(key)
        if raced is not None and raced is not current and raced.fingerprint == fingerprint:
            await kube.close()  # another reconcile made the same client meanwhile
            return raced
        await self._retire(key)
        made = _Entry(fingerprint, Cluster(kube, local.backends.on_cluster(kube.api), where))
        self._entries[key] = made
        return made

    async def forget(self, hr: HelmRelease) -> None:
        """A deleted HelmRelease's client goes (another one sharing it makes a new one)."""
        if hr.spec.kube_config is not None:
            ref = hr.spec.kube_config.secret_ref
            await self._retire((hr.namespace, ref.name, ref.key))

    async def _retire(self, key: tuple[str, str, str | None]) -> None:
        entry = self._entries.pop(key, None)
        if entry is None:
            return
        entry.retired = True
        if entry.users <= 0:
            await entry.cluster.kube.close()

    async def close(self) -> None:
        for key in list(self._entries):
            await self._retire(key)
