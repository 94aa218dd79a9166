"""Run the post-render steps over a rendered manifest, as Flux's helm-controller does: each
kustomize post-renderer (its images, then its patches in order), then the common metadata.

The result is one `---`-separated stream of the objects in their rendered order (kustomize's
`fifo`, which Flux uses), each written with sorted keys like kustomize writes them. With no
steps, the manifest is returned untouched.
"""

from __future__ import annotations

from typing import Any

import yaml

from steersman.golang.yamlout import YAMLMarshalError, marshal
from steersman.postrender.images import set_images
from steersman.postrender.json6902 import apply_json6902
from steersman.postrender.model import Kustomize, Patch, PostRender, PostRenderError
from steersman.postrender.schema import BUILTIN, MergeSchema
from steersman.postrender.selector import Matcher
from steersman.postrender.strategic import Merger

Obj = dict[str, Any]


class _Loader(yaml.SafeLoader):
    """YAML read the way sigs.k8s.io/yaml reads it: timestamps stay strings."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _load_all(text: str, what: str) -> list[Any]:
    try:
        return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise PostRenderError(f"{what} is not valid YAML: {first}") from None


def _key(obj: Obj) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return (
        str(obj.get("apiVersion") or ""),
        str(obj.get("kind") or ""),
        str(meta.get("name") or ""),
        str(meta.get("namespace") or ""),
    )


def _describe(patch: Patch) -> str:
    first = patch.patch.strip().splitlines()[0] if patch.patch.strip() else ""
    return f"patch {first[:60]!r}"


def _apply_patch(objects: list[Obj], patch: Patch, merger: Merger) -> list[Obj]:
    docs = _load_all(patch.patch, _describe(patch))
    if len(docs) == 1 and isinstance(docs[0], list):
        if patch.target is None:
            raise PostRenderError(f"{_describe(patch)}: a JSON 6902 patch needs a target")
        matches = Matcher(patch.target)
        return [apply_json6902(o, docs[0]) if matches(o) else o for o in objects]
    if not docs or not all(isinstance(d, dict) for d in docs):
        raise PostRenderError(
            f"{_describe(patch)}: neither a strategic-merge patch nor a JSON 6902 patch"
        )
    if patch.target is not None:
        if len(docs) > 1:
            raise PostRenderError(f"{_describe(patch)}: one object per patch with a target")
        matches = Matcher(patch.target)
        out: list[Obj] = []
        for obj in objects:
            merged = merger.merge_object(obj, _aimed(docs[0], obj)) if matches(obj) else obj
            if merged is not None:
                out.append(merged)
        return out
    for doc in docs:
        objects = _merge_by_identity(objects, doc, merger, _describe(patch))
    return objects


def _aimed(patch: Obj, obj: Obj) -> Obj:
    """A targeted patch keeps each target's identity (kustomize ignores the patch's own)."""
    out = dict(patch)
    out["apiVersion"], out["kind"] = obj.get("apiVersion"), obj.get("kind")
    meta = dict(patch.get("metadata") or {})
    for field in ("name", "namespace"):
        if (obj.get("metadata") or {}).get(field) is not None:
            meta[field] = obj["metadata"][field]
        else:
            meta.pop(field, None)
    out["metadata"] = meta
    return out


def _merge_by_identity(objects: list[Obj], doc: Obj, merger: Merger, what: str) -> list[Obj]:
    want = _key(doc)
    found = [i for i, o in enumerate(objects) if _key(o)[:3] == want[:3] and _same_ns(o, want)]
    if len(found) != 1:
        api_version, kind, name, ns = want
        where = f"{ns}/" if ns else ""
        raise PostRenderError(
            f"{what}: no single object {api_version} {kind} {where}{name} to patch "
            f"(found {len(found)}); give the patch a target"
        )
    merged = merger.merge_object(objects[found[0]], doc)
    rest = objects[: found[0]] + objects[found[0] + 1 :]
    return rest if merged is None else [*rest[: found[0]], merged, *rest[found[0] :]]


def _same_ns(obj: Obj, want: tuple[str, str, str, str]) -> bool:
    have = _key(obj)[3]
    return want[3] == have or {want[3], have} <= {"", "default"}


def _drop_empty_annotations(obj: Obj) -> Obj:
    # kustomize rewrites a patched object's annotations afterwards, and an empty map goes.
    meta = obj.get("metadata")
    if isinstance(meta, dict) and meta.get("annotations") == {}:
        del meta["annotations"]
    return obj


def _kustomize(objects: list[Obj], step: Kustomize, merger: Merger) -> list[Obj]:
    for obj in objects:
        set_images(obj, step.images)
    for patch in step.patches:
        objects = [_drop_empty_annotations(o) for o in _apply_patch(objects, patch, merger)]
    return objects


def _common(objects: list[Obj], labels: dict[str, str], annotations: dict[str, str]) -> None:
    for obj in objects:
        meta = obj.setdefault("metadata", {})
        if labels:
            meta["labels"] = {**(meta.get("labels") or {}), **labels}
        if annotations:
            meta["annotations"] = {**(meta.get("annotations") or {}), **annotations}


def post_render_objects(
    objects: list[Obj], spec: PostRender, schema: MergeSchema = BUILTIN
) -> list[Obj]:
    merger = Merger(schema)
    for step in spec.kustomize:
        objects = _kustomize(objects, step, merger)
    _common(objects, spec.common_labels, spec.common_annotations)
    return objects


def post_render(manifest: str, spec: PostRender, schema: MergeSchema = BUILTIN) -> str:
    """The manifest after every step (see the module docstring)."""
    if spec.empty():
        return manifest
    docs = _load_all(manifest, "the rendered manifest")
    objects: list[Obj] = []
    for doc in docs:
        if not isinstance(doc, dict):
            raise PostRenderError("the rendered manifest holds a document that is not an object")
        if doc.get("kind") == "List" and isinstance(doc.get("items"), list):
            objects.extend(i for i in doc["items"] if isinstance(i, dict))
        else:
            objects.append(doc)
    objects = post_render_objects(objects, spec, schema)
    try:
        return "---\n".join(marshal(o) for o in objects)
    except YAMLMarshalError as err:
        raise PostRenderError(f"a post-rendered object cannot be written: {err}") from None
