"""Go-style duration strings ("30s", "5m", "1h30m", "1.5h"), as Flux and kubectl users write them.

The CRD checks the shape with `DURATION_PATTERN`; `parse_duration` turns one into seconds
through Go's time.ParseDuration (golang.duration).
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

from steersman.api.base import Pattern
from steersman.golang.duration import parse_duration as go_parse_duration

# One or more <number><unit> groups; Go also accepts "µs", a bare "0" and ".5s", which we don't.
DURATION_PATTERN = r"^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$"


def parse_duration(text: str) -> float:
    """Seconds in a Go duration string; ValueError if it is not one."""
    if re.fullmatch(DURATION_PATTERN, text) is None:
        raise ValueError(f"{text!r} is not a duration such as 30s, 5m or 1h30m")
    return go_parse_duration(text) / 1e9  # DurationError (a ValueError) beyond ~292 years


def _positive(text: str) -> str:
    if parse_duration(text) <= 0:
        raise ValueError(f"{text!r} must be longer than zero")
    return text


Duration = Annotated[
    str, Pattern(DURATION_PATTERN, "a Go duration such as 30s, 5m or 1h30m (units ns|us|ms|s|m|h)")
]
PositiveDuration = Annotated[Duration, AfterValidator(_positive)]
