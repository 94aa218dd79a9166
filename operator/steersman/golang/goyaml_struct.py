"""sigs.k8s.io/yaml.Unmarshal into a Go struct (Chart.yaml -> Metadata, Chart.lock -> Lock).

Before the JSON step, sigs.k8s.io/yaml turns numbers and bools that land in string-typed fields
into strings: ints in decimal, floats with FormatFloat(f, 'g', -1, 32), so `appVersion: 1.10`
becomes "1.1" and `version: 1.0` becomes "1". Field names match case-insensitively (JSON rules);
keys are applied in sorted order (the JSON text is written from a Go map), unknown keys are
ignored, and type mismatches give encoding/json's error.

A struct is described by a `StructSpec`: Go type name plus `json name -> field type`, where a
field type is "string", "bool", "[]string", "map[string]string", "[]interface {}", a nested
StructSpec (a pointer to that struct) or ("[]", StructSpec) for a slice of struct pointers.
Decoded structs are plain dicts keyed by json name; a nil struct pointer in a slice is None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steersman.golang.floatfmt import format_float
from steersman.golang.goyaml import (
    YAMLError,
    decode_first_document,
    jsonify,
    key_string,
)
from steersman.golang.jsonout import json_kind


@dataclass(frozen=True)
class StructSpec:
    go_type: str  # e.g. "v2.Metadata"
    fields: dict[str, FieldType]


FieldType = str | StructSpec | tuple[str, StructSpec]


def _lookup(spec: StructSpec, key: str) -> str | None:
    if key in spec.fields:
        return key
    folded = key.casefold()
    for name in spec.fields:
        if name.casefold() == folded:
            return name
    return None


def _stringify(value: Any) -> Any:
    """convertToJSONableObject's number/bool -> string coercion for string targets."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_float(value, bits=32)
    return value


def _coerce(value: Any, ftype: FieldType) -> Any:
    """Apply the string coercion along the target type (before the JSON round trip)."""
    if isinstance(value, dict):
        if isinstance(ftype, StructSpec):
            out: dict[Any, Any] = {}
            for k, v in value.items():
                name = _lookup(ftype, key_string(k, v))
                out[k] = _coerce(v, ftype.fields[name]) if name is not None else v
            return out
        if ftype == "map[string]string":
            return {k: _coerce(v, "string") for k, v in value.items()}
        return value
    if isinstance(value, list):
        if ftype == "[]string":
            return [_coerce(v, "string") for v in value]
        if isinstance(ftype, tuple):
            return [_coerce(v, ftype[1]) for v in value]
        return value
    if ftype == "string":
        return _stringify(value)
    return value


class _TypeError(YAMLError):
    pass


def _mismatch(value: Any, spec: StructSpec, path: str, type_name: str) -> _TypeError:
    return _TypeError(
        f"json: cannot unmarshal {json_kind(value)} into Go struct field "
        f"{spec.go_type.split('.')[-1]}.{path} of type {type_name}"
    )


def _type_name(ftype: FieldType) -> str:
    if isinstance(ftype, StructSpec):
        return ftype.go_type
    if isinstance(ftype, tuple):
        return "[]*" + ftype[1].go_type
    return ftype


def _check_strings(items: list[Any], root: StructSpec, path: str) -> None:
    for item in items:
        if item is not None and not isinstance(item, str):
            raise _mismatch(item, root, path, "string")


def _assign(value: Any, ftype: FieldType, root: StructSpec, path: str) -> Any:
    """encoding/json's Unmarshal of an already-JSON value into a field of type ftype."""
    if value is None:
        return None
    if ftype == "string":
        if not isinstance(value, str):
            raise _mismatch(value, root, path, "string")
        return value
    if ftype == "bool":
        if not isinstance(value, bool):
            raise _mismatch(value, root, path, "bool")
        return value
    if ftype == "[]interface {}":
        if not isinstance(value, list):
            raise _mismatch(value, root, path, "[]interface {}")
        return value
    if ftype in ("[]string", "map[string]string"):
        if ftype == "[]string":
            if not isinstance(value, list):
                raise _mismatch(value, root, path, "[]string")
            _check_strings(value, root, path)
            return ["" if v is None else v for v in value]
        if not isinstance(value, dict):
            raise _mismatch(value, root, path, "map[string]string")
        _check_strings(list(value.values()), root, path)
        return {k: "" if v is None else v for k, v in value.items()}
    if isinstance(ftype, tuple):
        if not isinstance(value, list):
            raise _mismatch(value, root, path, _type_name(ftype))
        return [_assign(v, ftype[1], root, path) for v in value]
    assert isinstance(ftype, StructSpec)
    if not isinstance(value, dict):
        raise _mismatch(value, root, path, ftype.go_type)
    return _fill(value, ftype, root, path + ".")


def _fill(obj: dict[str, Any], spec: StructSpec, root: StructSpec, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in sorted(obj):
        name = _lookup(spec, key)
        if name is None:
            continue
        assigned = _assign(obj[key], spec.fields[name], root, prefix + name)
        if assigned is not None or name not in out:
            out[name] = assigned
    return {k: v for k, v in out.items() if v is not None}


def unmarshal_struct(data: bytes | str, spec: StructSpec) -> dict[str, Any]:
    """sigs.k8s.io/yaml.Unmarshal(data, &T{}): the set fields by json name; YAMLError on error."""
    try:
        decoded = decode_first_document(data)
        json_value = jsonify(_coerce(decoded, spec))
    except YAMLError as exc:
        raise YAMLError(f"error converting YAML to JSON: {exc}") from None
    if json_value is None:
        return {}
    try:
        if not isinstance(json_value, dict):
            raise YAMLError(
                f"json: cannot unmarshal {json_kind(json_value)} into Go value of type "
                f"{spec.go_type}"
            )
        return _fill(json_value, spec, spec, "")
    except YAMLError as exc:
        raise YAMLError(f"error unmarshaling JSON: while decoding JSON: {exc}") from None
