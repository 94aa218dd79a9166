"""Go string semantics that Python does not share: bytes-based slicing, simple case mapping,
`strings.Split`, and Sprig's `strval`/`strslice` conversions."""

from __future__ import annotations

from typing import Any

from steersman.golang.fmt import format_value
from steersman.golang.gostr import from_bytes, to_bytes
from steersman.golang.types import GoStringSlice, GoStruct

from ._values import is_list_kind, is_nil, list_items


def bslice(s: str, start: int, end: int | None = None) -> str:
    """Go `s[start:end]` on the UTF-8 bytes."""
    if s.isascii():
        return s[start:end]
    return from_bytes(to_bytes(s)[start:end])


def _is_bad_byte(c: str) -> bool:
    return "\udc80" <= c <= "\udcff"


def go_runes(s: str) -> str:
    """The string rebuilt from its runes (`string([]rune(s))`, strings.Map, WriteRune):
    each byte that is not valid UTF-8 decodes as utf8.RuneError and comes back as U+FFFD."""
    if s.isascii():
        return s
    return "".join("\ufffd" if _is_bad_byte(c) else c for c in s)


def _simple_case(c: str, mapped: str) -> str:
    # Go maps rune to rune; Python's full mappings that expand (ß -> SS) leave the rune as is.
    if _is_bad_byte(c):
        return "\ufffd"
    return mapped if len(mapped) == 1 else c


def go_upper(s: str) -> str:
    if s.isascii():
        return s.upper()
    return "".join(_simple_case(c, c.upper()) for c in s)


def go_lower(s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join("i" if c == "\u0130" else _simple_case(c, c.lower()) for c in s)


def go_title_rune(c: str) -> str:
    return _simple_case(c, c.title()) if not c.isascii() else c.upper()


def go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """`strings.SplitN` (n<0 for all): an empty sep splits into runes; n==0 gives none."""
    if n == 0:
        return []
    if sep == "":
        runes = list(s)
        if n > 0 and len(runes) > n:
            return [*runes[: n - 1], "".join(runes[n - 1 :])]
        return runes
    if n < 0:
        return s.split(sep)
    return s.split(sep, n - 1)


def strval(v: Any) -> str:
    """Sprig `strval`: strings as is, []byte as text, Stringers via String(), else `%v`."""
    if isinstance(v, str):
        return v
    if isinstance(v, bytes):
        return from_bytes(v)
    if isinstance(v, GoStruct):
        text = v.go_string()  # String() or Error(), when the Go type has one
        if text is not None:
            return text
    return format_value(v)


def strslice(v: Any) -> GoStringSlice:
    """Sprig `strslice`: slices element-wise (nils dropped), nil -> [], a scalar -> [strval]."""
    if isinstance(v, GoStringSlice):
        return v
    if is_list_kind(v):
        return GoStringSlice(strval(x) for x in list_items(v) if not is_nil(x))
    if is_nil(v):
        return GoStringSlice()
    return GoStringSlice([strval(v)])
