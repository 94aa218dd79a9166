"""Reconcile a HelmRelease within seconds when a ConfigMap or Secret of its `valuesFrom` changes.

Only objects carrying a watch label are watched (Flux's `reconcile.fluxcd.io/watch: Enabled`,
or ours, `helm.steersman.dev/watch: Enabled`; `--watch-configs-label-selector` sets others), so
the operator never watches every Secret in the cluster; and it watches their metadata only, so a
Secret's data never reaches it this way (the reconcile reads the values as before). Others are
read at the next `spec.interval`, as before.

One list-then-watch per kind, selector and watched namespace: the list records each object's
resourceVersion without waking anyone; after that, a new version (or a deletion) wakes the
HelmReleases that name the object. A relist after an expired watch (410) wakes only those whose
object changed meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from steersman.api import annotation_names
from steersman.kube import KubeClient, KubeError

log = logging.getLogger("steersman.operator")

DEFAULT_SELECTORS: Final = (
    f"{annotation_names.FLUX_WATCH}=Enabled",
    f"{annotation_names.WATCH}=Enabled",
)
KINDS: Final = ("ConfigMap", "Secret")
RETRY_SECONDS = 2.0

Ref = tuple[str, str, str]  # (kind, namespace, name) of a ConfigMap or Secret


def values_refs(body: Mapping[str, Any]) -> frozenset[Ref]:
    """The ConfigMaps and Secrets a HelmRelease body names in `spec.valuesFrom` (they live in
    the HelmRelease's namespace)."""
    namespace = str((body.get("metadata") or {}).get("namespace") or "")
    found: set[Ref] = set()
    for item in (body.get("spec") or {}).get("valuesFrom") or []:
        if isinstance(item, Mapping) and item.get("kind") in KINDS and item.get("name"):
            found.add((str(item["kind"]), namespace, str(item["name"])))
    return frozenset(found)


def _versions(items: Iterable[Mapping[str, Any]]) -> dict[tuple[str, str], str]:
    out = {}
    for item in items:
        meta = item.get("metadata") or {}
        out[str(meta.get("namespace")), str(meta.get("name"))] = str(meta.get("resourceVersion"))
    return out


class ConfigWatch:
    """Watches labelled ConfigMaps and Secrets; calls `changed(ref)` for each change."""

    def __init__(
        self,
        kube: KubeClient,
        namespaces: tuple[str, ...],
        selectors: tuple[str, ...],
        changed: Callable[[Ref], None],
    ) -> None:
        self.kube, self.changed = kube, changed
        self.namespaces: tuple[str | None, ...] = namespaces or (None,)
        self.selectors = selectors

    async def run(self) -> None:
        """Until cancelled."""
        await asyncio.gather(
            *(
                self._follow(kind, namespace, selector)
                for kind in KINDS
                for namespace in self.namespaces
                for selector in self.selectors
            )
        )

    async def _follow(self, kind: str, namespace: str | None, selector: str) -> None:
        known: dict[tuple[str, str], str] | None = None
        while True:
            try:
                items, version = await self.kube.list_with_version(
                    "v1", kind, namespace, label_selector=selector, metadata_only=True
                )
                current = _versions(items)
                if known is not None:  # a relist: what changed while we were not watching
                    for key in current.keys() | known.keys():
                        if current.get(key) != known.get(key):
                            self._changed(kind, key)
                known = current
                while True:  # each watch ends after a few minutes; go on from where it stopped
                    async for type_, obj in self.kube.watch(
                        "v1",
                        kind,
                        namespace,
                        resource_version=version,
                        label_selector=selector,
                        metadata_only=True,
                    ):
                        meta = obj.get("metadata") or {}
                        version = str(meta.get("resourceVersion") or version)
                        if type_ == "BOOKMARK":
                            continue
                        key = (str(meta.get("namespace")), str(meta.get("name")))
                        if type_ == "DELETED":
                            known.pop(key, None)
                        elif known.get(key) == version:
                            continue
                        else:
                            known[key] = version
                        self._changed(kind, key)
            except KubeError as err:
                if err.status == 410:  # the version expired: list again at once
                    continue
                log.warning(
                    "watch of %ss labelled %s failed (retrying in %.0fs): %s",
                    kind,
                    selector,
                    RETRY_SECONDS,
                    err,
                )
                await asyncio.sleep(RETRY_SECONDS)

    def _changed(self, kind: str, key: tuple[str, str]) -> None:
        self.changed((kind, key[0], key[1]))
