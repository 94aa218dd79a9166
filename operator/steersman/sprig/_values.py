"""Go reflection and spf13/cast conversions on the gotemplate value model.

Shared by every Sprig area: `empty` (defaults.go), `reflect.DeepEqual`, `Kind()` names, and
cast v1.7.0's ToInt64/ToInt/ToFloat64 (`strconv.ParseInt(trimZeroDecimal(s), 0, 0)`, floats
truncate, bools are 1/0, nil and anything unconvertible are 0).
"""

from __future__ import annotations

import math
import re
from typing import Any

from steersman.golang.reflect import reflect_kind
from steersman.golang.types import (
    NO_VALUE,
    GoInt64,
    GoNamedMap,
    GoStruct,
    TemplateFuncError,
    wrap64,
)

INT64_MIN = -(1 << 63)
INT64_MAX = (1 << 63) - 1


def i64(n: int) -> GoInt64:
    return GoInt64(wrap64(n))


def is_nil(v: Any) -> bool:
    return v is None or v is NO_VALUE


def kind_of(v: Any) -> str:
    """`reflect.ValueOf(v).Kind().String()`: the template engine's own reflect_kind."""
    return reflect_kind(v)


def is_list_kind(v: Any) -> bool:
    return isinstance(v, list | tuple | bytes)


def list_items(v: Any) -> list[Any]:
    """Elements of a Go slice as `[]interface{}` would hold them ([]byte gives ints)."""
    if isinstance(v, bytes):
        return [int(b) for b in v]
    return list(v)


def empty(v: Any) -> bool:
    """Sprig's `empty`: nil, false, 0, "", and zero-length collections; structs never."""
    t = type(v)
    if t is str or t is dict or t is list or t is bool:  # the common cases, fast
        return not v
    if is_nil(v):
        return True
    if isinstance(v, bool):
        return not v
    if isinstance(v, int | float):
        return v == 0
    if isinstance(v, str | bytes | list | tuple | dict):
        return len(v) == 0
    return False


def _go_type_key(v: Any) -> Any:
    if isinstance(v, GoStruct | GoNamedMap):
        return v.go_type  # a named map's twin typed map[string]interface {} is a plain map
    if type(v) is dict:
        return GoNamedMap.go_type
    return type(v)


