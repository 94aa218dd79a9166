"""The `secret` (default) and `configmap` drivers: one Kubernetes object per revision.

Both talk to the API server through kubernetes_asyncio's CoreV1Api on an ApiClient the caller
owns. Responses are read as raw JSON (`_preload_content=False`): turning a list of 200 large
Secrets into generated model objects costs far more than decoding the records themselves.

Lists of records are read from the API server's watch cache at a resourceVersion no older than
the newest Secret (ConfigMap) this client has been answered with, its own writes included. A list
without resourceVersion is a quorum read that etcd answers by scanning every Secret of the
namespace; on a namespace holding a thousand releases that made the API server's CPU grow with
the square of the fleet. Only versions of objects of the kind count: a 1.20 watch cache moves on
only with events of its own kind, so a list's version (etcd's newest revision, when read from
etcd) could make it wait for an event that never comes. The first list of a client, before it
has seen any record, is a quorum read.
"""

from __future__ import annotations

import abc
import base64
import json
import logging
import weakref
from collections.abc import Awaitable, Mapping
from typing import Any, ClassVar

import aiohttp
from kubernetes_asyncio import client

from steersman.storage.driver import (
    OWNER,
    SECRET_TYPE,
    ReleaseFilter,
    Releases,
    custom_labels,
    object_labels,
)
from steersman.storage.errors import (
    CorruptRecord,
    InvalidRecord,
    RecordTooLarge,
    ReleaseExists,
    ReleaseNotFound,
    StorageError,
    StorageUnavailable,
)
from steersman.storage.record import Release
from steersman.storage.sealing import PLAIN, RecordCodec

log = logging.getLogger(__name__)

# The API server's limit on the summed size of a Secret's or ConfigMap's data (MaxSecretSize).
MAX_OBJECT_DATA = 1024 * 1024


class _Watermark:
    """The newest resourceVersion of one kind that one API client has been answered with,
    from objects (never a list's own version). Versions are etcd
    revisions: the newest is kept by number (several reconciles answer out of order), so a
    list at it sees every write this client made before it. A version that is not a number
    (never from etcd) turns the cache off for that client: quorum reads again."""

    __slots__ = ("usable", "version")

    def __init__(self) -> None:
        self.version = 0
        self.usable = True

    def saw(self, doc: Mapping[str, Any]) -> None:
        """Note the version of an object, or of each item of a list."""
        items = doc.get("items")
        if isinstance(items, list):
            for item in items:
                if isinstance(item, dict):
                    self.saw(item)
            return
        seen = (doc.get("metadata") or {}).get("resourceVersion")
        if not seen:
            return
        try:
            number = int(seen)
        except (TypeError, ValueError):
            self.usable = False
            return
        if number > self.version:
            self.version = number

    def list_version(self) -> str | None:
        return str(self.version) if self.usable and self.version else None


_WATERMARKS: weakref.WeakKeyDictionary[client.ApiClient, dict[str, _Watermark]] = (
    weakref.WeakKeyDictionary()
)


def _watermark(api: client.ApiClient, kind: str) -> _Watermark:
    kinds = _WATERMARKS.get(api)
    if kinds is None:
        kinds = _WATERMARKS[api] = {}
    return kinds.setdefault(kind, _Watermark())


