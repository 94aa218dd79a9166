"""Go `encoding/json` Marshal/MarshalIndent output for the gotemplate value model.

Differences from Python's json that matter for byte equality: map keys sorted bytewise,
`<`, `>`, `&`, U+2028 and U+2029 escaped (HTML escaping can be turned off), `\\b`/`\\f` short
escapes, other control characters as `\\u00XX`, non-ASCII raw, []byte as base64, and floats
formatted like Go (`3`, `1000000`, `1e+21`, `1e-7`). NaN and infinities are errors.

Structs encode through an optional `go_json()` method returning a plain value (a dict of
their JSON field names in declaration order, or a string for types with MarshalJSON); nested
struct objects are chart.jsonout.StructObject dicts, which also keep their order. A struct
without go_json encodes as `{}`. (golang/jsonout.py is Helm's toJson; this module adds the
no-HTML-escaping mode toRawJson needs.)
"""

from __future__ import annotations

import base64
import math
from decimal import Decimal
from typing import Any

from steersman.golang.jsonout import StructObject
from steersman.golang.types import NO_VALUE, GoStruct


class JSONError(ValueError):
    """A value json.Marshal refuses; the message is Go's."""


_SHORT = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}
_HTML = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"}


def encode_string(s: str, escape_html: bool = True) -> str:
    out = ['"']
    for c in s:
        esc = _SHORT.get(c)
        if esc is not None:
            out.append(esc)
        elif c < " ":
            out.append(f"\\u{ord(c):04x}")
        elif escape_html and c in _HTML:
            out.append(_HTML[c])
        elif c in "\u2028\u2029":
            out.append(f"\\u{ord(c):04x}")
        elif "\ud800" <= c <= "\udfff":
            out.append("\\ufffd")
        else:
            out.append(c)
    out.append('"')
    return "".join(out)


def format_float(f: float) -> str:
    """Go's floatEncoder for float64."""
    if math.isnan(f) or math.isinf(f):
        word = "NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")
        raise JSONError(f"json: unsupported value: {word}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        mant, _, exp = f"{Decimal(repr(f)).normalize():E}".partition("E")
        e = int(exp)
        mant = mant.lower()
        sign = "-" if e < 0 else "+"
        digits = f"{abs(e):02d}" if e >= 0 else f"{abs(e)}"
        return f"{mant}e{sign}{digits}"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    d = Decimal(repr(f))
    text = format(d, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _struct_value(v: GoStruct) -> Any:
    method = getattr(v, "go_json", None)
    return method() if method is not None else {}


def _sorted_items(d: dict[str, Any]) -> list[tuple[str, Any]]:
    return sorted(d.items(), key=lambda kv: kv[0].encode("utf-8", "surrogatepass"))


def marshal(v: Any, escape_html: bool = True, indent: str | None = None) -> str:
    """`json.Marshal` (or `MarshalIndent(v, "", indent)` when indent is given)."""
    out: list[str] = []
    _encode(v, out, escape_html, indent, 0)
    return "".join(out)


def _encode(
    v: Any, out: list[str], html: bool, indent: str | None, depth: int, sort: bool = True
) -> None:
    if v is None or v is NO_VALUE:
        out.append("null")
    elif isinstance(v, bool):
        out.append("true" if v else "false")
    elif isinstance(v, int):
        out.append(str(int(v)))
    elif isinstance(v, float):
        out.append(format_float(v))
    elif isinstance(v, str):
        out.append(encode_string(v, html))
    elif isinstance(v, bytes | bytearray):
        out.append('"' + base64.b64encode(bytes(v)).decode("ascii") + '"')
    elif isinstance(v, dict):
        keep_order = not sort or isinstance(v, StructObject)
        items = list(v.items()) if keep_order else _sorted_items(v)
        if not items:
            out.append("{}")
            return
        out.append("{")
        for i, (k, x) in enumerate(items):
            if i:
                out.append(",")
            _newline(out, indent, depth + 1)
            out.append(encode_string(k, html))
            out.append(": " if indent is not None else ":")
            _encode(x, out, html, indent, depth + 1)
        _newline(out, indent, depth)
        out.append("}")
    elif isinstance(v, list | tuple):
        if not v:
            out.append("[]")
            return
        out.append("[")
        for i, x in enumerate(v):
            if i:
                out.append(",")
            _newline(out, indent, depth + 1)
            _encode(x, out, html, indent, depth + 1)
        _newline(out, indent, depth)
        out.append("]")
    elif isinstance(v, GoStruct):
        # A struct's fields keep their declaration order.
        _encode(_struct_value(v), out, html, indent, depth, sort=False)
    else:
        raise JSONError(f"json: unsupported type: {type(v).__name__}")


def _newline(out: list[str], indent: str | None, depth: int) -> None:
    if indent is not None:
        out.append("\n" + indent * depth)
