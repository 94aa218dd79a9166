"""Values: user sources merged in Helm's order (`--set` parsing included), coalescing with chart
defaults, and values.schema.json validation with Helm v4's and v3's error texts."""

from .coalesce import (
    ValueOptions,
    ValuesError,
    ValueSourceError,
    coalesce_values,
    merge_user_values,
    read_local_file,
)
from .strvals import StrvalsError, parse_into

__all__ = [
    "StrvalsError",
    "ValueOptions",
    "ValueSourceError",
    "ValuesError",
    "coalesce_values",
    "merge_user_values",
    "parse_into",
    "read_local_file",
]
