"""Go's time.Time, layouts (Format/Parse) and time.Duration text, for Sprig's date functions.

A `GoTime` is an aware datetime plus nanoseconds (Python keeps microseconds). Layouts use Go's
reference time `Mon Jan 2 15:04:05 MST 2006`; the chunk recognition follows `nextStdChunk`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar

from steersman.golang.gostr import to_bytes
from steersman.golang.types import GoFunc, GoStruct

MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Layout chunk codes (names follow Go's std* constants).
_STD_0X = {"1": "01", "2": "02", "3": "03", "4": "04", "5": "05", "6": "06"}
_TZ_DASH = ["-070000", "-07:00:00", "-0700", "-07:00", "-07"]
_TZ_Z = ["Z070000", "Z07:00:00", "Z0700", "Z07:00", "Z07"]


def next_chunk(layout: str) -> tuple[str, str, str]:
    """(prefix, std, suffix) for the first layout element; std is "" when there is none."""
    n = len(layout)
    i = 0
    while i < n:
        c = layout[i]
        if c == "J" and layout.startswith("Jan", i):
            if layout.startswith("January", i):
                return layout[:i], "January", layout[i + 7 :]
            if not layout[i + 3 : i + 4].islower():
                return layout[:i], "Jan", layout[i + 3 :]
        elif c == "M" and n >= i + 3:
            if layout.startswith("Mon", i):
                if layout.startswith("Monday", i):
                    return layout[:i], "Monday", layout[i + 6 :]
                if not layout[i + 3 : i + 4].islower():
                    return layout[:i], "Mon", layout[i + 3 :]
            if layout.startswith("MST", i):
                return layout[:i], "MST", layout[i + 3 :]
        elif c == "0":
            if i + 1 < n and "1" <= layout[i + 1] <= "6":
                return layout[:i], _STD_0X[layout[i + 1]], layout[i + 2 :]
            if layout.startswith("002", i):
                return layout[:i], "002", layout[i + 3 :]
        elif c == "1":
            if layout.startswith("15", i):
                return layout[:i], "15", layout[i + 2 :]
            return layout[:i], "1", layout[i + 1 :]
        elif c == "2":
            if layout.startswith("2006", i):
                return layout[:i], "2006", layout[i + 4 :]
            return layout[:i], "2", layout[i + 1 :]
        elif c == "_":
            if layout.startswith("_2", i):
                if layout.startswith("_2006", i):
                    return layout[: i + 1], "2006", layout[i + 5 :]
                return layout[:i], "_2", layout[i + 2 :]
            if layout.startswith("__2", i):
                return layout[:i], "__2", layout[i + 3 :]
        elif c in "345":
            return layout[:i], c, layout[i + 1 :]
        elif c == "P" and layout.startswith("PM", i):
            return layout[:i], "PM", layout[i + 2 :]
        elif c == "p" and layout.startswith("pm", i):
            return layout[:i], "pm", layout[i + 2 :]
        elif c in "-Z":
            for std in _TZ_DASH if c == "-" else _TZ_Z:
                if layout.startswith(std, i):
                    return layout[:i], std, layout[i + len(std) :]
        elif c in ".," and i + 1 < n and layout[i + 1] in "09":
            ch = layout[i + 1]
            j = i + 1
            while j < n and layout[j] == ch:
                j += 1
            if not (j < n and layout[j].isdigit()):
                return layout[:i], layout[i:j], layout[j:]
        i += 1
    return layout, "", ""


@dataclass(frozen=True)
class GoTime(GoStruct):
    """time.Time: `dt` is aware (its zone is the Location), `nsec` the full nanoseconds, and
    `mono` the monotonic clock reading in ns that `now` values carry (printed as ` m=+...`).

    Go has years 0 and below (`toDate "15:04" ...` is in year 0) and after 9999; datetime has
    neither. Such times keep `dt` `cycles` whole Gregorian 400-year cycles later (negative:
    earlier): a cycle is a whole
    number of weeks, so weekday, day of year and leap years are the same, only the year and the
    Unix time need the shift. Build shifted times through `at` so the shift stays canonical.
    """

    go_type: ClassVar[str] = "time.Time"
    dt: datetime
    nsec: int = 0
    mono: int | None = None
    cycles: int = 0

    @classmethod
    def of(cls, dt: datetime) -> GoTime:
        return cls(dt, dt.microsecond * 1000)

    @classmethod
    def unix(cls, sec: int, loc: tzinfo) -> GoTime:
        return cls.at(sec, 0, loc)

    @classmethod
    def at(cls, sec: int, nsec: int, loc: tzinfo, mono: int | None = None) -> GoTime:
        """The instant `sec` (Unix seconds) + `nsec` shown in zone `loc`."""
        cycles = 0
        if sec < _MIN_UNSHIFTED:
            cycles = (_MIN_UNSHIFTED - sec - 1) // _CYCLE_SECONDS + 1
        elif sec > _MAX_UNSHIFTED:  # years after 9999: kept cycles earlier
            cycles = -((sec - _MAX_UNSHIFTED - 1) // _CYCLE_SECONDS + 1)
        # Arithmetic on aware datetimes is wall-clock; do it in UTC so DST is honoured.
        utc = _EPOCH + timedelta(seconds=sec + cycles * _CYCLE_SECONDS, microseconds=nsec // 1000)
        return cls(utc.astimezone(loc), nsec, mono, cycles)

    @property
    def year(self) -> int:
        return self.dt.year - 400 * self.cycles

    def in_zone(self, loc: tzinfo) -> GoTime:
        # Time.In drops the monotonic reading, like every zone change in Go.
        if self.cycles == 0 and _MIN_UNSHIFTED <= self.unix_seconds() <= _MAX_UNSHIFTED:
            return GoTime(self.dt.astimezone(loc), self.nsec)
        return GoTime.at(self.unix_seconds(), self.nsec, loc)

    def unix_seconds(self) -> int:
        sec = int((self.dt.replace(microsecond=0) - _EPOCH).total_seconds())
        return sec - self.cycles * _CYCLE_SECONDS

    def unix_nano(self) -> int:
        return self.unix_seconds() * 1_000_000_000 + self.nsec

    def add_ns(self, ns: int) -> GoTime:
        sec, nsec = divmod(self.nsec + ns, 1_000_000_000)
        mono = None if self.mono is None else self.mono + ns
        zone = self.dt.tzinfo or UTC
        return GoTime.at(self.unix_seconds() + sec, nsec, zone, mono)

    def offset_seconds(self) -> int:
        off = self.dt.utcoffset()
        return int(off.total_seconds()) if off is not None else 0

    def zone_name(self) -> str:
        name = self.dt.tzname() or ""
        return "UTC" if name in ("UTC", "UTC+00:00") else name

    def format(self, layout: str) -> str:
        return format_time(self, layout)

    def go_string(self) -> str:
        text = self.format("2006-01-02 15:04:05.999999999 -0700 MST")
        if self.mono is not None:
            sign = "-" if self.mono < 0 else "+"
            secs, frac = divmod(abs(self.mono), 1_000_000_000)
            text += f" m={sign}{secs}.{frac:09d}"
        return text

    def go_json(self) -> str:
        return self.format("2006-01-02T15:04:05.999999999Z07:00")

    def go_method(self, name: str) -> GoFunc | None:
        from .timemethods import time_method

        return time_method(self, name)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ZERO_UNIX = -62135596800
_CYCLE_SECONDS = 146097 * 86400  # 400 Gregorian years
# From 0001-01-02 UTC on, a datetime in any zone (offsets are under a day) is representable.
_MIN_UNSHIFTED = _ZERO_UNIX + 86400
_MAX_UNSHIFTED = 253402214400  # 9999-12-31 00:00 UTC: a day short of datetime's end


def cycles_for_year(year: int) -> int:
    """How many 400-year cycles a (local) date in `year` is moved to fit datetime."""
    if year < 2:
        return (401 - year) // 400
    if year > 9998:
        return -((year - 9998 + 399) // 400)
    return 0


ZERO_TIME = GoTime.at(_ZERO_UNIX, 0, UTC)


def _pad(n: int, width: int) -> str:
    return f"-{-n:0{width}d}" if n < 0 else f"{n:0{width}d}"


def _tz(std: str, offset: int) -> str:
    if offset == 0 and std.startswith("Z"):
        return "Z"
    sign = "-" if offset < 0 else "+"
    off = abs(offset)
    zone = off // 60
    out = sign + _pad(zone // 60, 2)
    colon = ":" in std
    if colon:
        out += ":"
    if std not in ("-07", "Z07"):
        out += _pad(zone % 60, 2)
    if std in ("-070000", "Z070000", "-07:00:00", "Z07:00:00"):
        if colon:
            out += ":"
        out += _pad(off % 60, 2)
    return out


def _frac(nsec: int, std: str) -> str:
    digits = len(std) - 1
    text = f"{nsec:09d}"[:digits]
    if std[1] == "9":
        text = text.rstrip("0")
        if not text:
            return ""
    return std[0] + text


def format_time(t: GoTime, layout: str) -> str:
    dt = t.dt
    out: list[str] = []
    while layout:
        prefix, std, layout = next_chunk(layout)
        out.append(prefix)
        if not std:
            break
        hour = dt.hour
        if std == "06":
            out.append(_pad(abs(t.year) % 100, 2))
        elif std == "2006":
            out.append(_pad(t.year, 4))
        elif std == "January":
            out.append(MONTHS[dt.month - 1])
        elif std == "Jan":
            out.append(MONTHS[dt.month - 1][:3])
        elif std == "1":
            out.append(str(dt.month))
        elif std == "01":
            out.append(_pad(dt.month, 2))
        elif std == "Monday":
            out.append(DAYS[dt.weekday()])
        elif std == "Mon":
            out.append(DAYS[dt.weekday()][:3])
        elif std == "2":
            out.append(str(dt.day))
        elif std == "_2":
            out.append(f"{dt.day:2d}")
        elif std == "02":
            out.append(_pad(dt.day, 2))
        elif std == "__2":
            out.append(f"{dt.timetuple().tm_yday:3d}")
        elif std == "002":
            out.append(_pad(dt.timetuple().tm_yday, 3))
        elif std == "15":
            out.append(_pad(hour, 2))
        elif std in ("3", "03"):
            h12 = hour % 12 or 12
            out.append(str(h12) if std == "3" else _pad(h12, 2))
        elif std in ("4", "04"):
            out.append(str(dt.minute) if std == "4" else _pad(dt.minute, 2))
        elif std in ("5", "05"):
            out.append(str(dt.second) if std == "5" else _pad(dt.second, 2))
        elif std in ("PM", "pm"):
            text = "PM" if hour >= 12 else "AM"
            out.append(text if std == "PM" else text.lower())
        elif std in _TZ_DASH or std in _TZ_Z:
            out.append(_tz(std, t.offset_seconds()))
        elif std == "MST":
            name = t.zone_name()
            out.append(name if name else _tz("-0700", t.offset_seconds()))
        else:
            out.append(_frac(t.nsec, std))
    return "".join(out)


# --- time.Duration ----------------------------------------------------------------------------

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


def time_quote(s: str) -> str:
    """The time package's own quote(): every byte of a non-ASCII or control character as
    \\xNN (invalid UTF-8 bytes, kept as surrogate escapes, included)."""
    out = ['"']
    for c in s:
        if c < " " or c >= "\x80":
            out.extend(f"\\x{b:02x}" for b in to_bytes(c))
        else:
            out.append("\\" + c if c in '"\\' else c)
    out.append('"')
    return "".join(out)


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


def local_zone(now: datetime) -> tzinfo:
    return now.tzinfo or UTC
