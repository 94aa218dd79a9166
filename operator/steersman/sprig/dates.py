"""Sprig date functions (date.go) over GoTime; the clock and Local zone come from SprigEnv.

Local is the zone of the datetime that `now()` returns. Zones for `dateInZone` load from the
system tz database (zoneinfo); an unknown zone falls back to UTC, as in Sprig.
"""

from __future__ import annotations

from datetime import UTC, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from steersman.golang.duration import (
    DurationError,
    duration_string,
    parse_duration,
    round_duration,
)
from steersman.golang.gotime import ZERO_TIME, GoTime
from steersman.golang.timeparse import TimeParseError, parse_time
from steersman.golang.types import GoFunc, GoInt64, TemplateFuncError

from ._env import SprigEnv

SECOND = 1_000_000_000


class DateFuncs:
    def __init__(self, env: SprigEnv) -> None:
        self.env = env
        # Go's monotonic readings count from process start; ours from the function map's birth.
        self._start = env.now()

    @property
    def local(self) -> tzinfo:
        return self.env.now().tzinfo or UTC

    def now(self) -> GoTime:
        dt = self.env.now()
        elapsed = dt - self._start
        mono = (
            elapsed.days * 86400 + elapsed.seconds
        ) * 1_000_000_000 + elapsed.microseconds * 1000
        return GoTime(dt, dt.microsecond * 1000, mono)

    def load_location(self, name: str) -> tzinfo:
        if name in ("", "UTC"):
            return UTC
        if name == "Local":
            return self.local
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return UTC

    def _as_time(self, v: Any, allow_int32: bool = True) -> GoTime:
        if isinstance(v, GoTime):
            return v
        if isinstance(v, int) and not isinstance(v, bool):
            return GoTime.at(int(v), 0, self.local)
        return self.now()

    def date_in_zone(self, layout: str, date: Any, zone: str) -> str:
        loc = self.load_location(zone)
        return self._as_time(date).in_zone(loc).format(layout)

    def date(self, layout: str, date: Any) -> str:
        return self.date_in_zone(layout, date, "Local")

    def date_modify(self, spec: str, t: GoTime) -> GoTime:
        try:
            return t.add_ns(parse_duration(spec))
        except DurationError:
            return t

    def must_date_modify(self, spec: str, t: GoTime) -> GoTime:
        try:
            return t.add_ns(parse_duration(spec))
        except DurationError as e:
            raise TemplateFuncError(str(e)) from None

    def since(self, t: GoTime) -> int:
        return self.now().unix_nano() - t.unix_nano()

    def ago(self, date: Any) -> str:
        t = date if isinstance(date, GoTime) else self._as_time(date)
        return duration_string(round_duration(self.since(t), SECOND))

    def to_date(self, layout: str, value: str) -> GoTime:
        try:
            return parse_time(layout, value, self.local)
        except TimeParseError:
            return ZERO_TIME

    def must_to_date(self, layout: str, value: str) -> GoTime:
        try:
            return parse_time(layout, value, self.local)
        except TimeParseError as e:
            raise TemplateFuncError(str(e)) from None

    def duration_round(self, v: Any) -> str:
        d = 0
        if isinstance(v, str):
            try:
                d = parse_duration(v)
            except DurationError:
                d = 0
        elif isinstance(v, GoInt64):
            d = int(v)
        elif isinstance(v, GoTime):
            d = self.since(v)
        u = abs(d)
        units = [
            (SECOND * 3600 * 24 * 365, "y"),
            (SECOND * 3600 * 24 * 30, "mo"),
            (SECOND * 3600 * 24, "d"),
            (SECOND * 3600, "h"),
            (SECOND * 60, "m"),
            (SECOND, "s"),
        ]
        for size, suffix in units:
            if u > size:
                return f"{u // size}{suffix}"
        return "0s"


def duration(sec: Any) -> str:
    """Only a string or an int64 counts; anything else (an int literal too) is 0."""
    n = 0
    if isinstance(sec, str):
        text = sec
        ok = text[1:].isdigit() if text[:1] in "+-" else text.isdigit()
        n = int(text) if ok and text.isascii() else 0
        # strconv.ParseInt's range error still returns the nearest int64, which Sprig keeps.
        n = max(-(1 << 63), min((1 << 63) - 1, n))
    elif isinstance(sec, GoInt64):
        n = int(sec)
    ns = (n * SECOND + (1 << 63)) % (1 << 64) - (1 << 63)  # Duration multiplication wraps
    return duration_string(ns)


def date_funcs(env: SprigEnv) -> dict[str, GoFunc]:
    d = DateFuncs(env)
    t = "time.Time"
    any1 = ("interface {}",)
    return {
        "ago": GoFunc(d.ago, any1, result="string"),
        "date": GoFunc(d.date, ("string", "interface {}"), result="string"),
        "date_in_zone": GoFunc(
            d.date_in_zone, ("string", "interface {}", "string"), result="string"
        ),
        "dateInZone": GoFunc(d.date_in_zone, ("string", "interface {}", "string"), result="string"),
        "date_modify": GoFunc(d.date_modify, ("string", t), result=t),
        "dateModify": GoFunc(d.date_modify, ("string", t), result=t),
        "must_date_modify": GoFunc(d.must_date_modify, ("string", t), result=t, can_error=True),
        "mustDateModify": GoFunc(d.must_date_modify, ("string", t), result=t, can_error=True),
        "duration": GoFunc(duration, any1, result="string"),
        "durationRound": GoFunc(d.duration_round, any1, result="string"),
        "htmlDate": GoFunc(lambda v: d.date("2006-01-02", v), any1, result="string"),
        "htmlDateInZone": GoFunc(
            lambda v, z: d.date_in_zone("2006-01-02", v, z),
            ("interface {}", "string"),
            result="string",
        ),
        "now": GoFunc(d.now, (), result=t),
        "toDate": GoFunc(d.to_date, ("string", "string"), result=t),
        "mustToDate": GoFunc(d.must_to_date, ("string", "string"), result=t, can_error=True),
        "unixEpoch": GoFunc(lambda tm: str(tm.unix_seconds()), (t,), result="string"),
    }
