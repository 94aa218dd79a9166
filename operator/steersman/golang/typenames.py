"""Go type names as %T and error messages print them, for the value model in types.py."""

from __future__ import annotations

from typing import Any

from .types import (
    NO_VALUE,
    GoFunc,
    GoInt64,
    GoIntSlice,
    GoNamedMap,
    GoSliceOfSlices,
    GoStringMap,
    GoStringSlice,
    GoUint64,
)
from .types import GoStruct as _GoStruct


def type_name(v: Any) -> str:
    """The Go type name %T prints for `v`."""
    if v is None or v is NO_VALUE:
        return "<nil>"
    t = type(v)
    name = _SIMPLE_TYPE_NAMES.get(t)
    if name is not None:
        return name
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, GoInt64):
        return "int64"
    if isinstance(v, GoUint64):
        return "uint64"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, complex):
        return "complex128"
    if isinstance(v, str):
        return "string"
    if isinstance(v, bytes | bytearray):
        return "[]uint8"
    if isinstance(v, GoNamedMap):
        return v.go_type
    if isinstance(v, _GoStruct):  # before the slices: a named slice type (VersionSet) is one too
        return v.go_type
    if isinstance(v, GoStringMap):
        return "map[string]string"
    if isinstance(v, dict):
        return "map[string]interface {}"
    if isinstance(v, GoStringSlice):
        return "[]string"
    if isinstance(v, GoIntSlice):
        return "[]int"
    if isinstance(v, list | tuple):
        return "[]interface {}"
    if isinstance(v, GoFunc):
        return func_type_name(v)
    return t.__name__


def func_type_name(f: GoFunc) -> str:
    params = list(f.params)
    if f.variadic is not None:
        params.append("..." + f.variadic)
    result = f.result
    if f.can_error:
        result = f"({result}, error)"
    return f"func({', '.join(params)}) {result}"


_SIMPLE_TYPE_NAMES: dict[type, str] = {
    str: "string",
    int: "int",
    float: "float64",
    bool: "bool",
    GoInt64: "int64",
    GoUint64: "uint64",
    list: "[]interface {}",
    dict: "map[string]interface {}",
    bytes: "[]uint8",
    GoStringSlice: "[]string",
    GoIntSlice: "[]int",
    GoSliceOfSlices: "[][]interface {}",
    GoStringMap: "map[string]string",
}
