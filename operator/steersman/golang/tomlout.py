"""Helm's `toToml` / `fromToml`: BurntSushi/toml v1 encoder output, and decoding to Go values.

Encoder rules (checked against helm v4.1.4):
- in every table, plain keys first, then sub-tables and arrays of tables, each group sorted;
- a nested table header and its keys are indented two spaces per level below the top;
- top-level tables and every `[[array]]` entry are preceded by a blank line;
- floats are Go's shortest 'g' form with `.0` added when it has neither `.` nor an exponent;
- nil map values are skipped, a nil array element fails the whole encoding.
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date, datetime, time
from typing import Any

from steersman.golang.floatfmt import format_float
from steersman.golang.tomllex import TomlLexError, check_syntax
from steersman.golang.types import NO_VALUE, GoInt64, GoStruct


class TomlEncodeError(ValueError):
    pass


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _quote(s: str) -> str:
    out = ['"']
    for ch in s:
        esc = _ESCAPES.get(ch)
        if esc is not None:
            out.append(esc)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _key_part(k: str) -> str:
    return k if _BARE_KEY.match(k) else _quote(k)


def _is_nil(v: Any) -> bool:
    return v is None or v is NO_VALUE


def _is_table(v: Any) -> bool:
    return isinstance(v, dict)


def _is_table_array(v: Any) -> bool:
    return isinstance(v, list) and len(v) > 0 and all(_is_table(x) for x in v)


def _float(f: float) -> str:
    if math.isnan(f):
        return "-nan" if math.copysign(1.0, f) < 0 else "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    text = format_float(f, "g")
    return text if ("." in text or "e" in text) else text + ".0"


class _Encoder:
    def __init__(self) -> None:
        self.out: list[str] = []

    def _newline(self) -> None:
        if self.out:
            self.out.append("\n")

    def element(self, v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, int):
            return str(int(v))
        if isinstance(v, float):
            return _float(v)
        if isinstance(v, str):
            return _quote(v)
        if isinstance(v, list | tuple):
            parts = []
            for x in v:
                if _is_nil(x):
                    raise TomlEncodeError("toml: cannot encode array with nil element")
                parts.append(self.element(x))
            return "[" + ", ".join(parts) + "]"
        if isinstance(v, dict):
            items = [
                f"{_key_part(k)} = {self.element(x)}" for k, x in self._ordered(v) if not _is_nil(x)
            ]
            return "{" + ", ".join(items) + "}"
        if isinstance(v, bytes):
            return self.element(list(v))
        if isinstance(v, GoStruct):
            raise TomlEncodeError(f"toml: cannot encode a {v.go_type}")
        raise TomlEncodeError(f"toml: unsupported type {type(v).__name__}")

    @staticmethod
    def _ordered(m: dict[str, Any]) -> list[tuple[str, Any]]:
        direct = sorted((k, v) for k, v in m.items() if not (_is_table(v) or _is_table_array(v)))
        sub = sorted((k, v) for k, v in m.items() if _is_table(v) or _is_table_array(v))
        return direct + sub

    def encode(self, key: list[str], v: Any) -> None:
        if _is_nil(v):
            return
        if _is_table(v):
            self.table(key, v)
        elif _is_table_array(v):
            self.table_array(key, v)
        elif not key:
            self.out.append(self.element(v))
        else:
            indent = "  " * (len(key) - 1)
            self.out.append(f"{indent}{_key_part(key[-1])} = {self.element(v)}")
            self._newline()

    def table(self, key: list[str], m: dict[str, Any]) -> None:
        if len(key) == 1:
            self._newline()
        if key:
            self.out.append("  " * (len(key) - 1) + "[" + ".".join(map(_key_part, key)) + "]")
            self._newline()
        self.body(key, m)

    def body(self, key: list[str], m: dict[str, Any]) -> None:
        for k, v in self._ordered(m):
            self.encode([*key, k], v)

    def table_array(self, key: list[str], items: list[Any]) -> None:
        for m in items:
            self._newline()
            self.out.append("  " * (len(key) - 1) + "[[" + ".".join(map(_key_part, key)) + "]]")
            self._newline()
            self.body(key, m)


def to_toml(value: Any) -> str:
    """Helm's toToml: the document, or the encoder's error text."""
    enc = _Encoder()
    try:
        enc.encode([], value)
    except TomlEncodeError as exc:
        return str(exc)
    return "".join(enc.out)


def _go_value(v: Any) -> Any:
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return GoInt64(v)
    if isinstance(v, dict):
        return {k: _go_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_go_value(x) for x in v]
    if isinstance(v, datetime):
        return v.isoformat().replace("+00:00", "Z")
    if isinstance(v, date | time):
        return v.isoformat()
    return v


def from_toml(text: str) -> dict[str, Any]:
    """Helm's fromToml: a map (ints int64, floats float64); errors as {"Error": msg}.

    Dates become RFC 3339 strings. Syntax errors are BurntSushi's lexer's (tomllex); errors
    only its parser finds (duplicate keys, bad numbers or dates) keep tomllib's wording.
    """
    try:
        check_syntax(text)
    except TomlLexError as exc:
        return {"Error": str(exc)}
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return {"Error": f"toml: {exc}"}
    result = _go_value(doc)
    assert isinstance(result, dict)
    return result
