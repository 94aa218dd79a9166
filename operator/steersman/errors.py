"""The root of every error whose message is safe to show a user (httpx's one exception tree).

An error derives from `SteersmanError` when we wrote its message ourselves, or sanitised it:
no secret value, DSN, token or Python traceback in it. Conditions, events, logs and command
output show such messages as they are; any other exception is a bug and is shown only by its
type name (`describe`).

Layers keep their own roots under this one (`EngineError`, `StorageError`, `KubeError`,
`ChartError`, ...). The template libraries (gotemplate, sprig, golang) stand alone and do not
derive from it: chart rendering wraps their errors in its `RenderError`.
"""

from __future__ import annotations


class SteersmanError(Exception):
    """An error whose message is safe to show anywhere."""


def describe(err: BaseException) -> str:
    """A message that is safe to show anywhere: ours, or just the exception's type."""
    if isinstance(err, SteersmanError):
        return str(err) or type(err).__name__
    return f"internal error ({type(err).__name__})"
