"""Client-side OpenAPI validation of rendered objects, as Helm does before applying.

Helm builds the manifest with kubectl's schema validation (unless `--disable-openapi-validation`):
each object is walked against the definition the apiserver's /openapi/v2 publishes for its
group/version/kind, and a field the definition does not know is an error. Without it the 1.20
apiserver silently drops such a field under client-side apply, and server-side apply refuses it
only once the pending record is stored ("field not declared in schema"). Only unknown fields are
checked here (not kubectl's required-field and type checks). Objects whose kind has no definition
(unknown kinds, custom resources whose CRD publishes no schema) are not checked, as in kubectl.

`compile_definitions` keeps of the document only what the walk needs (no descriptions, no
primitive types), so the cached result stays a fraction of the document's size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from steersman.golang.quote import go_quote

_GVK = "x-kubernetes-group-version-kind"
_PRESERVE = "x-kubernetes-preserve-unknown-fields"
_REF_PREFIX = "#/definitions/"


@dataclass(frozen=True, slots=True)
class Ref:
    name: str  # a definition


@dataclass(frozen=True, slots=True)
class Fields:
    """An object schema with `properties`: other keys are unknown unless `extra` admits them."""

    path: str  # how kubectl names the schema in its error: the definition, then inline fields
    fields: Mapping[str, Node]
    extra: Node | bool = False  # additionalProperties' schema; True: anything


@dataclass(frozen=True, slots=True)
class Values:
    """A map: every value follows `item` (additionalProperties)."""

    item: Node


@dataclass(frozen=True, slots=True)
class Items:
    item: Node


# None: nothing to check below (a primitive, or an object that admits anything).
Node = Ref | Fields | Values | Items | None


@dataclass(frozen=True)
class Definitions:
    types: Mapping[str, Node]
    roots: Mapping[tuple[str, str, str], str]  # (group, version, kind) -> definition

    def root(self, api_version: str, kind: str) -> str | None:
        group, _, version = api_version.rpartition("/")
        return self.roots.get((group, version, kind))


def _compile(schema: Any, path: str) -> Node:
    if not isinstance(schema, Mapping):
        return None
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return Ref(ref[len(_REF_PREFIX) :]) if ref.startswith(_REF_PREFIX) else None
    if schema.get(_PRESERVE) is True:
        return None
    kind = schema.get("type")
    if kind == "array":
        item = _compile(schema.get("items"), path)
        return Items(item) if item is not None else None
    if kind not in (None, "object"):
        return None
    extra_schema = schema.get("additionalProperties")
    extra: Node | bool
    if isinstance(extra_schema, Mapping):
        extra = _compile(extra_schema, path)
        extra = True if extra is None else extra
    else:
        extra = extra_schema is True
    props = schema.get("properties")
    if isinstance(props, Mapping):
        fields = {str(k): _compile(v, f"{path}.{k}") for k, v in props.items()}
        return Fields(path, fields, extra)
    if isinstance(extra, bool):
        return None  # no properties: any key (kubectl treats it as a free-form map)
    return Values(extra)


def compile_definitions(doc: Mapping[str, Any]) -> Definitions:
    """What the walk needs of an apiserver's /openapi/v2 document."""
    definitions = doc.get("definitions") or {}
    types: dict[str, Node] = {}
    roots: dict[tuple[str, str, str], str] = {}
    for name, definition in definitions.items():
        types[name] = _compile(definition, name)
        gvks = definition.get(_GVK) if isinstance(definition, Mapping) else None
        for gvk in gvks or []:
            key = (str(gvk.get("group", "")), str(gvk.get("version", "")), str(gvk.get("kind", "")))
            roots[key] = name
    return Definitions(types, roots)


def _walk(defs: Definitions, node: Node, value: Any, path: str, errors: list[str]) -> None:
    seen: set[str] = set()
    while isinstance(node, Ref) and node.name not in seen:
        seen.add(node.name)
        node = defs.types.get(node.name)
    if isinstance(node, Items):
        if isinstance(value, list):
            for i, item in enumerate(value):
                if item is not None:
                    _walk(defs, node.item, item, f"{path}[{i}]", errors)
    elif isinstance(node, Values):
        if isinstance(value, dict):
            for key in sorted(value):
                if value[key] is not None:
                    _walk(defs, node.item, value[key], f"{path}.{key}", errors)
    elif isinstance(node, Fields) and isinstance(value, dict):
        # kubectl's order: keys sorted, a null value skipped (the apiserver drops it too)
        for key in sorted(value):
            if value[key] is None:
                continue
            if key in node.fields:
                _walk(defs, node.fields[key], value[key], f"{path}.{key}", errors)
            elif node.extra is False:
                errors.append(
                    f"ValidationError({path}): unknown field {go_quote(key)} in {node.path}"
                )
            elif node.extra is not True:
                _walk(defs, node.extra, value[key], f"{path}.{key}", errors)


def unknown_fields(defs: Definitions, obj: Mapping[str, Any]) -> list[str]:
    """kubectl's validation errors for the fields of `obj` its definition does not know."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return []
    root = defs.root(api_version, kind)
    if root is None:
        return []
    errors: list[str] = []
    _walk(defs, Ref(root), obj, kind, errors)
    return errors


def validation_error(defs: Definitions, objects: list[dict[str, Any]]) -> str | None:
    """The message kubectl's builder gives for the first invalid object (it stops there, with
    one object's errors aggregated as `[a, b]`), Helm's wording (its --validate hint removed);
    None when every object is valid."""
    for obj in objects:
        errors = list(dict.fromkeys(unknown_fields(defs, obj)))
        if errors:
            joined = errors[0] if len(errors) == 1 else f"[{', '.join(errors)}]"
            return f'error validating "": error validating data: {joined}'
    return None
