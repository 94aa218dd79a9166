"""Go's time.ParseInLocation (Sprig's `toDate`/`mustToDate` use it), with Go's error texts."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from steersman.golang.gotime import CYCLE_SECONDS, GoTime, cycles_for_year
from steersman.golang.timeformat import DAYS, MONTHS, TZ_DASH, TZ_Z, next_chunk, time_quote


class TimeParseError(ValueError):
    pass


class FixedZone(tzinfo):
    """time.FixedZone(name, offset)."""

    def __init__(self, name: str, offset: int) -> None:
        self._name = name
        self._offset = timedelta(seconds=offset)

    def utcoffset(self, dt: datetime | None) -> timedelta:
        return self._offset

    def tzname(self, dt: datetime | None) -> str:
        return self._name

    def dst(self, dt: datetime | None) -> timedelta:
        return timedelta(0)


_q = time_quote


@dataclass
class _Fields:
    year: int = 0  # Go: elements missing from the layout are zero, or one where zero is invalid
    month: int = -1
    day: int = -1
    yday: int = -1
    hour: int = 0
    minute: int = 0
    second: int = 0
    nsec: int = 0
    pm: bool | None = None
    offset: int | None = None
    zone_name: str | None = None


def _getnum(v: str, fixed: bool) -> tuple[int, str] | None:
    if not v[:1].isdigit() or not v[:1].isascii():
        return None
    if not (v[1:2].isdigit() and v[1:2].isascii()):
        if fixed:
            return None
        return int(v[0]), v[1:]
    return int(v[:2]), v[2:]


def _getnum3(v: str, fixed: bool) -> tuple[int, str] | None:
    i = 0
    while i < 3 and i < len(v) and v[i].isdigit() and v[i].isascii():
        i += 1
    if i == 0 or (fixed and i != 3):
        return None
    return int(v[:i]), v[i:]


def _lookup(names: list[str], v: str) -> tuple[int, str] | None:
    for i, name in enumerate(names):
        if v[: len(name)].lower() == name.lower():
            return i, v[len(name) :]
    return None


def _skip(value: str, prefix: str) -> str | None:
    """Go's skip: the literal prefix, where a run of spaces matches any run of spaces."""
    while prefix:
        if prefix[0] == " ":
            if value and value[0] != " ":
                return None
            prefix = prefix.lstrip(" ")
            value = value.lstrip(" ")
            continue
        if not value or value[0] != prefix[0]:
            return None
        prefix, value = prefix[1:], value[1:]
    return value


def _parse_tz(std: str, v: str) -> tuple[int, str] | None:
    if std.startswith("Z") and v[:1] == "Z":
        return 0, v[1:]
    colon = ":" in std
    short = std in ("-07", "Z07")
    secs = std in ("-070000", "Z070000", "-07:00:00", "Z07:00:00")
    width = 3 if short else (6 if colon else 5)
    if secs:
        width = 9 if colon else 7
    part = v[:width]
    if len(part) < width or part[0] not in "+-":
        return None
    digits = part[1:].replace(":", "") if colon else part[1:]
    if colon and (part[3] != ":" or (secs and part[6] != ":")):
        return None
    if not digits.isdigit() or not digits.isascii():
        return None
    hh, mm = int(digits[:2]), int(digits[2:4] or "0")
    ss = int(digits[4:6] or "0")
    if hh > 24 or mm > 60 or ss > 60:
        return None
    off = hh * 3600 + mm * 60 + ss
    return (-off if part[0] == "-" else off), v[width:]


def _parse_zone_name(v: str) -> int:
    """Length of a time zone abbreviation at the start of v (Go's parseTimeZone), 0 if none."""
    if len(v) < 3:
        return 0
    if v[:4] in ("ChST", "MeST"):
        return 4
    if v[:3] == "GMT":
        return 3
    n = 0
    while n < len(v) and "A" <= v[n] <= "Z":
        n += 1
    if n in (3, 4, 5) or (n == 4 and v[3] == "T"):
        return n
    return 0


