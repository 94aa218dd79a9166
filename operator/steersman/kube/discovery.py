"""apiVersion/kind -> REST resource, from the apiserver's discovery documents.

One discovery request per group/version, cached. A kind missing from the cache triggers one
re-read of its group/version, so kinds from freshly installed CRDs are found without a restart.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from steersman.kube.errors import NotFound, UnknownKind


def group_version_path(api_version: str) -> str:
    """`v1` lives under /api, everything else (`apps/v1`) under /apis."""
    return f"/api/{api_version}" if "/" not in api_version else f"/apis/{api_version}"


@dataclass(frozen=True)
class Resource:
    """Where objects of one kind live in the REST API."""

    api_version: str
    kind: str
    plural: str
    namespaced: bool

    @property
    def base(self) -> str:
        return group_version_path(self.api_version)

    def path(self, namespace: str | None = None, name: str | None = None) -> str:
        parts = [self.base]
        if self.namespaced and namespace:
            parts.append(f"namespaces/{quote(namespace, safe='')}")
        parts.append(self.plural)
        if name is not None:
            parts.append(quote(name, safe=""))
        return "/".join(parts)


Fetch = Callable[[str], Awaitable[dict[str, Any]]]


class Discovery:
    def __init__(self, fetch: Fetch) -> None:
        self._fetch = fetch
        self._by_gv: dict[str, dict[str, Resource]] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    async def resource(self, api_version: str, kind: str) -> Resource:
        kinds = self._by_gv.get(api_version)
        if kinds is None or kind not in kinds:
            kinds = await self._load(api_version, stale=kinds)
        found = kinds.get(kind)
        if found is None:
            raise UnknownKind(
                f'no matches for kind "{kind}" in version "{api_version}"'
                " (is its CustomResourceDefinition installed?)"
            )
        return found

    def invalidate(self, api_version: str | None = None) -> None:
        """Forget one group/version (or all): the next lookup re-reads discovery."""
        if api_version is None:
            self._by_gv.clear()
        else:
            self._by_gv.pop(api_version, None)

    async def _load(
        self, api_version: str, stale: dict[str, Resource] | None
    ) -> dict[str, Resource]:
        lock = self._locks.setdefault(api_version, asyncio.Lock())
        async with lock:
            current = self._by_gv.get(api_version)
            if current is not None and current is not stale:
                return current  # another task refreshed it while we waited
            path = group_version_path(api_version)
            try:
                doc = await self._fetch(path)
            except NotFound:
                doc = {"resources": []}
            kinds: dict[str, Resource] = {}
            for item in doc.get("resources") or []:
                name = str(item.get("name", ""))
                if not name or "/" in name:  # subresources such as deployments/status
                    continue
                kind = str(item.get("kind", ""))
                kinds.setdefault(
                    kind,
                    Resource(api_version, kind, name, bool(item.get("namespaced", False))),
                )
            self._by_gv[api_version] = kinds
            return kinds
