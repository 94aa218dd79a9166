"""What templates may ask the cluster: `.Capabilities` and `lookup`, as helm fills them when it
talks to a server (not `helm template`'s recorded defaults).

Capabilities come from /version and discovery (every group/version, plus `group/version/Kind`
for every resource, helm's GetVersionSet) and are cached for two seconds per cluster
connection; CRD installs drop the cache. `lookup` runs on the event loop while the renderer,
in a worker thread, blocks on the result.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from typing import Any

from steersman.chart import BuildInfo, Capabilities, Lookup, VersionSet, parse_kube_version
from steersman.chart.render import capabilities_data
from steersman.kube import Discovery, KubeClient, KubeError, group_version_path

# helm reads discovery afresh for every command; a CRD added or removed by anyone must show in
# the next render, so the cache only spares the discovery reads of a burst of actions.
CACHE_SECONDS = 2.0


async def _version_set(kube: KubeClient) -> list[str]:
    core, groups = await asyncio.gather(kube.request("GET", "/api"), kube.request("GET", "/apis"))
    gvs = list(core.get("versions") or [])
    for group in groups.get("groups") or []:
        gvs.extend(v["groupVersion"] for v in group.get("versions") or [])
    lists = await asyncio.gather(
        *(kube.request("GET", group_version_path(gv)) for gv in gvs), return_exceptions=True
    )
    out = set(gvs)
    for gv, listing in zip(gvs, lists, strict=True):
        if isinstance(listing, BaseException):
            continue  # an aggregated API that is down: helm skips its resources too
        out.update(f"{gv}/{r['kind']}" for r in listing.get("resources") or [])
    return sorted(out)


async def cluster_capabilities(kube: KubeClient) -> Capabilities:
    version, apis = await asyncio.gather(kube.request("GET", "/version"), _version_set(kube))
    kv = parse_kube_version(str(version.get("gitVersion", "")))
    kv.major = str(version.get("major") or kv.major)
    kv.minor = str(version.get("minor") or kv.minor)
    kv.normalized = ""  # getCapabilities fills Version, Major, Minor only: String() is Version
    return Capabilities(kv, VersionSet(apis, "common"), BuildInfo(capabilities_data.HELM_BUILD_V4))


class CapabilitiesCache:
    def __init__(self) -> None:
        self._value: Capabilities | None = None
        self._at = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._value = None

    async def get(self, kube: KubeClient) -> Capabilities:
        async with self._lock:
            if self._value is None or time.monotonic() - self._at > CACHE_SECONDS:
                self._value = await cluster_capabilities(kube)
                self._at = time.monotonic()
            return self._value


_SHARED: weakref.WeakKeyDictionary[Discovery, CapabilitiesCache] = weakref.WeakKeyDictionary()


def shared_cache(discovery: Discovery) -> CapabilitiesCache:
    """One cache per cluster connection (clients made from one another share discovery), so
    engines created per reconcile do not re-read discovery every time."""
    cache = _SHARED.get(discovery)
    if cache is None:
        cache = _SHARED[discovery] = CapabilitiesCache()
    return cache


async def lookup_object(
    kube: KubeClient, api_version: str, kind: str, namespace: str, name: str
) -> dict[str, Any]:
    """helm's lookup: one object, or a List of all (in one namespace or everywhere); an
    empty map when nothing is found."""
    try:
        res = await kube.resource(api_version, kind)
        if name:
            return await kube.request("GET", res.path(namespace or None, name))
        return await kube.request("GET", res.path(namespace or None))
    except KubeError as err:
        if err.status == 404:
            return {}
        raise


def thread_lookup(kube: KubeClient, loop: asyncio.AbstractEventLoop) -> Lookup:
    """A lookup for the renderer's worker thread (never call it on the loop's own thread)."""

    def lookup(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        future = asyncio.run_coroutine_threadsafe(
            lookup_object(kube, api_version, kind, namespace, name), loop
        )
        return future.result()

    return lookup