def parse_time(layout: str, value: str, local: tzinfo) -> GoTime:
    orig_layout, orig_value = layout, value
    f = _Fields()

    def fail(value_elem: str, std: str) -> TimeParseError:
        return TimeParseError(
            f"parsing time {_q(orig_value)} as {_q(orig_layout)}: cannot parse "
            f"{_q(value_elem)} as {_q(std)}"
        )

    while True:
        prefix, std, layout = next_chunk(layout)
        rest = _skip(value, prefix)
        if rest is None:
            raise fail(value, prefix)
        value = rest
        if not std:
            if value:
                raise TimeParseError(f"parsing time {_q(orig_value)}: extra text: {_q(value)}")
            break
        hold = value
        got: tuple[int, str] | None = None
        if std == "2006":
            if len(value) >= 4 and value[:4].isdigit() and value[:4].isascii():
                got = int(value[:4]), value[4:]
                f.year = got[0]
        elif std == "06":
            if len(value) >= 2 and value[:2].isdigit() and value[:2].isascii():
                y = int(value[:2])
                f.year = y + (1900 if y >= 69 else 2000)
                got = y, value[2:]
        elif std in ("January", "Jan"):
            names = MONTHS if std == "January" else [m[:3] for m in MONTHS]
            got = _lookup(names, value)
            if got is not None:
                f.month = got[0] + 1
        elif std in ("Monday", "Mon"):
            got = _lookup(DAYS if std == "Monday" else [d[:3] for d in DAYS], value)
        elif std in ("1", "01"):
            got = _getnum(value, std == "01")
            if got is not None:
                if not 1 <= got[0] <= 12:
                    raise TimeParseError(f"parsing time {_q(orig_value)}: month out of range")
                f.month = got[0]
        elif std in ("2", "02", "_2"):
            if std == "_2" and value[:1] == " ":
                value = value[1:]
            got = _getnum(value, std == "02")
            if got is not None:
                f.day = got[0]
        elif std in ("__2", "002"):
            for _ in range(2 if std == "__2" else 0):
                if value[:1] == " ":
                    value = value[1:]
            got = _getnum3(value, std == "002")
            if got is not None:
                f.yday = got[0]
        elif std in ("15", "3", "03"):
            got = _getnum(value, std == "03")
            if got is not None:
                if got[0] > (23 if std == "15" else 12):
                    raise TimeParseError(f"parsing time {_q(orig_value)}: hour out of range")
                f.hour = got[0]
        elif std in ("4", "04", "5", "05"):
            got = _getnum(value, len(std) == 2)
            if got is not None:
                if got[0] > 59:
                    what = "minute" if std in ("4", "04") else "second"
                    raise TimeParseError(f"parsing time {_q(orig_value)}: {what} out of range")
                if std in ("4", "04"):
                    f.minute = got[0]
                else:
                    f.second = got[0]
                    after = got[1]
                    # A fraction in the value that the layout does not mention is accepted.
                    nxt = next_chunk(layout)[1]
                    if (
                        len(after) > 1
                        and after[0] in ".,"
                        and after[1].isdigit()
                        and not (nxt[:1] in ".," and len(nxt) > 1)
                    ):
                        j = 1
                        while j < len(after) and after[j].isdigit():
                            j += 1
                        f.nsec = int((after[1:j] + "000000000")[:9])
                        got = got[0], after[j:]
        elif std in ("PM", "pm"):
            word = value[:2]
            am, pm = ("AM", "PM") if std == "PM" else ("am", "pm")
            if word in (am, pm):
                f.pm = word == pm
                got = 0, value[2:]
        elif std in TZ_DASH or std in TZ_Z:
            got = _parse_tz(std, value)
            if got is not None:
                f.offset = got[0]
        elif std == "MST":
            if value[:3] == "UTC":
                f.zone_name, got = "UTC", (0, value[3:])
            else:
                n = _parse_zone_name(value)
                if n:
                    f.zone_name, got = value[:n], (0, value[n:])
        else:  # fractional seconds
            digits = len(std) - 1
            if value[:1] in ".,":
                j = 1
                while j < len(value) and value[j].isdigit() and value[j].isascii():
                    j += 1
                frac = value[1:j]
                if std[1] == "0" and len(frac) != digits:
                    got = None
                else:
                    f.nsec = int((frac + "000000000")[:9])
                    got = 0, value[j:]
            elif std[1] == "9":
                got = 0, value
        if got is None:
            raise fail(hold, std)
        value = got[1]

    if f.pm is not None and f.hour < 12 and f.pm:
        f.hour += 12
    elif f.pm is False and f.hour == 12:
        f.hour = 0
    _resolve_date(f, orig_value)
    # datetime has no year 0 or below: build such dates whole 400-year cycles later.
    cycles = cycles_for_year(f.year)
    naive = datetime(
        f.year + 400 * cycles, f.month, f.day, f.hour, f.minute, f.second, f.nsec // 1000
    )
    t = _in_zone(f, naive, local)
    if cycles:
        sec = t.unix_seconds() - cycles * CYCLE_SECONDS
        return GoTime.at(sec, t.nsec, t.dt.tzinfo or UTC)
    return t


def _in_zone(f: _Fields, naive: datetime, local: tzinfo) -> GoTime:
    if f.offset is not None:
        utc = (naive - timedelta(seconds=f.offset)).replace(tzinfo=UTC)
        local_dt = utc.astimezone(local)
        off = local_dt.utcoffset()
        if off is not None and int(off.total_seconds()) == f.offset:
            return GoTime(local_dt, f.nsec)
        return GoTime(utc.astimezone(FixedZone("", f.offset)), f.nsec)
    if f.zone_name is not None:
        guess = naive.replace(tzinfo=local)
        if guess.tzname() == f.zone_name:
            return GoTime(guess, f.nsec)
        zone: tzinfo = UTC if f.zone_name == "UTC" else FixedZone(f.zone_name, 0)
        return GoTime(naive.replace(tzinfo=zone), f.nsec)
    return GoTime(naive.replace(tzinfo=local), f.nsec)


_DAYS_BEFORE = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365]


def _days_in(month: int, year: int) -> int:
    if month == 2 and calendar.isleap(year):
        return 29
    return _DAYS_BEFORE[month] - _DAYS_BEFORE[month - 1]


def _resolve_date(f: _Fields, orig_value: str) -> None:
    """Go's checks after parsing: day of year against month and day, then the day's range."""

    def fail(what: str) -> TimeParseError:
        return TimeParseError(f"parsing time {_q(orig_value)}: {what}")

    if f.yday >= 0:
        yday, month, day = f.yday, 0, 0
        if calendar.isleap(f.year):
            if yday == 31 + 29:
                month, day = 2, 29
            elif yday > 31 + 29:
                yday -= 1
        if yday < 1 or yday > 365:
            raise fail("day-of-year out of range")
        if month == 0:
            month = (yday - 1) // 31 + 1
            if _DAYS_BEFORE[month] < yday:
                month += 1
            day = yday - _DAYS_BEFORE[month - 1]
        if f.month >= 0 and f.month != month:
            raise fail("day-of-year does not match month")
        if f.day >= 0 and f.day != day:
            raise fail("day-of-year does not match day")
        f.month, f.day = month, day
    else:
        f.month = 1 if f.month < 0 else f.month
        f.day = 1 if f.day < 0 else f.day
    if f.day < 1 or f.day > _days_in(f.month, f.year):
        raise fail("day out of range")
