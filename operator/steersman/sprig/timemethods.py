"""Methods of time.Time and time.Duration that templates call on Sprig's date values
(`$t.Format`, `$t.AddDate 0 1 0`, `$a.Before $b`, `($b.Sub $a).Hours`, ...)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from steersman.golang.types import GoFunc, GoInt64, GoStruct, TemplateFuncError

from ._values import wrap64
from .gotime import (
    _CYCLE_SECONDS,
    _ZERO_UNIX,
    DAYS,
    MONTHS,
    GoTime,
    cycles_for_year,
    duration_string,
)

_MAX = (1 << 63) - 1
_MIN = -(1 << 63)


@dataclass(frozen=True)
class GoDuration(GoStruct):
    """time.Duration (an int64 of nanoseconds that prints through String())."""

    go_type: ClassVar[str] = "time.Duration"
    go_kind: ClassVar[str] = "int64"
    ns: int

    def go_string(self) -> str:
        return duration_string(self.ns)

    def go_json(self) -> int:
        return self.ns

    def go_method(self, name: str) -> GoFunc | None:
        ns = self.ns
        values: dict[str, Any] = {
            "String": duration_string(ns),
            "Hours": _float_units(ns, 3_600_000_000_000),
            "Minutes": _float_units(ns, 60_000_000_000),
            "Seconds": _float_units(ns, 1_000_000_000),
            "Milliseconds": GoInt64(_trunc_div(ns, 1_000_000)),
            "Microseconds": GoInt64(_trunc_div(ns, 1_000)),
            "Nanoseconds": GoInt64(ns),
        }
        if name not in values:
            return None
        value = values[name]
        return GoFunc(lambda: value, ())


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // b
    return q if a >= 0 else -q


def _float_units(ns: int, unit: int) -> float:
    # Go splits whole units and the remainder to keep precision.
    whole = _trunc_div(ns, unit)
    return whole + (ns - whole * unit) / unit


def add_date(t: GoTime, years: int, months: int, days: int) -> GoTime:
    """Time.AddDate: normalise month and day overflow the way time.Date does."""
    dt = t.dt
    month0 = dt.month - 1 + months
    year = t.year + years + month0 // 12
    month = month0 % 12 + 1
    # Years datetime lacks are built whole 400-year cycles away (see GoTime).
    cycles = cycles_for_year(year)
    first = datetime(year + 400 * cycles, month, 1, dt.hour, dt.minute, dt.second, dt.microsecond)
    naive = first + timedelta(days=dt.day - 1 + days)
    shifted = GoTime(naive.replace(tzinfo=dt.tzinfo), t.nsec)
    if cycles == 0 and t.cycles == 0:
        return shifted
    sec = shifted.unix_seconds() - cycles * _CYCLE_SECONDS
    return GoTime.at(sec, t.nsec, dt.tzinfo or UTC)


def sub(t: GoTime, u: GoTime) -> GoDuration:
    if t.mono is not None and u.mono is not None:
        d = t.mono - u.mono
    else:
        d = t.unix_nano() - u.unix_nano()
    return GoDuration(max(_MIN, min(_MAX, d)))


def _compare(t: GoTime, u: GoTime) -> int:
    a, b = t.unix_nano(), u.unix_nano()
    return (a > b) - (a < b)


def _round(t: GoTime, d: int, up: bool) -> GoTime:
    """Time.Round / Time.Truncate: to a multiple of d counted from the zero time (year 1)."""
    stripped = GoTime.at(t.unix_seconds(), t.nsec, t.dt.tzinfo or UTC)  # no monotonic reading
    if d <= 0:
        return stripped
    r = ((t.unix_seconds() - _ZERO_UNIX) * 1_000_000_000 + t.nsec) % d
    if up and r + r >= d:
        return stripped.add_ns(d - r)
    return stripped.add_ns(-r)


def _rfc3339(t: GoTime, method: str) -> bytes:
    """Time.MarshalText's strict RFC 3339 text (MarshalJSON adds the quotes)."""
    if not 0 <= t.year <= 9999:
        raise TemplateFuncError(f"Time.{method}: year outside of range [0,9999]")
    if abs(t.offset_seconds()) // 3600 >= 24:
        raise TemplateFuncError(f"Time.{method}: timezone hour outside of range [0,23]")
    return t.format("2006-01-02T15:04:05.999999999Z07:00").encode()


def time_method(t: GoTime, name: str) -> GoFunc | None:
    dt = t.dt
    values: dict[str, Any] = {
        "Year": t.year,
        "Day": dt.day,
        "Hour": dt.hour,
        "Minute": dt.minute,
        "Second": dt.second,
        "Nanosecond": t.nsec,
        "YearDay": dt.timetuple().tm_yday,
        "Month": MONTHS[dt.month - 1],
        "Weekday": DAYS[dt.weekday()],
        "Unix": GoInt64(t.unix_seconds()),
        # int64 arithmetic in Go: far-off times wrap around.
        "UnixMilli": GoInt64(wrap64(t.unix_nano() // 1_000_000)),
        "UnixMicro": GoInt64(wrap64(t.unix_nano() // 1_000)),
        "UnixNano": GoInt64(wrap64(t.unix_nano())),
        "IsZero": t.unix_seconds() == _ZERO_UNIX and t.nsec == 0,
        "IsDST": bool(dt.dst()),
        "String": t.go_string(),
    }
    if name in values:
        value = values[name]
        return GoFunc(lambda: value, ())
    tt = "time.Time"
    methods: dict[str, GoFunc] = {
        "Format": GoFunc(t.format, ("string",), result="string"),
        "UTC": GoFunc(lambda: t.in_zone(UTC), (), result=tt),
        "AddDate": GoFunc(lambda y, m, d: add_date(t, y, m, d), ("int", "int", "int"), result=tt),
        "Add": GoFunc(lambda d: t.add_ns(d.ns), ("time.Duration",), result=tt),
        "Sub": GoFunc(lambda u: sub(t, u), (tt,), result="time.Duration"),
        "Before": GoFunc(lambda u: _compare(t, u) < 0, (tt,), result="bool"),
        "After": GoFunc(lambda u: _compare(t, u) > 0, (tt,), result="bool"),
        "Equal": GoFunc(lambda u: _compare(t, u) == 0, (tt,), result="bool"),
        "Compare": GoFunc(lambda u: _compare(t, u), (tt,), result="int"),
        "Round": GoFunc(lambda d: _round(t, d.ns, True), ("time.Duration",), result=tt),
        "Truncate": GoFunc(lambda d: _round(t, d.ns, False), ("time.Duration",), result=tt),
        "MarshalText": GoFunc(lambda: _rfc3339(t, "MarshalText"), (), None, "[]uint8", True),
        "MarshalJSON": GoFunc(
            lambda: b'"' + _rfc3339(t, "MarshalJSON") + b'"', (), None, "[]uint8", True
        ),
    }
    return methods.get(name)


__all__ = ["GoDuration", "add_date", "time_method"]
