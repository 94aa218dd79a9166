"""KubeClient: the few generic operations the engine and controller need, on any kind.

Objects are plain dicts (the JSON the apiserver speaks), so a manifest rendered from a chart goes
in as it is. Every failure comes out as a typed `KubeError`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from typing import Any, Literal

from kubernetes_asyncio import client, config

from steersman.kube import kubeconfig
from steersman.kube.discovery import Discovery, Resource
from steersman.kube.errors import Invalid, KubeError, from_status, translate
from steersman.kube.session import new_api_client

FIELD_MANAGER = "steersman"
Propagation = Literal["Background", "Foreground", "Orphan"]
Objects = list[dict[str, Any]]  # (named here: inside KubeClient, `list` is the method)
# Lists and watches of metadata only (meta.k8s.io PartialObjectMetadata): what a Secret holds
# never reaches the operator when it only needs to know that the Secret changed.
# A list asks for the List form; a watch for the single form (each event holds one object: with
# the List form first, a 1.20 apiserver keeps the watch open and sends nothing).
METADATA_ONLY_LIST = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
METADATA_ONLY_WATCH = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1"


class KubeClient:
    """A thin async facade over one kubernetes_asyncio ApiClient.

    `impersonate(...)` returns a client that sends every call as a service account (the
    apiserver checks that account's RBAC), sharing the connection pool and discovery cache.
    """

    def __init__(
        self,
        api: client.ApiClient,
        *,
        field_manager: str = FIELD_MANAGER,
        impersonate_headers: Mapping[str, str] | None = None,
        discovery: Discovery | None = None,
    ) -> None:
        self.api = api
        self.field_manager = field_manager
        self._headers = dict(impersonate_headers or {})
        self.discovery = discovery or Discovery(self._get_json)
        self.expires_at: float | None = None  # when the credentials expire (exec), if they do

    @classmethod
    async def from_kubeconfig(cls, path: str | None = None) -> KubeClient:
        """From a kubeconfig file, or the in-cluster service account when path is None and
        the process runs in a pod."""
        cfg = client.Configuration()
        if path is None:
            try:
                config.load_incluster_config(client_configuration=cfg)  # type: ignore[no-untyped-call]
            except config.ConfigException:
                await config.load_kube_config(client_configuration=cfg)
        else:
            await config.load_kube_config(config_file=path, client_configuration=cfg)
        return cls(new_api_client(cfg))

    @classmethod
    async def from_kubeconfig_data(
        cls, raw: bytes, *, allow_exec: bool = False, allow_insecure_tls: bool = False
    ) -> KubeClient:
        """From the bytes of a kubeconfig that someone else wrote (a remote cluster's): its
        current context, checked by `kubeconfig.check`, nothing read from files."""
        cfg = kubeconfig.parse(raw)
        kubeconfig.check(cfg, allow_exec=allow_exec, allow_insecure_tls=allow_insecure_tls)
        api, expires = await kubeconfig.api_client(cfg)
        made = cls(api)
        made.expires_at = expires
        return made

    async def close(self) -> None:
        await self.api.close()

    def impersonate(self, namespace: str, service_account: str) -> KubeClient:
        headers = {
            "Impersonate-User": f"system:serviceaccount:{namespace}:{service_account}",
        }
        return KubeClient(
            self.api,
            field_manager=self.field_manager,
            impersonate_headers=headers,
            discovery=self.discovery,
        )

    def with_field_manager(self, field_manager: str) -> KubeClient:
        """The same client (connection pool, impersonation, discovery) applying as another
        field manager."""
        if field_manager == self.field_manager:
            return self
        return KubeClient(
            self.api,
            field_manager=field_manager,
            impersonate_headers=self._headers,
            discovery=self.discovery,
        )

    # -- raw requests ---------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: list[tuple[str, str]] | None = None,
        body: Any = None,
        content_type: str = "application/json",
        accept: str = "application/json",
    ) -> dict[str, Any]:
        headers = {"Accept": accept, "Content-Type": content_type, **self._headers}
        try:
            result = await self.api.call_api(
                path,
                method,
                query_params=query or [],
                header_params=headers,
                body=body,
                response_types_map={200: "object", 201: "object", 202: "object"},
                auth_settings=["BearerToken"],
                _return_http_data_only=True,
            )
        except BaseException as err:
            typed = translate(err)
            if typed is None:
                raise
            raise typed from None
        return result if isinstance(result, dict) else {}

    async def _get_json(self, path: str) -> dict[str, Any]:
        return await self.request("GET", path)

    # -- typed operations -----------------------------------------------------------------

    async def resource(self, api_version: str, kind: str) -> Resource:
        return await self.discovery.resource(api_version, kind)

    async def _locate(
        self, obj: Mapping[str, Any], namespace: str | None, *, generate_name: bool = False
    ) -> tuple[Resource, str, str | None]:
        api_version, kind = obj.get("apiVersion"), obj.get("kind")
        meta = obj.get("metadata") or {}
        name = meta.get("name") or (generate_name and meta.get("generateName"))
        if not api_version or not kind or not name:
            raise Invalid("object needs apiVersion, kind and metadata.name")
        res = await self.resource(str(api_version), str(kind))
        ns = (meta.get("namespace") or namespace) if res.namespaced else None
        if res.namespaced and not ns:
            raise Invalid(f"{kind} {name} is namespaced but has no namespace")
        return res, str(name), ns

    async def apply(
        self,
        obj: Mapping[str, Any],
        *,
        namespace: str | None = None,
        force: bool = True,
        dry_run: bool = False,
    ) -> dict[str, Any]:
        """Server-side apply `obj` with our field manager; returns the live object."""
        res, name, ns = await self._locate(obj, namespace)
        body = dict(obj)
        if ns is not None:
            body["metadata"] = {**(obj.get("metadata") or {}), "namespace": ns}
        query = [("fieldManager", self.field_manager)]
        if force:
            query.append(("force", "true"))
        if dry_run:
            query.append(("dryRun", "All"))
        return await self.request(
            "PATCH",
            res.path(ns, name),
            query=query,
            body=body,
            content_type="application/apply-patch+yaml",
        )

    async def create(
        self, obj: Mapping[str, Any], *, namespace: str | None = None
    ) -> dict[str, Any]:
        res, _, ns = await self._locate(obj, namespace, generate_name=True)  # or generateName
        body = dict(obj)
        if ns is not None:
            body["metadata"] = {**(obj.get("metadata") or {}), "namespace": ns}
        return await self.request(
            "POST", res.path(ns), query=[("fieldManager", self.field_manager)], body=body
        )

    async def get(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any]:
        res = await self.resource(api_version, kind)
        return await self.request("GET", res.path(namespace if res.namespaced else None, name))

    async def get_or_none(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None:
        try:
            return await self.get(api_version, kind, name, namespace)
        except KubeError as err:
            if err.status == 404:
                return None
            raise

    async def list(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
    ) -> list[dict[str, Any]]:
        """All objects of a kind (in one namespace, or everywhere when namespace is None)."""
        items, _ = await self.list_with_version(
            api_version, kind, namespace, label_selector=label_selector
        )
        return items

    async def list_with_version(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        *,
        label_selector: str | None = None,
        metadata_only: bool = False,
    ) -> tuple[Objects, str]:
        """All objects of a kind and the list's resourceVersion (where a watch starts)."""
        res = await self.resource(api_version, kind)
        query: list[tuple[str, str]] = []
        if label_selector:
            query.append(("labelSelector", label_selector))
        accept = METADATA_ONLY_LIST if metadata_only else "application/json"
        items: Objects = []
        while True:
            page = await self.request(
                "GET", res.path(namespace if res.namespaced else None), query=query, accept=accept
            )
            items.extend(page.get("items") or [])
            meta = page.get("metadata") or {}
            token = meta.get("continue")
            if not token:
                return items, str(meta.get("resourceVersion") or "")
            query = [q for q in query if q[0] != "continue"] + [("continue", token)]

    async def watch(
        self,
        api_version: str,
        kind: str,
        namespace: str | None = None,
        *,
        resource_version: str,
        label_selector: str | None = None,
        metadata_only: bool = False,
        timeout_seconds: int = 300,
    ) -> AsyncIterator[tuple[str, dict[str, Any]]]:
        """(type, object) for each change after `resource_version`, until the apiserver ends
        the watch (after about `timeout_seconds`). An expired version (410) raises KubeError
        with status 410: list again, then watch from the new version."""
        res = await self.resource(api_version, kind)
        query = [
            ("watch", "true"),
            ("resourceVersion", resource_version),
            ("allowWatchBookmarks", "true"),
            ("timeoutSeconds", str(timeout_seconds)),
        ]
        if label_selector:
            query.append(("labelSelector", label_selector))
        accept = METADATA_ONLY_WATCH if metadata_only else "application/json"
        try:
            resp = await self.api.call_api(
                res.path(namespace if res.namespaced else None),
                "GET",
                query_params=query,
                header_params={"Accept": accept, **self._headers},
                auth_settings=["BearerToken"],
                _preload_content=False,
                _request_timeout=timeout_seconds + 30,
            )
            async with resp:
                if not 200 <= resp.status <= 299:
                    raise from_status(resp.status, await resp.read(), str(resp.reason or ""))
                while line := await resp.content.readline():
                    event = json.loads(line)
                    obj = event.get("object") or {}
                    if event.get("type") == "ERROR":  # a Status: 410 when the version expired
                        raise from_status(int(obj.get("code") or 500), obj)
                    yield str(event.get("type")), obj
        except (GeneratorExit, KubeError):
            raise
        except BaseException as err:
            typed = translate(err)
            if typed is None:
                raise
            raise typed from None

    async def delete(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None = None,
        *,
        propagation: Propagation = "Background",
    ) -> bool:
        """Delete one object. False if it was already gone."""
        res = await self.resource(api_version, kind)
        body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": propagation}
        try:
            await self.request(
                "DELETE", res.path(namespace if res.namespaced else None, name), body=body
            )
        except KubeError as err:
            if err.status == 404:
                return False
            raise
        return True

    async def patch_status(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None,
        status: Mapping[str, Any],
    ) -> dict[str, Any]:
        """Merge-patch the status subresource."""
        res = await self.resource(api_version, kind)
        path = res.path(namespace if res.namespaced else None, name) + "/status"
        return await self.request(
            "PATCH",
            path,
            body={"status": dict(status)},
            content_type="application/merge-patch+json",
        )

    async def merge_patch(
        self,
        api_version: str,
        kind: str,
        name: str,
        namespace: str | None,
        patch: Mapping[str, Any],
    ) -> dict[str, Any]:
        res = await self.resource(api_version, kind)
        return await self.request(
            "PATCH",
            res.path(namespace if res.namespaced else None, name),
            body=dict(patch),
            content_type="application/merge-patch+json",
        )
