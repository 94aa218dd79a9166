"""The injectable sources of randomness and time that non-deterministic Sprig functions use."""

from __future__ import annotations

import functools
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


@dataclass(frozen=True)
class SprigEnv:
    """`rand` feeds rand*/shuffle/uuidv4/randBytes/gen* keys and serials; `now` feeds now/date/ago.

    `now` must return an aware datetime (it carries the Local zone that `date` formats in).
    """

    rand: random.Random
    now: Callable[[], datetime]

    def rand_bytes(self, n: int) -> bytes:
        return self.rand.randbytes(n)


@functools.cache
def go_local_zone() -> tzinfo:
    """Go's time.Local: $TZ when set ("" or an unknown name mean UTC), else /etc/localtime.

    A real zone (not a fixed offset) so dates in other seasons get their own DST offset.
    """
    name = os.environ.get("TZ")
    if name is not None:
        try:
            return ZoneInfo(name) if name not in ("", "UTC") else UTC
        except (ZoneInfoNotFoundError, ValueError):
            return UTC
    try:
        with open("/etc/localtime", "rb") as f:
            return ZoneInfo.from_file(f, key="Local")
    except (OSError, ValueError):
        return UTC


def wall_clock() -> datetime:
    return datetime.now(go_local_zone())