class _KubeDriver(abc.ABC):
    """Shared implementation; subclasses say how the helm string sits in the object."""

    kind: ClassVar[str]

    def __init__(
        self, api_client: client.ApiClient, namespace: str, codec: RecordCodec = PLAIN
    ) -> None:
        self._core = client.CoreV1Api(api_client)
        self._namespace = namespace
        self._codec = codec
        self._seen = _watermark(api_client, self.kind)

    @property
    def name(self) -> str:
        return self.kind

    @property
    def namespace(self) -> str:
        return self._namespace

    # --- subclass hooks ---

    @abc.abstractmethod
    def _payload(self, obj: Mapping[str, Any]) -> str | bytes: ...

    @abc.abstractmethod
    def _body(self, key: str, labels: dict[str, str], encoded: str) -> dict[str, Any]: ...

    @abc.abstractmethod
    def _read(self, key: str) -> Awaitable[Any]: ...

    @abc.abstractmethod
    def _list(self, selector: str, version: str | None) -> Awaitable[Any]: ...

    @abc.abstractmethod
    def _create(self, body: Any) -> Awaitable[Any]: ...

    @abc.abstractmethod
    def _replace(self, key: str, body: Any) -> Awaitable[Any]: ...

    @abc.abstractmethod
    def _remove(self, key: str) -> Awaitable[Any]: ...

    # --- Driver ---

    def _decode(self, obj: Mapping[str, Any]) -> Release:
        key = str((obj.get("metadata") or {}).get("name") or "")
        release = self._codec.decode(key, self._payload(obj))
        release.labels = custom_labels(obj.get("metadata", {}).get("labels") or {})
        return release

    async def get(self, key: str) -> Release:
        obj = await self._call(self._read(key), f"get {key}")
        return self._decode(obj)

    async def list(self, filter: ReleaseFilter | None = None) -> Releases:
        found = await self._items(f"owner={OWNER}")
        return [r for r in found if filter is None or filter(r)]

    async def query(self, labels: Mapping[str, str]) -> Releases:
        selector = ",".join(f"{k}={v}" for k, v in sorted(labels.items()))
        found = await self._items(selector, release=labels.get("name"))
        if not found:
            raise ReleaseNotFound()
        return found

    async def _items(self, selector: str, release: str | None = None) -> Releases:
        """Decoded records; one that cannot be decoded is skipped as helm does, except when
        the query is for one release's history (`release`): then it is a `CorruptRecord`."""
        listing = await self._call(self._list(selector, self._seen.list_version()), "list")
        found: Releases = []
        for obj in listing.get("items") or []:
            try:
                found.append(self._decode(obj))
            except InvalidRecord as exc:
                if release is not None:
                    raise corrupt(self.kind, self._namespace, obj, release, exc) from None
                log.debug(
                    "skipping undecodable %s %s: %s",
                    self.kind,
                    obj.get("metadata", {}).get("name"),
                    exc,
                )
        return found

    async def create(self, key: str, release: Release) -> None:
        body = self._new_object(key, release, created=True)
        await self._call(self._create(body), f"create {key}")

    async def update(self, key: str, release: Release) -> None:
        # A full replace without resourceVersion, as helm does: last writer wins.
        body = self._new_object(key, release, created=False)
        await self._call(self._replace(key, body), f"update {key}")

    async def delete(self, key: str) -> Release:
        release = await self.get(key)
        await self._call(self._remove(key), f"delete {key}")
        return release

    def _new_object(self, key: str, release: Release, *, created: bool) -> Any:
        # A plain dict (typed Any for the client's V1Secret/V1ConfigMap parameters): the client
        # serialises dicts as they are.
        encoded = self._codec.encode(key, release)
        if len(encoded.body) > MAX_OBJECT_DATA:
            raise RecordTooLarge(
                release.name, release.version, len(encoded.body), MAX_OBJECT_DATA, self.kind
            )
        labels = object_labels(release, created=created, key_id=encoded.key_id)
        return self._body(key, labels, encoded.body)

    def _meta(self, key: str, labels: dict[str, str]) -> dict[str, Any]:
        return {"name": key, "namespace": self._namespace, "labels": labels}

    async def _call(self, request: Awaitable[Any], what: str) -> dict[str, Any]:
        """Run a raw request; return its JSON body or raise a typed storage error."""
        try:
            resp = await request
            try:
                raw = await resp.read()
                status = int(resp.status)
            finally:
                resp.release()
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise StorageUnavailable(
                f"{self.kind} storage: {what}: API server unreachable: {type(exc).__name__}"
            ) from None
        try:
            doc = json.loads(raw) if raw else {}
        except ValueError:
            doc = {}
        if 200 <= status < 300:
            if not isinstance(doc, dict):
                return {}
            self._seen.saw(doc)
            return doc
        raise self._error(status, doc, what)

    def _error(self, status: int, doc: Any, what: str) -> StorageError:
        message = doc.get("message", "") if isinstance(doc, dict) else ""
        if status == 404:
            return ReleaseNotFound()
        if status == 409 and what.startswith("create"):
            return ReleaseExists()
        text = f"{self.kind} storage: {what}: HTTP {status}: {message}".rstrip(": ")
        if status == 422:
            return InvalidRecord(text)
        if status == 400:
            return StorageError(text)
        # 401/403 (RBAC), 409 on update, 429 and 5xx: the backend refused; retry may help.
        return StorageUnavailable(text)


