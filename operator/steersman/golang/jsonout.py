"""Go's encoding/json for template values: `toJson`, `toPrettyJson`, `fromJson`, and Sprig's
`toRawJson`/`mustToJson` (the one JSON encoder).

Marshal sorts map keys, escapes `<`, `>`, `&` (unless HTML escaping is turned off, as
Encoder.SetEscapeHTML(false) does), U+2028 and U+2029, writes float64 the way Go does (`1e+21`,
`1e-7`, never `3.0`), []byte as base64, and refuses NaN/Inf. Unmarshal into interface{} makes
every number a float64.
"""

from __future__ import annotations

import base64
import json
import math
from typing import Any

from steersman.golang.floatfmt import format_float
from steersman.golang.gostr import to_bytes
from steersman.golang.jsonscan import syntax_error
from steersman.golang.types import NO_VALUE, GoStruct


class StructObject(dict[str, Any]):
    """A JSON object from a Go struct: encoding/json keeps field order instead of sorting."""


class JSONError(ValueError):
    """json.Marshal / json.Unmarshal failed; the message is Go's."""


def go_json_float(f: float) -> str:
    """encoding/json's float64 text: 'f' form unless abs < 1e-6 or >= 1e21, then 'e' (e-7)."""
    if math.isnan(f) or math.isinf(f):
        raise JSONError(f"json: unsupported value: {format_float(f)}")
    a = abs(f)
    if a != 0 and (a < 1e-6 or a >= 1e21):
        text = format_float(f, "e")
        if len(text) >= 4 and text[-4] == "e" and text[-3] == "-" and text[-2] == "0":
            text = text[:-2] + text[-1]
        return text
    return format_float(f, "f")


def to_jsonable(value: Any) -> Any:
    """The JSON-shaped tree json.Marshal would write: None/bool/int/float/str/list/dict.

    Go structs (GoStruct) provide their JSON form through a `go_json()` method returning such a
    tree (a dict in field order); a struct without it has no exported fields and gives `{}`.
    """
    if value is None or value is NO_VALUE or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            raise JSONError(f"json: unsupported value: {format_float(value)}")
        return value
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise JSONError(f"json: unsupported type: map[{type(k).__name__}]")
            out[k] = to_jsonable(v)
        return out
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode("ascii")
    go_json = getattr(value, "go_json", None)
    if callable(go_json):
        tree = to_jsonable(go_json())
        return StructObject(tree) if isinstance(tree, dict) else tree
    if isinstance(value, GoStruct):
        return StructObject()  # no exported fields (e.g. *errors.errorString): `{}`
    raise JSONError(f"json: unsupported type: {type(value).__name__}")


def encode_string(s: str, escape_html: bool = True) -> str:
    """encoding/json's string encoding: short escapes, \\u00XX controls, lone surrogates as
    U+FFFD, U+2028/U+2029 escaped, and `<`, `>`, `&` escaped when escape_html."""
    specials = '"\\<>&' if escape_html else '"\\'
    out = ['"']
    start = 0
    for i, ch in enumerate(s):
        o = ord(ch)
        if 0x20 <= o < 0x7F and ch not in specials:
            continue
        if o >= 0x80 and o not in (0x2028, 0x2029) and not 0xD800 <= o <= 0xDFFF:
            continue
        if o == 0x7F:
            continue
        out.append(s[start:i])
        start = i + 1
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\b":
            out.append("\\b")
        elif ch == "\f":
            out.append("\\f")
        elif 0xD800 <= o <= 0xDFFF:
            out.append("\\ufffd")
        else:
            out.append(f"\\u{o:04x}")
    out.append(s[start:])
    out.append('"')
    return "".join(out)


def _encode(tree: Any, out: list[str], indent: str | None, depth: int, html: bool) -> None:
    if tree is None:
        out.append("null")
    elif tree is True:
        out.append("true")
    elif tree is False:
        out.append("false")
    elif isinstance(tree, str):
        out.append(encode_string(tree, html))
    elif isinstance(tree, int):
        out.append(str(tree))
    elif isinstance(tree, float):
        out.append(go_json_float(tree))
    elif isinstance(tree, dict):
        if not tree:
            out.append("{}")
            return
        keys = list(tree) if isinstance(tree, StructObject) else sorted(tree)
        out.append("{")
        for n, k in enumerate(keys):
            if n:
                out.append(",")
            if indent is not None:
                out.append("\n" + indent * (depth + 1))
            out.append(encode_string(k, html))
            out.append(": " if indent is not None else ":")
            _encode(tree[k], out, indent, depth + 1, html)
        if indent is not None:
            out.append("\n" + indent * depth)
        out.append("}")
    else:
        if not tree:
            out.append("[]")
            return
        out.append("[")
        for n, v in enumerate(tree):
            if n:
                out.append(",")
            if indent is not None:
                out.append("\n" + indent * (depth + 1))
            _encode(v, out, indent, depth + 1, html)
        if indent is not None:
            out.append("\n" + indent * depth)
        out.append("]")


