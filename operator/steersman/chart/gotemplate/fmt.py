"""Go's fmt printing (Sprint, Sprintln, Sprintf, %v, %T) over the value model in types.py.

The printer lives in printer.py and Sprintf's format parsing in sprintf.py; this module is the
public face.
"""

from __future__ import annotations

from .printer import (
    format_value,
    func_type_name,
    go_quote,
    go_quote_rune,
    go_sprint,
    go_sprintln,
    type_name,
)
from .sprintf import go_sprintf

__all__ = [
    "format_value",
    "func_type_name",
    "go_quote",
    "go_quote_rune",
    "go_sprint",
    "go_sprintf",
    "go_sprintln",
    "type_name",
]
