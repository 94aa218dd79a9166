"""Template errors; str(e) is exactly what Go's err.Error() returns."""

from __future__ import annotations


class TemplateError(Exception):
    """Base of parse and execution errors."""


class TemplateParseError(TemplateError):
    """A template failed to parse (`template: NAME:LINE: ...`)."""


class TemplateExecError(TemplateError):
    """Execution failed (`template: NAME:LINE:COL: executing "NAME" at <...>: ...`)."""
