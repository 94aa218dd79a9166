"""Kubernetes objects of a release: parsed from manifest text, keyed like Helm's ResourceList.

A release manifest is a stream of `---`-separated documents. Each non-empty document becomes one
`Target`: the object as a JSON-ready dict plus where it lives. The namespace of a namespaced
object defaults to the release namespace (as `kubectl`/Helm's builder does); cluster-scoped
objects get none, which needs discovery, so `resolve` is async.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from steersman.chart import split_manifests
from steersman.engine.errors import ManifestInvalid
from steersman.golang import goyaml
from steersman.golang.gostr import go_trim_space
from steersman.golang.jsonout import json_kind
from steersman.kube import KubeClient

Obj = dict[str, Any]


def parse_documents(manifest: str) -> list[Obj]:
    """Every object in a manifest stream, in order; comment-only documents are skipped."""
    out: list[Obj] = []
    for doc in split_manifests(manifest):
        if not go_trim_space(doc):
            continue
        try:
            # kube's resource builder: sigs.k8s.io/yaml's YAML-to-JSON over go-yaml v2 (tags
            # as go-yaml reads them, `!!timestamp` the text written, `y` a bool).
            data = goyaml.yaml_to_json(doc)
        except goyaml.YAMLError as err:
            raise ManifestInvalid(f"error parsing manifest: {err}") from None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ManifestInvalid("error parsing manifest: a document is not an object")
        if data.get("kind") == "List":
            items = data.get("items")
            if isinstance(items, list):
                objects = [i for i in items if isinstance(i, dict)]
                for item in objects:
                    _check_metadata(item)
                out.extend(objects)
                continue
        _check_metadata(data)
        out.append(data)
    return out


# ObjectMeta's fields with a Go type a YAML 1.1 scalar can miss (an unquoted `y`, `on` or `1.0`).
_META_TYPES = {
    "name": "string",
    "generateName": "string",
    "namespace": "string",
    "labels": "map[string]string",
    "annotations": "map[string]string",
}


def _check_metadata(obj: Obj) -> None:
    """Refuse what kube's resource builder cannot decode into ObjectMeta, in helm's words
    (`helm install` fails there too, before the cluster is touched); the apiserver would
    otherwise refuse the object halfway through an apply."""
    problem = _metadata_error(obj)
    if problem is not None:
        raise ManifestInvalid(
            "unable to build kubernetes objects from release manifest: unable to decode "
            f'"": {problem} (an unquoted y, n, yes, no, on, off or number in the templates '
            "is a bool or number in YAML 1.1: quote it)"
        )


def _metadata_error(obj: Obj) -> str | None:
    """encoding/json's first type error decoding `metadata` (fields in document order)."""
    meta = obj.get("metadata")
    if meta is None:
        return None
    if not isinstance(meta, dict):
        return _type_error(meta, f"{obj.get('kind')}.metadata", "v1.ObjectMeta")
    for field, value in meta.items():
        go_type = _META_TYPES.get(field)
        if go_type is None or value is None:
            continue
        path = f"ObjectMeta.metadata.{field}"
        if go_type == "string":
            if not isinstance(value, str):
                return _type_error(value, path, go_type)
        elif not isinstance(value, dict):
            return _type_error(value, path, go_type)
        else:
            for item in value.values():
                if item is not None and not isinstance(item, str):
                    return _type_error(item, path, "string")
    return None


def _type_error(value: Any, where: str, go_type: str) -> str:
    return (
        f"json: cannot unmarshal {json_kind(value)} into Go struct field {where} of type {go_type}"
    )


@dataclass(frozen=True)
class ObjectKey:
    """Identity of an object across API versions (Helm matches by group, kind, ns and name)."""

    group: str
    kind: str
    namespace: str
    name: str


@dataclass
class Target:
    obj: Obj
    api_version: str
    kind: str
    name: str
    namespace: str | None  # None for cluster-scoped objects

    @property
    def key(self) -> ObjectKey:
        group = self.api_version.rpartition("/")[0]
        return ObjectKey(group, self.kind, self.namespace or "", self.name)

    @property
    def annotations(self) -> Mapping[str, str]:
        return (self.obj.get("metadata") or {}).get("annotations") or {}

    def describe(self) -> str:
        """Helm's `resourceString`: `Kind "name" in namespace "ns"`."""
        return f'{self.kind} "{self.name}" in namespace "{self.namespace or ""}"'


async def resolve(kube: KubeClient, obj: Obj, default_namespace: str) -> Target:
    api_version = str(obj.get("apiVersion") or "")
    kind = str(obj.get("kind") or "")
    meta = obj.get("metadata") or {}
    name = str(meta.get("name") or "")
    if not api_version or not kind:
        raise ManifestInvalid(f"object {name!r} has no apiVersion or kind")
    if not name:
        raise ManifestInvalid(f"a {kind} has no metadata.name")
    res = await kube.resource(api_version, kind)
    ns: str | None = None
    if res.namespaced:
        ns = str(meta.get("namespace") or default_namespace)
        if meta.get("namespace") != ns:
            obj = {**obj, "metadata": {**meta, "namespace": ns}}
    return Target(obj, api_version, kind, name, ns)


async def resolve_all(
    kube: KubeClient, objects: Iterable[Obj], default_namespace: str
) -> list[Target]:
    return list(await asyncio.gather(*(resolve(kube, o, default_namespace) for o in objects)))


def difference(old: Sequence[Target], new: Sequence[Target]) -> list[Target]:
    """Objects of `old` that `new` no longer has (Helm's ResourceList.Difference)."""
    keep = {t.key for t in new}
    return [t for t in old if t.key not in keep]
