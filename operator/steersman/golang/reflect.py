"""Go reflect rules over the value model: truthiness, assignability, nil-ability.

Inside the executor two kinds of "nothing" exist, as in Go:
- NO_VALUE is the invalid reflect.Value (a pipeline that produced nil, missing data, `$x` holding
  nothing). Field access on it yields NO_VALUE again without error.
- None is a nil stored in an interface slot (a map value or list element that is nil, or a
  missing key under missingkey=zero). Field access on it is `nil pointer evaluating ...`, and it
  does not convert to non-interface parameter types (`got interface {}`).
"""

from __future__ import annotations

from typing import Any

from .fmt import type_name
from .types import (
    NO_VALUE,
    GoFunc,
    GoInt64,
    GoIntSlice,
    GoNamedMap,
    GoStringMap,
    GoStringSlice,
    GoStruct,
    GoUint64,
)

INT_TYPES = frozenset({"int", "int8", "int16", "int32", "int64"})
UINT_TYPES = frozenset({"uint", "uint8", "uint16", "uint32", "uint64", "uintptr"})
FLOAT_TYPES = frozenset({"float32", "float64"})


def is_true(v: Any) -> bool:
    """Go's isTrue: zero values, nil and empty containers are false; structs are true."""
    t = type(v)
    if t is bool:
        return v  # type: ignore[no-any-return]
    if t is str or t is list or t is dict:
        return len(v) > 0
    if t is int or t is float or t is GoInt64 or t is GoUint64:
        return v != 0  # type: ignore[no-any-return]
    if v is None or v is NO_VALUE:
        return False
    if isinstance(v, GoStruct | GoFunc):
        return True
    if isinstance(v, str | list | tuple | dict | bytes):
        return len(v) > 0
    if isinstance(v, int | float | complex):
        return v != 0
    return True


def can_be_nil(ptype: str) -> bool:
    return (
        ptype.startswith(("[]", "map[", "*", "func", "chan "))
        or ptype in ("interface {}", "reflect.Value", "error")
        or ptype.endswith("interface {}")
    )


_EXACT: dict[str, type] = {
    "string": str,
    "int": int,
    "int64": GoInt64,
    "uint64": GoUint64,
    "float64": float,
    "bool": bool,
    "[]interface {}": list,
    "[]string": GoStringSlice,
    "[]int": GoIntSlice,
    "map[string]string": GoStringMap,
    "[]byte": bytes,
    "[]uint8": bytes,
}


def assignable(v: Any, ptype: str) -> bool:
    """reflect's AssignableTo for a non-nil value."""
    if ptype == "interface {}" or ptype == "reflect.Value":
        return True
    exact = _EXACT.get(ptype)
    if exact is not None:
        return type(v) is exact
    if ptype == "map[string]interface {}":
        # A named map type (chartutil.Values) is assignable to its unnamed underlying type.
        return type(v) is dict or (isinstance(v, GoNamedMap) and not isinstance(v, GoStringMap))
    if isinstance(v, GoStruct | GoNamedMap):
        return v.go_type == ptype
    return False


def type_mismatch(v: Any, ptype: str) -> str | None:
    """The error text of text/template's validateType, or None when `v` fits `ptype`."""
    if v is NO_VALUE:
        return None if can_be_nil(ptype) else f"invalid value; expected {ptype}"
    if v is None:
        if ptype == "interface {}" or ptype == "reflect.Value":
            return None
        return f"wrong type for value; expected {ptype}; got interface {{}}"
    if assignable(v, ptype):
        return None
    return f"wrong type for value; expected {ptype}; got {type_name(v)}"


def reflect_kind(v: Any) -> str:
    """`reflect.ValueOf(v).Kind().String()` (comparisons, error texts, Sprig's kindOf/kindIs)."""
    if v is None or v is NO_VALUE:
        return "invalid"
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
    if isinstance(v, str):
        return "string"
    if isinstance(v, list | tuple | bytes):
        return "slice"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, GoFunc) or (callable(v) and not isinstance(v, GoStruct)):
        return "func"
    if isinstance(v, GoStruct):
        kind = getattr(type(v), "go_kind", None)  # e.g. time.Duration is an int64
        if isinstance(kind, str):
            return kind
        return "ptr" if type(v).go_type.startswith("*") else "struct"
    return "struct"
