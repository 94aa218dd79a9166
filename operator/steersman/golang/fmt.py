"""Go's fmt printing (Sprint, Sprintln, Sprintf, %v, %T) over the value model in types.py.

The printer lives in printer.py and Sprintf's format parsing in sprintf.py; this module is the
public face.
"""

from __future__ import annotations

from .printer import format_value, go_sprint, go_sprintln
from .quote import go_quote, go_quote_rune
from .sprintf import go_sprintf
from .typenames import func_type_name, type_name

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
