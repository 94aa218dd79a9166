"""Go's time.Time: Sprig's date values and their methods, and the times Helm release records
store (RFC 3339 with nanoseconds).

A `GoTime` is an aware datetime plus nanoseconds (Python keeps microseconds). Formatting and
layouts live in timeformat.py, parsing layouts in timeparse.py, durations in duration.py.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from typing import Any, ClassVar

from steersman.golang.duration import GoDuration
from steersman.golang.timeformat import DAYS, MONTHS, format_layout, zone_name
from steersman.golang.types import GoFunc, GoInt64, GoStruct, TemplateFuncError, wrap64

RFC3339_NANO = "2006-01-02T15:04:05.999999999Z07:00"
_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)
_MAX = (1 << 63) - 1
_MIN = -(1 << 63)


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
    def from_datetime(cls, value: datetime) -> GoTime:
        """An aware datetime (microseconds) as a time.Time."""
        if value.tzinfo is None:
            raise ValueError("GoTime needs a timezone-aware datetime")
        sec = (value.replace(microsecond=0) - _EPOCH) // timedelta(seconds=1)
        if not _MIN_UNSHIFTED <= sec <= _MAX_UNSHIFTED:
            return cls.at(sec, value.microsecond * 1000, value.tzinfo)  # canonical shift
        return cls(value, value.microsecond * 1000)

    @classmethod
    def at(cls, sec: int, nsec: int, loc: tzinfo, mono: int | None = None) -> GoTime:
        """The instant `sec` (Unix seconds) + `nsec` shown in zone `loc`."""
        cycles = 0
        if sec < _MIN_UNSHIFTED:
            cycles = (_MIN_UNSHIFTED - sec - 1) // CYCLE_SECONDS + 1
        elif sec > _MAX_UNSHIFTED:  # years after 9999: kept cycles earlier
            cycles = -((sec - _MAX_UNSHIFTED - 1) // CYCLE_SECONDS + 1)
        # Arithmetic on aware datetimes is wall-clock; do it in UTC so DST is honoured.
        utc = _EPOCH + timedelta(seconds=sec + cycles * CYCLE_SECONDS, microseconds=nsec // 1000)
        return cls(utc.astimezone(loc), nsec, mono, cycles)

    @classmethod
    def parse(cls, text: str) -> GoTime:
        """Go's strict RFC 3339 (time.RFC3339Nano: 1-9 fractional digits, `Z` or an offset), as
        Helm release records store times."""
        m = _RFC3339.fullmatch(text)
        if m is None:
            raise ValueError(f"not an RFC 3339 time: {text!r}")
        year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
        frac = m.group(7) or ""
        offset = 0
        if not m.group(8):
            offset = (int(m.group(10)) * 60 + int(m.group(11))) * 60
            offset = -offset if m.group(9) == "-" else offset
        days = date(year, month, day).toordinal() - _EPOCH_ORDINAL
        sec = days * 86400 + hour * 3600 + minute * 60 + second - offset
        zone = UTC if m.group(8) else timezone(timedelta(seconds=offset))
        return cls.at(sec, int(frac.ljust(9, "0")) if frac else 0, zone)

    @classmethod
    def now(cls) -> GoTime:
        """The current time in UTC with nanoseconds, like Go's `time.Now()` on a UTC host (no
        monotonic reading: records keep wall times)."""
        secs, nsec = divmod(time.time_ns(), 1_000_000_000)
        return cls.at(secs, nsec, UTC)

    @classmethod
    def zero(cls) -> GoTime:
        """Go's zero time, `0001-01-01T00:00:00Z`."""
        return ZERO_TIME

    @property
    def is_zero(self) -> bool:
        return self.unix_seconds() == ZERO_UNIX and self.nsec == 0

    @property
    def datetime(self) -> datetime:
        """As a `datetime` (nanoseconds truncated to microseconds); ValueError for the years
        datetime lacks."""
        if self.cycles == 0:
            return self.dt
        if not 1 <= self.year <= 9999:
            raise ValueError(f"year {self.year} is outside datetime's range")
        return self.dt.replace(year=self.year)  # a 400-year shift keeps month, day and weekday

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
        return sec - self.cycles * CYCLE_SECONDS

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
        return zone_name(self.dt)

    def format(self, layout: str = RFC3339_NANO) -> str:
        return format_layout(layout, self.dt, self.year, self.nsec)

    def __str__(self) -> str:
        return self.format()

    def __lt__(self, other: GoTime) -> bool:
        return self.unix_nano() < other.unix_nano()

    def go_string(self) -> str:
        text = self.format("2006-01-02 15:04:05.999999999 -0700 MST")
        if self.mono is not None:
            sign = "-" if self.mono < 0 else "+"
            secs, frac = divmod(abs(self.mono), 1_000_000_000)
            text += f" m={sign}{secs}.{frac:09d}"
        return text

    def go_json(self) -> str:
        return self.format(RFC3339_NANO)

    def go_method(self, name: str) -> GoFunc | None:
        return time_method(self, name)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = _EPOCH.toordinal()
ZERO_UNIX = -62135596800
CYCLE_SECONDS = 146097 * 86400  # 400 Gregorian years
# From 0001-01-02 UTC on, a datetime in any zone (offsets are under a day) is representable.
_MIN_UNSHIFTED = ZERO_UNIX + 86400
_MAX_UNSHIFTED = 253402214400  # 9999-12-31 00:00 UTC: a day short of datetime's end


def cycles_for_year(year: int) -> int:
    """How many 400-year cycles a (local) date in `year` is moved to fit datetime."""
    if year < 2:
        return (401 - year) // 400
    if year > 9998:
        return -((year - 9998 + 399) // 400)
    return 0


ZERO_TIME = GoTime.at(ZERO_UNIX, 0, UTC)


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
    sec = shifted.unix_seconds() - cycles * CYCLE_SECONDS
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
    r = ((t.unix_seconds() - ZERO_UNIX) * 1_000_000_000 + t.nsec) % d
    if up and r + r >= d:
        return stripped.add_ns(d - r)
    return stripped.add_ns(-r)


def _rfc3339(t: GoTime, method: str) -> bytes:
    """Time.MarshalText's strict RFC 3339 text (MarshalJSON adds the quotes)."""
    if not 0 <= t.year <= 9999:
        raise TemplateFuncError(f"Time.{method}: year outside of range [0,9999]")
    if abs(t.offset_seconds()) // 3600 >= 24:
        raise TemplateFuncError(f"Time.{method}: timezone hour outside of range [0,23]")
    return t.format(RFC3339_NANO).encode()


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
        "IsZero": t.unix_seconds() == ZERO_UNIX and t.nsec == 0,
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