def marshal(value: Any, indent: str | None = None, *, escape_html: bool = True) -> str:
    """json.Marshal (or json.MarshalIndent(v, "", indent)); raises JSONError.

    escape_html=False is an Encoder with SetEscapeHTML(false), its trailing newline trimmed.
    """
    try:
        tree = to_jsonable(value)
        out: list[str] = []
        _encode(tree, out, indent, 0, escape_html)
    except RecursionError:
        # Go would encode it (or report a cycle); Python's stack cannot. Fail, do not crash.
        raise JSONError("json: value nesting is too deep") from None
    return "".join(out)


def to_json(value: Any) -> str:
    """Helm's `toJson`: the JSON text, or "" when Marshal fails."""
    try:
        return marshal(value)
    except JSONError:
        return ""


def to_pretty_json(value: Any) -> str:
    """Sprig's `toPrettyJson` (MarshalIndent with two spaces), "" on error."""
    try:
        return marshal(value, "  ")
    except JSONError:
        return ""


def _reject_constant(name: str) -> Any:
    raise JSONError(f"invalid character '{name[0]}' looking for beginning of value")


class _BigNumber(str):
    """A JSON number too large for float64 (Go reports it once the target type is known)."""


def _parse_float(text: str) -> Any:
    f = float(text)
    return _BigNumber(text) if math.isinf(f) else f


def _go_text(s: str) -> str:
    # Go's decoder turns each invalid UTF-8 byte and each lone \uD8xx escape into U+FFFD.
    if s.isascii():
        return s
    return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in s)


def _decode(text: str | bytes) -> Any:
    """Syntax check (JSONError) and decode; out-of-range numbers are left as _BigNumber."""
    data = text if isinstance(text, bytes) else to_bytes(text)
    problem = syntax_error(data)
    if problem is not None:
        raise JSONError(problem)
    return json.loads(
        data.decode("utf-8", "surrogateescape"),
        parse_int=_parse_float,
        parse_float=_parse_float,
        parse_constant=_reject_constant,
    )


def _settle(value: Any, first: list[str]) -> Any:
    """Go's text for strings; nil where a number did not fit, the first such one reported."""
    if isinstance(value, _BigNumber):
        if not first:
            first.append(f"json: cannot unmarshal number {value} into Go value of type float64")
        return None
    if isinstance(value, str):
        return _go_text(value)
    if isinstance(value, dict):
        return {_go_text(k): _settle(v, first) for k, v in value.items()}
    if isinstance(value, list):
        return [_settle(v, first) for v in value]
    return value


def unmarshal_with_error(text: str | bytes) -> tuple[Any, str | None]:
    """json.Unmarshal into interface{}: (value, Go's error text or None).

    Objects are maps, every number is float64. A syntax error (Go's scanner, with its exact
    texts) leaves nil; a number beyond float64 is stored as nil and reported, decoding goes on.
    """
    try:
        raw = _decode(text)
    except JSONError as exc:
        return None, str(exc)
    first: list[str] = []
    value = _settle(raw, first)
    return value, (first[0] if first else None)


def unmarshal(text: str | bytes) -> Any:
    """json.Unmarshal into interface{}: numbers float64, objects dict, arrays list; JSONError
    for any error."""
    value, problem = unmarshal_with_error(text)
    if problem is not None:
        raise JSONError(problem)
    return value


def from_json(text: str) -> dict[str, Any] | None:
    """Helm's `fromJson`: a map, or {"Error": message} when the text is not a JSON object.

    `null` gives None (Go's nil map); a number out of float64 range is stored as nil and
    reported under "Error", as encoding/json does.
    """
    try:
        raw = _decode(text)
    except JSONError as exc:
        return {"Error": str(exc)}
    if raw is None:
        return None  # Go's nil map (toJson prints null)
    if isinstance(raw, dict):
        first: list[str] = []
        result: dict[str, Any] = _settle(raw, first)
        if first:
            result["Error"] = first[0]
        return result
    target = "map[string]interface {}"
    return {"Error": f"json: cannot unmarshal {json_kind(raw)} into Go value of type {target}"}


def from_json_array(text: str) -> list[Any] | None:
    """Helm's `fromJsonArray`: a list, or [message] on error."""
    try:
        raw = _decode(text)
    except JSONError as exc:
        return [str(exc)]
    if raw is None:
        return None  # Go's nil slice (toJson prints null)
    if not isinstance(raw, list):
        return [f"json: cannot unmarshal {json_kind(raw)} into Go value of type []interface {{}}"]
    first: list[str] = []
    result: list[Any] = _settle(raw, first)
    return [first[0]] if first else result


def json_kind(value: Any) -> str:
    """The JSON kind of a decoded value, as encoding/json's `cannot unmarshal X into ...` says."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float | _BigNumber):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"
