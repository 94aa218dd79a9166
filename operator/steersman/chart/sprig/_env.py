"""The injectable sources of randomness and time that non-deterministic Sprig functions use."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class SprigEnv:
    """`rand` feeds rand*/shuffle/uuidv4/randBytes/gen* keys and serials; `now` feeds now/date/ago.

    `now` must return an aware datetime (it carries the Local zone that `date` formats in).
    """

    rand: random.Random
    now: Callable[[], datetime]

    def rand_bytes(self, n: int) -> bytes:
        return self.rand.randbytes(n)
