"""Typed failures of chart sources. Messages name the source (URL without credentials or query)
and the problem; they never contain a password, token or Authorization header."""

from __future__ import annotations

from steersman.errors import SteersmanError


class ChartSourceError(SteersmanError):
    """Base class: any failure to resolve or fetch a chart from a repository or registry.

    `helm` is the text helm v4 prints for the same failure, where it is known and differs
    (`steersman template` prints it; the operator's conditions keep the message)."""

    helm: str = ""


class InvalidReference(ChartSourceError):
    """The reference itself is unusable: bad URL, unsupported scheme, unparsable constraint."""


class ChartNotFound(ChartSourceError):
    """The chart, or a version matching the constraint, is not in the repository."""

    def __init__(self, message: str, *, available: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.available = available


class SourceUnavailable(ChartSourceError):
    """The repository could not be reached or answered with an unexpected error."""


class AuthFailed(ChartSourceError):
    """The repository refused our credentials, or demanded credentials we do not have."""


class DigestMismatch(ChartSourceError):
    """Downloaded bytes do not hash to the digest the index or manifest promised."""

    def __init__(self, message: str, *, expected: str, actual: str) -> None:
        super().__init__(message)
        self.expected = expected
        self.actual = actual
