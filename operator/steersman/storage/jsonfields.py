"""Typed readers and Go-`omitempty` writing for release JSON: a wrong type is a broken record,
as it is for Go's decoder (callers turn the ValueError into `InvalidRecord`)."""

from __future__ import annotations

from typing import Any

from steersman.golang.gotime import GoTime

JSON = dict[str, Any]


def as_object(value: Any, what: str) -> JSON:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def str_field(d: JSON, key: str) -> str:
    value = d.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a string, got {type(value).__name__}")
    return value


def int_field(d: JSON, key: str) -> int:
    value = d.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValueError(f"{key}: expected an integer, got {value!r}")
    return int(value)


def bool_field(d: JSON, key: str) -> bool:
    value = d.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected a boolean, got {value!r}")
    return value


def strs_field(d: JSON, key: str) -> list[str]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key}: expected a list of strings")
    return list(value)


def time_field(d: JSON, key: str) -> GoTime | None:
    """A Go time; `""`, `null` and a missing key are the zero time (None)."""
    value = d.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a time string, got {value!r}")
    return GoTime.parse(value)


def extra_keys(d: JSON, known: frozenset[str]) -> JSON:
    return {k: v for k, v in d.items() if k not in known}


def put(out: JSON, key: str, value: Any) -> None:
    """Go's omitempty: skip "", 0, False, None and empty lists/maps."""
    if (
        value is None
        or value is False
        or value == ""
        or (value == 0 and not isinstance(value, bool))
    ):
        return
    if isinstance(value, list | dict) and not value:
        return
    out[key] = value
