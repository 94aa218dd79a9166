"""Turn a pydantic JSON schema into a Kubernetes structural schema (apiextensions.k8s.io/v1).

pydantic emits JSON Schema 2020-12: `$ref`s into `$defs`, `anyOf` with `{"type": "null"}` for
optional fields, titles, `additionalProperties: false` for closed models. A CRD needs the opposite:
everything inlined, a `type` on every node, no null branches (we omit unset fields instead of
sending null), and `x-kubernetes-preserve-unknown-fields` for free-form objects. Anything we do not
know how to express raises `SchemaError`, so a new model feature cannot slip into the CRD in a
form the apiserver rejects or silently ignores.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from steersman.errors import SteersmanError

# Keywords we emit, in the order they appear in the YAML (readability; also keeps it stable).
KEY_ORDER = (
    "type",
    "format",
    "description",
    "enum",
    "default",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "required",
    "properties",
    "additionalProperties",
    "items",
    "x-kubernetes-preserve-unknown-fields",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
)
_DROPPED = {"title", "$defs", "examples"}
_NULL = {"type": "null"}


class SchemaError(SteersmanError, ValueError):
    """The pydantic schema uses something a structural schema cannot express."""


def to_structural(schema: Mapping[str, Any], *, description_limit: int = 200) -> dict[str, Any]:
    """The structural form of a pydantic `model_json_schema(by_alias=True)` result."""
    defs = schema.get("$defs", {})
    return _convert(schema, defs, "", description_limit)


def short_description(text: str, limit: int) -> str:
    """The first paragraph on one line, cut at `limit` characters: kubectl explain stays terse."""
    first = " ".join(text.strip().split("\n\n")[0].split())
    if len(first) <= limit:
        return first
    return first[: limit - 1].rstrip() + "…"


def _resolve(node: Mapping[str, Any], defs: Mapping[str, Any], path: str) -> dict[str, Any]:
    """Inline `$ref`, single-entry `allOf` and `X | None` unions; the node's own keys win."""
    merged = dict(node)
    if "$ref" in merged:
        ref = str(merged.pop("$ref"))
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in defs:
            raise SchemaError(f"{path or '/'}: unresolvable $ref {ref}")
        merged = {**_resolve(defs[name], defs, path), **merged}
    if "allOf" in merged:
        parts = merged.pop("allOf")
        if len(parts) != 1:
            raise SchemaError(f"{path or '/'}: allOf with {len(parts)} entries")
        merged = {**_resolve(parts[0], defs, path), **merged}
    if "anyOf" in merged:
        options = [o for o in merged.pop("anyOf") if o != _NULL]
        if len(options) != 1:
            raise SchemaError(f"{path or '/'}: a union of {len(options)} types")
        merged = {**_resolve(options[0], defs, path), **merged}
        if merged.get("default", 0) is None:
            del merged["default"]  # `= None` means "omitted", which needs no default
    return merged


def _convert(
    node: Mapping[str, Any], defs: Mapping[str, Any], path: str, limit: int
) -> dict[str, Any]:
    src = _resolve(node, defs, path)
    out: dict[str, Any] = {}
    for key, value in src.items():
        if key in _DROPPED:
            continue
        if key == "const":
            out["enum"] = [value]
        elif key == "description":
            out[key] = short_description(str(value), limit)
        elif key == "properties":
            out[key] = {
                name: _convert(sub, defs, f"{path}/{name}", limit) for name, sub in value.items()
            }
        elif key == "items":
            out[key] = _convert(value, defs, f"{path}[]", limit)
        elif key == "additionalProperties":
            if value is True:
                out["x-kubernetes-preserve-unknown-fields"] = True
            elif isinstance(value, Mapping):
                out[key] = _convert(value, defs, f"{path}{{}}", limit)
            # False (a closed model): the apiserver prunes unknown fields anyway.
        elif key in KEY_ORDER:
            out[key] = copy.deepcopy(value)  # no shared lists: YAML would emit &anchors
        else:
            raise SchemaError(f"{path or '/'}: keyword {key!r} has no structural equivalent")
    if "type" not in out:
        raise SchemaError(f"{path or '/'}: no type")
    if "properties" in out and "additionalProperties" in out:
        raise SchemaError(f"{path or '/'}: both properties and additionalProperties")
    return {key: out[key] for key in KEY_ORDER if key in out}
