"""Typed errors for everything the kube facade does, mapped from HTTP status codes."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from kubernetes_asyncio.client import ApiException

from steersman.errors import SteersmanError


class KubeError(SteersmanError):
    """Base class. `status` is the HTTP code (0 when the server was not reached)."""

    status: int = 0

    def __init__(self, message: str, *, status: int = 0, reason: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.status = status or self.status
        self.reason = reason


class NotFound(KubeError):
    status = 404


class Conflict(KubeError):
    status = 409


class Forbidden(KubeError):
    """403, and 401 (the credentials were refused): both mean "not allowed"."""

    status = 403


class Invalid(KubeError):
    """422 or 400: the object or request is malformed or fails validation."""

    status = 422


class Unavailable(KubeError):
    """The apiserver could not be reached, timed out, throttled us or failed (5xx, 429)."""

    status = 503


class UnknownKind(KubeError):
    """No resource serves this apiVersion/kind (CRD not installed, typo in the manifest)."""

    status = 404


_BY_STATUS: dict[int, type[KubeError]] = {
    400: Invalid,
    401: Forbidden,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    410: Conflict,  # Gone: a watch/list continue token expired; retrying helps
    422: Invalid,
    429: Unavailable,
}


def _status_message(body: Any) -> tuple[str, str]:
    """The apiserver's `Status.message` and `reason`, when the body is a Status object."""
    if isinstance(body, bytes):
        body = body.decode(errors="replace")
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return body.strip(), ""
    if isinstance(body, dict):
        return str(body.get("message", "")), str(body.get("reason", ""))
    return "", ""


def from_api_exception(err: ApiException) -> KubeError:
    return from_status(int(err.status or 0), err.body, str(err.reason or ""))


def from_status(status: int, body: Any, http_reason: str = "") -> KubeError:
    """The typed error for an HTTP status and the apiserver's body (a Status object)."""
    message, reason = _status_message(body)
    cls = _BY_STATUS.get(status, Unavailable if status >= 500 or status == 0 else KubeError)
    return cls(message or f"{status} {http_reason}".strip(), status=status, reason=reason)


def translate(err: BaseException) -> KubeError | None:
    """The typed error for a failure of a kube call, or None if it is not one of ours."""
    if isinstance(err, KubeError):
        return err
    if isinstance(err, ApiException):
        return from_api_exception(err)
    if isinstance(err, aiohttp.ClientError | asyncio.TimeoutError | ConnectionError):
        return Unavailable(f"kube-apiserver unreachable: {type(err).__name__}: {err}".rstrip(": "))
    return None