def deep_equal(a: Any, b: Any) -> bool:
    """`reflect.DeepEqual`: identical dynamic types and deeply equal contents."""
    if is_nil(a) or is_nil(b):
        return is_nil(a) and is_nil(b)
    if _go_type_key(a) != _go_type_key(b):
        return False
    if isinstance(a, dict):
        if len(a) != len(b):
            return False
        return all(k in b and deep_equal(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple):
        return len(a) == len(b) and all(deep_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return bool(a == b)  # NaN != NaN, as in Go
    if isinstance(a, GoStruct):
        # DeepEqual follows pointers: two *semver.Version with equal fields are deeply equal.
        fields = getattr(a, "__dataclass_fields__", None)
        if fields is not None:
            return all(deep_equal(getattr(a, f), getattr(b, f)) for f in fields)
        return a is b or bool(a == b)
    return bool(a == b)


# --- strconv number parsing (Go syntax) ---------------------------------------------------

_BASES = {"x": 16, "o": 8, "b": 2}


def _underscore_ok(s: str) -> bool:
    """strconv.underscoreOK: `_` only between digits or after a base prefix."""
    saw = "^"
    if s[:1] in ("+", "-"):
        s = s[1:]
    i = 0
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1].lower() in "box":
        i, saw, hexa = 2, "0", s[1].lower() == "x"
    for c in s[i:]:
        if c.isascii() and (c.isdigit() or (hexa and c.lower() in "abcdef")):
            saw = "0"
            continue
        if c == "_":
            if saw != "0":
                return False
            saw = "_"
            continue
        if saw == "_":
            return False
        saw = "!"
    return saw != "_"


def parse_go_int(s: str, bits: int = 64) -> int | None:
    """`strconv.ParseInt(s, 0, bits)`: None on syntax or range error."""
    body = s
    neg = False
    if body[:1] in ("+", "-"):
        neg = body[0] == "-"
        body = body[1:]
    if body == "":
        return None
    base = 10
    digits = body
    if len(body) >= 2 and body[0] == "0" and body[1].lower() in _BASES:
        base = _BASES[body[1].lower()]
        digits = body[2:]
    elif len(body) >= 2 and body[0] == "0":
        base = 8
        digits = body[1:]
    if "_" in s:
        if not _underscore_ok(s):
            return None
        digits = digits.replace("_", "")
    if digits == "" or not digits.isascii() or not digits.isalnum():
        return None
    try:
        n = int(digits, base)
    except ValueError:
        return None
    n = -n if neg else n
    limit = 1 << (bits - 1)
    if n < -limit or n >= limit:
        return None
    return n


_DEC_FLOAT = re.compile(r"[+-]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][+-]?[0-9_]+)?")
_HEX_FLOAT = re.compile(
    r"[+-]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][+-]?[0-9_]+"
)
_SPECIAL = {"inf": math.inf, "+inf": math.inf, "-inf": -math.inf, "infinity": math.inf}


def parse_go_float(s: str) -> float | None:
    """`strconv.ParseFloat(s, 64)`: Go float syntax only (no spaces), None on error."""
    low = s.lower()
    if low in _SPECIAL or low in ("+infinity", "-infinity"):
        return -math.inf if low.startswith("-") else math.inf
    if low in ("nan",):
        return math.nan
    if "_" in s and not _underscore_ok(s):
        return None
    if _DEC_FLOAT.fullmatch(s) and any(c.isdigit() for c in s):
        try:
            f = float(s.replace("_", ""))
        except ValueError:
            return None
        return None if math.isinf(f) else f
    if _HEX_FLOAT.fullmatch(s):
        try:
            f = float.fromhex(s.replace("_", ""))
        except (ValueError, OverflowError):
            return None
        return None if math.isinf(f) else f
    return None


def _trim_zero_decimal(s: str) -> str:
    found_zero = False
    for i in range(len(s), 0, -1):
        c = s[i - 1]
        if c == ".":
            if found_zero:
                return s[: i - 1]
        elif c == "0":
            found_zero = True
        else:
            return s
    return s


def float_to_int64(f: float) -> int:
    """Go's float64 -> int64 conversion on amd64 (out of range and NaN give MinInt64)."""
    if math.isnan(f) or math.isinf(f) or not (-(2.0**63) <= f < 2.0**63):
        return INT64_MIN
    return int(f)


def to_int64(v: Any) -> GoInt64:
    """`cast.ToInt64`."""
    if isinstance(v, bool):
        return GoInt64(1 if v else 0)
    if isinstance(v, int):
        return GoInt64(wrap64(v))  # a uint64 above MaxInt64 converts with wrap-around
    if isinstance(v, float):
        return GoInt64(float_to_int64(v))
    if isinstance(v, str):
        n = parse_go_int(_trim_zero_decimal(v))
        return GoInt64(n if n is not None else 0)
    return GoInt64(0)


def to_int(v: Any) -> int:
    """`cast.ToInt` (Go int is 64-bit)."""
    return int(to_int64(v))


def to_float64(v: Any) -> float:
    """`cast.ToFloat64`."""
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, int):
        return float(v)
    if isinstance(v, float):
        return v
    if isinstance(v, str):
        f = parse_go_float(v)
        return f if f is not None else 0.0
    return 0.0


def require_list(v: Any, what: str) -> list[Any]:
    """Elements of a slice argument, or Sprig's `Cannot <what> on type <kind>` error."""
    if is_list_kind(v):
        return list_items(v)
    if is_nil(v):
        # reflect.TypeOf(nil).Kind() dereferences a nil Type: a runtime panic.
        raise TemplateFuncError("runtime error: invalid memory address or nil pointer dereference")
    raise TemplateFuncError(f"{what} {kind_of(v)}")
