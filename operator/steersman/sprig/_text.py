"""Sprig's `strval`/`strslice` conversions (Go's string semantics are in golang.gostr)."""

from __future__ import annotations

from typing import Any

from steersman.golang.fmt import format_value
from steersman.golang.gostr import from_bytes
from steersman.golang.types import GoStringSlice, GoStruct

from ._values import is_list_kind, is_nil, list_items


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
