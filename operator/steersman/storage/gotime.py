"""Go `time.Time` as it appears in Helm release JSON: RFC 3339 with up to nanosecond precision.

Python's `datetime` stops at microseconds, so a time read from a record written by Go keeps its
nanoseconds separately; writing it back gives the exact string Go wrote (trailing zeros trimmed,
`Z` for a zero offset, otherwise `±HH:MM`).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

_RFC3339 = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)


@dataclass(frozen=True)
class GoTime:
    """A point in time with nanosecond precision and the writer's UTC offset."""

    # Whole seconds, timezone-aware, microsecond always 0.
    seconds: datetime
    # Fraction of the second in nanoseconds (0..999_999_999).
    nanos: int = 0

    @classmethod
    def parse(cls, text: str) -> GoTime:
        """Parse Go's strict RFC 3339 (1-9 fractional digits, `Z` or an offset)."""
        m = _RFC3339.fullmatch(text)
        if m is None:
            raise ValueError(f"not an RFC 3339 time: {text!r}")
        year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
        frac = m.group(7) or ""
        nanos = int(frac.ljust(9, "0")) if frac else 0
        if m.group(8):
            tz: timezone = UTC
        else:
            sign = -1 if m.group(9) == "-" else 1
            offset = timedelta(hours=int(m.group(10)), minutes=int(m.group(11)))
            tz = timezone(sign * offset)
        return cls(datetime(year, month, day, hour, minute, second, tzinfo=tz), nanos)

    @classmethod
    def from_datetime(cls, value: datetime) -> GoTime:
        if value.tzinfo is None:
            raise ValueError("GoTime needs a timezone-aware datetime")
        return cls(value.replace(microsecond=0), value.microsecond * 1000)

    @classmethod
    def now(cls) -> GoTime:
        """The current time in UTC with nanoseconds, like Go's `time.Now()` on a UTC host."""
        ns = time.time_ns()
        secs, frac = divmod(ns, 1_000_000_000)
        return cls(datetime.fromtimestamp(secs, UTC), frac)

    @classmethod
    def zero(cls) -> GoTime:
        """Go's zero time, `0001-01-01T00:00:00Z`."""
        return cls(datetime(1, 1, 1, tzinfo=UTC))

    @property
    def is_zero(self) -> bool:
        return self.nanos == 0 and self.seconds == datetime(1, 1, 1, tzinfo=UTC)

    @property
    def datetime(self) -> datetime:
        """As a `datetime` (nanoseconds truncated to microseconds)."""
        return self.seconds.replace(microsecond=self.nanos // 1000)

    def unix(self) -> int:
        return int(self.seconds.timestamp())

    def unix_nanos(self) -> int:
        return int(self.seconds.timestamp()) * 1_000_000_000 + self.nanos

    def format(self) -> str:
        """RFC3339Nano as Go writes it."""
        s = self.seconds
        base = f"{s.year:04d}-{s.month:02d}-{s.day:02d}T{s.hour:02d}:{s.minute:02d}:{s.second:02d}"
        frac = f".{self.nanos:09d}".rstrip("0") if self.nanos else ""
        offset = self.seconds.utcoffset() or timedelta(0)
        if offset == timedelta(0):
            zone = "Z"
        else:
            total = int(offset.total_seconds())
            sign = "-" if total < 0 else "+"
            hours, minutes = divmod(abs(total) // 60, 60)
            zone = f"{sign}{hours:02d}:{minutes:02d}"
        return f"{base}{frac}{zone}"

    def __str__(self) -> str:
        return self.format()

    def __lt__(self, other: GoTime) -> bool:
        return self.unix_nanos() < other.unix_nanos()