def corrupt(
    kind: str, namespace: str, obj: Mapping[str, Any], release: str, exc: Exception
) -> CorruptRecord:
    name = (obj.get("metadata") or {}).get("name") or "?"
    return CorruptRecord(
        f"{kind} {namespace}/{name} is labelled as a record of release {release!r} but cannot "
        f"be decoded ({exc}); nothing was changed. Delete that {kind} (or restore it from a "
        "backup) so the release can go on from its other revisions"
    )


def _at(version: str | None) -> dict[str, Any]:
    # NotOlderThan: the watch cache answers once it has caught up with `version`; without a
    # version neither is sent (a quorum read).
    if version is None:
        return {}
    return {"resource_version": version, "resource_version_match": "NotOlderThan"}


class SecretDriver(_KubeDriver):
    """helm's default `secret` driver: type helm.sh/release.v1, data.release."""

    kind = "Secret"

    def _payload(self, obj: Mapping[str, Any]) -> bytes:
        data = (obj.get("data") or {}).get("release")
        if not data:
            raise InvalidRecord("Secret has no data.release")
        try:
            return base64.b64decode(data, validate=True)  # the API's own base64 of []byte
        except ValueError:
            raise InvalidRecord("Secret data.release is not base64") from None

    def _body(self, key: str, labels: dict[str, str], encoded: str) -> dict[str, Any]:
        wire = base64.b64encode(encoded.encode("ascii")).decode("ascii")
        return {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": self._meta(key, labels),
            "type": SECRET_TYPE,
            "data": {"release": wire},
        }

    def _read(self, key: str) -> Awaitable[Any]:
        return self._core.read_namespaced_secret(key, self._namespace, _preload_content=False)

    def _list(self, selector: str, version: str | None) -> Awaitable[Any]:
        return self._core.list_namespaced_secret(
            self._namespace,
            label_selector=selector,
            _preload_content=False,
            **_at(version),
        )

    def _create(self, body: Any) -> Awaitable[Any]:
        return self._core.create_namespaced_secret(self._namespace, body, _preload_content=False)

    def _replace(self, key: str, body: Any) -> Awaitable[Any]:
        return self._core.replace_namespaced_secret(
            key, self._namespace, body, _preload_content=False
        )

    def _remove(self, key: str) -> Awaitable[Any]:
        return self._core.delete_namespaced_secret(key, self._namespace, _preload_content=False)


class ConfigMapDriver(_KubeDriver):
    """helm's `configmap` driver: data.release holds the helm string as is."""

    kind = "ConfigMap"

    def _payload(self, obj: Mapping[str, Any]) -> str:
        data = (obj.get("data") or {}).get("release")
        if not isinstance(data, str) or not data:
            raise InvalidRecord("ConfigMap has no data.release")
        return data

    def _body(self, key: str, labels: dict[str, str], encoded: str) -> dict[str, Any]:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": self._meta(key, labels),
            "data": {"release": encoded},
        }

    def _read(self, key: str) -> Awaitable[Any]:
        return self._core.read_namespaced_config_map(key, self._namespace, _preload_content=False)

    def _list(self, selector: str, version: str | None) -> Awaitable[Any]:
        return self._core.list_namespaced_config_map(
            self._namespace,
            label_selector=selector,
            _preload_content=False,
            **_at(version),
        )

    def _create(self, body: Any) -> Awaitable[Any]:
        return self._core.create_namespaced_config_map(
            self._namespace, body, _preload_content=False
        )

    def _replace(self, key: str, body: Any) -> Awaitable[Any]:
        return self._core.replace_namespaced_config_map(
            key, self._namespace, body, _preload_content=False
        )

    def _remove(self, key: str) -> Awaitable[Any]:
        return self._core.delete_namespaced_config_map(key, self._namespace, _preload_content=False)
