"""Go's time.Duration: ParseDuration, String, Round, and the Duration value templates call
methods on (`($b.Sub $a).Hours`). Durations are int64 nanoseconds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, ClassVar

from steersman.golang.timeformat import time_quote
from steersman.golang.types import GoFunc, GoInt64, GoStruct

_UNITS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,  # U+00B5
    "μs": 1_000,  # U+03BC
    "ms": 1_000_000,
    "s": 1_000_000_000,
    "m": 60_000_000_000,
    "h": 3_600_000_000_000,
}
_DUR_PART = re.compile(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")
MAX_DURATION = (1 << 63) - 1


class DurationError(ValueError):
    pass


def parse_duration(s: str) -> int:
    """`time.ParseDuration`: nanoseconds, or DurationError with Go's message."""
    orig = s
    quoted = time_quote(orig)
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:]
    if s == "0":
        return 0
    if s == "":
        raise DurationError("time: invalid duration " + quoted)
    total = 0
    while s:
        m = _DUR_PART.match(s)
        num, unit = (m.group(1), m.group(2)) if m else ("", "")
        if num in ("", "."):
            raise DurationError("time: invalid duration " + quoted)
        # the unit runs until the next digit or '.'
        if unit == "":
            raise DurationError("time: missing unit in duration " + quoted)
        if unit not in _UNITS:
            raise DurationError(f"time: unknown unit {time_quote(unit)} in duration {quoted}")
        whole, _, frac = num.partition(".")
        scale = _UNITS[unit]
        value = int(whole or "0") * scale
        if frac:
            value += int(frac) * scale // (10 ** len(frac))
        total += value
        if total > MAX_DURATION + (1 if neg else 0):
            raise DurationError("time: invalid duration " + quoted)
        s = s[m.end() :] if m else ""
    return -total if neg else total


def _fmt_frac(v: int, prec: int) -> tuple[str, int]:
    """Go's fmtFrac: the fraction digits of v/10**prec (trailing zeros dropped) and v//10**prec."""
    digits = ""
    printed = False
    for _ in range(prec):
        d = v % 10
        printed = printed or d != 0
        if printed:
            digits = str(d) + digits
        v //= 10
    return ("." + digits if printed else ""), v


def duration_string(d: int) -> str:
    """`time.Duration.String`."""
    if d == 0:
        return "0s"
    neg = d < 0
    u = -d if neg else d
    if u < 1_000_000_000:
        if u < 1_000:
            text = f"{u}ns"
        elif u < 1_000_000:
            frac, whole = _fmt_frac(u, 3)
            text = f"{whole}{frac}µs"
        else:
            frac, whole = _fmt_frac(u, 6)
            text = f"{whole}{frac}ms"
    else:
        frac, secs = _fmt_frac(u, 9)
        text = f"{secs % 60}{frac}s"
        mins = secs // 60
        if mins > 0:
            text = f"{mins % 60}m" + text
            hours = mins // 60
            if hours > 0:
                text = f"{hours}h" + text
    return ("-" if neg else "") + text


def round_duration(d: int, m: int) -> int:
    """`Duration.Round(m)`: halves away from zero."""
    if m <= 0:
        return d
    r = abs(d) % m
    if d < 0:
        r = -r
        if r + r > -m:
            return d - r
        return d - r - m
    if r + r < m:
        return d - r
    return d + m - r


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
