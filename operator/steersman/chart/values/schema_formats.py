"""The `format` checks of values.schema.json (asserted for drafts before 2019, as jsonschema v6).

Only common formats are checked; the reason texts follow santhosh-tekuri/jsonschema where known
(`expected four decimals` for ipv4) and are plain descriptions otherwise.
"""

from __future__ import annotations

import ipaddress
import re
from datetime import date, datetime

_HOST_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\Z")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\Z")


def check_format(fmt: str, v: str) -> str | None:
    """A reason when v is not valid for the format, else None (unknown formats pass)."""
    try:
        if fmt == "ipv4":
            if len(v.split(".")) != 4:
                return "expected four decimals"
            ipaddress.IPv4Address(v)
        elif fmt == "ipv6":
            if ":" not in v:
                return "expected IPv6 address"
            ipaddress.IPv6Address(v)
        elif fmt == "date":
            date.fromisoformat(v) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) else _raise()
        elif fmt == "date-time":
            if not re.fullmatch(
                r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", v
            ):
                _raise()
            datetime.fromisoformat(v.upper().replace("Z", "+00:00"))
        elif fmt == "time":
            if not re.fullmatch(r"\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})", v):
                _raise()
        elif fmt == "email":
            local, at, domain = v.rpartition("@")
            if not at or not local or not domain:
                return "missing @"
        elif fmt == "hostname":
            name = v[:-1] if v.endswith(".") else v
            if (
                not name
                or len(name) > 253
                or not all(_HOST_LABEL.match(p) for p in name.split("."))
            ):
                return "invalid hostname"
        elif fmt == "uuid" and not _UUID.match(v):
            return "invalid uuid"
    except ValueError as exc:
        return str(exc) or "invalid"
    return None


def _raise() -> None:
    raise ValueError("invalid")


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def regex_search(pattern: str, text: str) -> bool:
    """An unanchored match, as Go's regexp.MatchString (ASCII classes, like RE2's)."""
    compiled = _REGEX_CACHE.get(pattern)
    if compiled is None:
        try:
            compiled = re.compile(pattern, re.ASCII)
        except re.error as exc:
            raise ValueError(f"invalid regex {pattern!r}: {exc}") from None
        _REGEX_CACHE[pattern] = compiled
    return compiled.search(text) is not None
