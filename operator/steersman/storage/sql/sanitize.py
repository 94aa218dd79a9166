"""Keep the SQL connection string secret.

`SqlDsn` holds the DSN and hides it from `repr`/`str`. `translate` turns any exception raised
while talking to PostgreSQL into a storage error with a generic, useful message, and
`sanitised` wraps coroutine functions so that what leaves them carries no chained cause or
context: asyncpg and socket errors can quote hosts, users or the DSN itself.
"""

from __future__ import annotations

import asyncio
import functools
import socket
from collections.abc import Callable, Coroutine
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote, urlsplit

import asyncpg
from asyncpg import exceptions as pgerr

from steersman.storage.errors import StorageConfigError, StorageError, StorageUnavailable

_AUTH_FAILED = "SQL storage: authentication failed for the configured user"
_BAD_DSN = "invalid SQL connection string"

# libpq keyword -> asyncpg.connect() keyword, for the key=value DSN form helm (lib/pq) accepts.
_KEYWORDS = {
    "host": "host",
    "hostaddr": "host",
    "port": "port",
    "user": "user",
    "password": "password",
    "dbname": "database",
    "sslmode": "ssl",
    "connect_timeout": "timeout",
}


class SqlDsn:
    """A PostgreSQL connection string that never shows itself in repr, str or logs."""

    __slots__ = ("_kwargs", "_secrets", "_value")

    def __init__(self, value: str) -> None:
        self._value = value.strip()
        self._kwargs: dict[str, Any] | None = None
        self._secrets = _secret_parts(self._value)

    def __repr__(self) -> str:
        return "SqlDsn('<redacted>')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SqlDsn) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def reveal(self) -> str:
        """The raw DSN, for handing to a client library and nothing else."""
        return self._value

    def connect_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for `asyncpg.connect`/`create_pool`; `StorageConfigError` if bad."""
        if self._kwargs is None:
            self._kwargs = _parse(self._value)
        return dict(self._kwargs)

    def scrub(self, text: str) -> str:
        """`text` with every secret part of the DSN replaced by `***`."""
        for part in self._secrets:
            text = text.replace(part, "***")
        return text


def _secret_parts(value: str) -> list[str]:
    parts = [value]
    try:
        if "://" in value:
            password = urlsplit(value).password
            if password:
                parts += [password, unquote(password)]
        else:
            password = _keyword_pairs(value).get("password")
            if password:
                parts.append(password)
    except ValueError:
        pass
    # Longest first, so a password inside the DSN does not break up the DSN's replacement.
    return sorted({p for p in parts if p}, key=len, reverse=True)


def _keyword_pairs(value: str) -> dict[str, str]:
    """Parse libpq's `key=value key2='quoted \\' value'` form."""
    pairs: dict[str, str] = {}
    i, n = 0, len(value)
    while i < n:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            break
        eq = value.find("=", i)
        if eq < 0:
            raise ValueError("expected key=value")
        key = value[i:eq].strip()
        if not key or any(c.isspace() for c in key):
            raise ValueError("bad key")
        i = eq + 1
        while i < n and value[i].isspace():
            i += 1
        out: list[str] = []
        if i < n and value[i] == "'":
            i += 1
            while i < n and value[i] != "'":
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(value[i])
                i += 1
            if i >= n:
                raise ValueError("unterminated quote")
            i += 1
        else:
            while i < n and not value[i].isspace():
                if value[i] == "\\" and i + 1 < n:
                    i += 1
                out.append(value[i])
                i += 1
        pairs[key] = "".join(out)
    return pairs


def _parse(value: str) -> dict[str, Any]:
    if not value:
        raise StorageConfigError(f"{_BAD_DSN}: it is empty")
    if "://" in value:
        try:
            url = urlsplit(value)
            _ = url.port  # raises ValueError on a non-numeric port
        except ValueError:
            raise StorageConfigError(_BAD_DSN) from None
        if url.scheme not in ("postgres", "postgresql"):
            raise StorageConfigError(f"{_BAD_DSN}: the scheme must be postgres or postgresql")
        return {"dsn": value}
    try:
        pairs = _keyword_pairs(value)
    except ValueError:
        raise StorageConfigError(f"{_BAD_DSN}: expected a URL or key=value pairs") from None
    kwargs: dict[str, Any] = {}
    for key, val in pairs.items():
        target = _KEYWORDS.get(key)
        if target is None:
            continue  # lib/pq options asyncpg has no use for (fallback_application_name...)
        if target in ("port", "timeout"):
            if not val.isdigit():
                raise StorageConfigError(f"{_BAD_DSN}: {key} must be a number")
            kwargs[target] = int(val)
        else:
            kwargs[target] = val
    return kwargs


def translate(exc: BaseException, dsn: SqlDsn | None = None) -> StorageError:
    """A storage error with a generic message for `exc`; never quotes the DSN or password."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, pgerr.InvalidPasswordError | pgerr.InvalidAuthorizationSpecificationError):
        return StorageUnavailable(_AUTH_FAILED)
    if isinstance(exc, pgerr.InvalidCatalogNameError):
        return StorageUnavailable("SQL storage: the configured database does not exist")
    if isinstance(exc, pgerr.InsufficientPrivilegeError):
        return StorageUnavailable("SQL storage: permission denied for the configured user")
    if isinstance(exc, pgerr.TooManyConnectionsError):
        return StorageUnavailable("SQL storage unavailable: too many connections")
    if isinstance(
        exc,
        pgerr.ConnectionDoesNotExistError
        | pgerr.ConnectionFailureError
        | pgerr.AdminShutdownError
        | pgerr.CannotConnectNowError
        | pgerr.CrashShutdownError
        | ConnectionResetError
        | BrokenPipeError,
    ):
        return StorageUnavailable("SQL storage unreachable: connection lost")
    if isinstance(exc, ConnectionRefusedError):
        return StorageUnavailable("SQL storage unreachable: connection refused")
    if isinstance(exc, socket.gaierror):
        return StorageUnavailable("SQL storage unreachable: host name could not be resolved")
    if isinstance(exc, TimeoutError | asyncio.TimeoutError):
        return StorageUnavailable("SQL storage unreachable: timed out")
    if isinstance(exc, pgerr.DataError):
        # A value the column type cannot hold (asyncpg's DataError is also a ValueError).
        return StorageError(f"SQL storage: invalid value: {_scrub(str(exc), dsn)}")
    if isinstance(exc, pgerr.ClientConfigurationError | ValueError):
        return StorageConfigError(_BAD_DSN)
    if isinstance(exc, OSError):
        detail = f" (errno {exc.errno})" if exc.errno else ""
        return StorageUnavailable(f"SQL storage unreachable: network error{detail}")
    if isinstance(exc, asyncpg.PostgresError):
        # Server messages are useful ("value too long for type ...") but scrub them anyway.
        message = _scrub(str(exc.args[0]) if exc.args else "", dsn)
        return StorageError(f"SQL storage error {exc.sqlstate}: {message}")
    if isinstance(exc, pgerr.InterfaceError):
        if "closed" in str(exc) or "closing" in str(exc):
            return StorageUnavailable("SQL storage unreachable: connection lost")
        return StorageError(f"SQL storage client error: {_scrub(str(exc), dsn)}")
    return StorageError(f"SQL storage error: {type(exc).__name__}")


def _scrub(text: str, dsn: SqlDsn | None) -> str:
    return dsn.scrub(text) if dsn is not None else text


def clean(err: StorageError) -> StorageError:
    """Cut every link to the exceptions `err` was raised from."""
    err.__cause__ = None
    err.__context__ = None
    err.__suppress_context__ = True
    return err


P = ParamSpec("P")
T = TypeVar("T")


def sanitised(
    fn: Callable[P, Coroutine[Any, Any, T]],
) -> Callable[P, Coroutine[Any, Any, T]]:
    """Wrap a coroutine function so every exception leaves as a clean `StorageError`.

    The first positional argument may carry the DSN as `._dsn` (drivers and the pool manager do),
    which is then scrubbed from any server message kept in the text.
    """

    @functools.wraps(fn)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return await fn(*args, **kwargs)
        except Exception as exc:
            dsn = getattr(args[0], "_dsn", None) if args else None
            err = translate(exc, dsn if isinstance(dsn, SqlDsn) else None)
        # Raised outside the except block, so Python attaches no __context__.
        raise clean(err)

    return wrapper
