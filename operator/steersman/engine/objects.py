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

import yaml

from steersman.chart import split_manifests
from steersman.engine.errors import ManifestInvalid
from steersman.golang.gostr import go_trim_space
from steersman.golang.yamlresolve import go_like_loader
from steersman.kube import KubeClient

Obj = dict[str, Any]


# YAML the way sigs.k8s.io/yaml reads it into JSON: timestamps stay strings, `=` is a string.
_JsonLoader = go_like_loader(yaml.SafeLoader, timestamps=False)
# The same with libyaml's parser, when PyYAML has it: resolvers and constructors stay PyYAML's
# own, only scanning and parsing move to C (parsing manifests was a quarter of the operator's
# CPU at 100 releases). A document libyaml refuses is read again by the pure parser, so an
# invalid manifest is reported in the words it always was.
_FastJsonLoader = (
    go_like_loader(yaml.CSafeLoader, timestamps=False) if yaml.__with_libyaml__ else None
)


_KNOWN_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp", "binary")
)
_MAP_TAG, _SEQ_TAG, _STR_TAG = (f"tag:yaml.org,2002:{t}" for t in ("map", "seq", "str"))


def _construct_document(self: yaml.SafeLoader, node: yaml.Node) -> Any:
    """go-yaml ignores a collection's tag and any scalar tag it does not resolve (`!foo x`
    is "x", `!!set` a mapping): retag the tree so PyYAML builds what sigs.k8s.io/yaml would."""
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if id(n) in seen:
            continue  # an alias: the same node again
        seen.add(id(n))
        if isinstance(n, yaml.MappingNode):
            n.tag = _MAP_TAG
            for key, value in n.value:
                if not (key.tag == "tag:yaml.org,2002:merge" and key.value == "<<"):
                    todo.append(key)
                todo.append(value)
        elif isinstance(n, yaml.SequenceNode):
            n.tag = _SEQ_TAG
            todo.extend(n.value)
        elif n.tag not in _KNOWN_SCALAR_TAGS:
            n.tag = _STR_TAG
    return yaml.SafeLoader.construct_document(self, node)


# Only a document with an explicit tag (a `!` somewhere) needs the retagging walk: without one,
# every node already carries the tag go-yaml would give it, and the walk is a hot path's waste.
_TaggedJsonLoader: Any = type("GoLikeTaggedSafeLoader", (_JsonLoader,), {})
_TaggedJsonLoader.construct_document = _construct_document


def _load(doc: str) -> Any:
    if "!" in doc:
        return yaml.load(doc, Loader=_TaggedJsonLoader)
    if _FastJsonLoader is not None:
        try:
            return yaml.load(doc, Loader=_FastJsonLoader)
        except yaml.YAMLError:
            pass
    return yaml.load(doc, Loader=_JsonLoader)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, bytes):  # !!binary: go-yaml gives the decoded bytes as a string
        return value.decode("utf-8", "replace")
    return value


def parse_documents(manifest: str) -> list[Obj]:
    """Every object in a manifest stream, in order; comment-only documents are skipped."""
    out: list[Obj] = []
    for doc in split_manifests(manifest):
        if not go_trim_space(doc):
            continue
        try:
            data = _load(doc)
        except yaml.YAMLError as err:
            raise ManifestInvalid(f"error parsing manifest: {err}") from None
        if data is None:
            continue
        if not isinstance(data, dict):
            raise ManifestInvalid("error parsing manifest: a document is not an object")
        data = _jsonable(data)
        if data.get("kind") == "List":
            items = data.get("items")
            if isinstance(items, list):
                out.extend(i for i in items if isinstance(i, dict))
                continue
        out.append(data)
    return out


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
