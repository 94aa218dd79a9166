"""HTTP plumbing shared by HTTP repositories and OCI registries: TLS contexts, credentials,
bounded reads, and turning aiohttp failures into our typed errors without leaking secrets."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
import datetime
import os
import ssl
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import TypeVar
from urllib.parse import unquote, urlsplit, urlunsplit

import aiohttp
from yarl import URL

from .errors import AuthFailed, SourceUnavailable
from .goerrors import go_error, scrub, url_error
from .model import RepoAuth

USER_AGENT = "steersman-chart-sources/0.1"
MAX_ARCHIVE_BYTES = 64 << 20
MAX_INDEX_BYTES = 256 << 20
MAX_MANIFEST_BYTES = 4 << 20


def redact(url: str) -> str:
    """A URL fit for messages and logs: no userinfo; a query (often a signature) is elided."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid URL>"
    netloc = parts.netloc.rpartition("@")[2]
    query = "..." if parts.query else ""
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def split_userinfo(url: str) -> tuple[str, str, str]:
    """`https://u:p@host/x` -> (`https://host/x`, u, p); URLs without userinfo pass through."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url, "", ""
    userinfo, _, host = parts.netloc.rpartition("@")
    user, _, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), unquote(user), unquote(password)


def basic_authorization(username: str, password: str) -> str:
    token = base64.b64encode(f"{username}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def same_origin(a: str, b: str) -> bool:
    """Scheme, host and port equal (Helm compares scheme and host:port before sending creds)."""
    try:
        ua, ub = URL(a), URL(b)
    except ValueError:
        return False
    return (ua.scheme, (ua.host or "").lower(), ua.port) == (
        ub.scheme,
        (ub.host or "").lower(),
        ub.port,
    )


async def ssl_for(auth: RepoAuth | None) -> ssl.SSLContext | bool:
    """`True` (aiohttp's default verification) unless TLS options are set; contexts load files,
    so they are built off the event loop. A fresh context per fetch also keeps pooled
    connections apart: aiohttp pools by SSL context, so a connection opened with one
    HelmRelease's client certificate is never reused for another's request."""
    if auth is None or not auth.has_tls_options:
        return True
    return await asyncio.to_thread(_build_ssl_context, auth)


def _build_ssl_context(auth: RepoAuth) -> ssl.SSLContext:
    # Like Helm: a CA bundle replaces the system roots rather than adding to them.
    cadata = auth.ca_pem.decode("ascii") if auth.ca_pem else None
    try:
        ctx = ssl.create_default_context(cafile=auth.ca_file or None, cadata=cadata)
        if auth.insecure_skip_tls_verify:
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
        if auth.cert_file:
            ctx.load_cert_chain(auth.cert_file, auth.key_file or None)
        elif auth.cert_pem:
            _load_cert_pem(ctx, auth.cert_pem, auth.key_pem)
    except (OSError, ssl.SSLError, ValueError) as exc:
        # Paths are configuration, not secrets; key material never reaches the message.
        raise SourceUnavailable(f"invalid TLS options: {type(exc).__name__}: {exc}") from None
    return ctx


def _load_cert_pem(ctx: ssl.SSLContext, cert: bytes, key: bytes | None) -> None:
    # The ssl module only loads client certificates from files: use a private temp dir.
    with tempfile.TemporaryDirectory(prefix="steersman-tls-") as tmp:
        cert_path = os.path.join(tmp, "tls.crt")
        key_path = os.path.join(tmp, "tls.key")
        for path, data in ((cert_path, cert), (key_path, key)):
            if data is None:
                continue
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        ctx.load_cert_chain(cert_path, key_path if key is not None else None)


class Transient(SourceUnavailable):
    """A failure worth retrying: no connection, a timeout, 429 or a 5xx other than 501 (the
    statuses go-retryablehttp, which Flux uses, retries). `retry_after` is the server's
    Retry-After in seconds, when it sent one."""

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def is_transient_status(status: int) -> bool:
    return status == 429 or (500 <= status < 600 and status != 501)


def check_status(resp: aiohttp.ClientResponse, what: str, url: str) -> None:
    if resp.status in (401, 403):
        raise AuthFailed(f"{what}: {resp.status} {resp.reason} from {redact(url)}")
    if is_transient_status(resp.status):
        raise Transient(
            f"{what}: {resp.status} {resp.reason} from {redact(url)}",
            _retry_after(resp.headers.get("Retry-After")),
        )
    if resp.status >= 400:
        raise SourceUnavailable(f"{what}: {resp.status} {resp.reason} from {redact(url)}")


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.datetime.now(datetime.UTC)).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of one HTTP request after a Transient failure: up to `retries` more tries, waiting
    `wait_min` * 2**attempt seconds (at most `wait_max`; a server's Retry-After, capped the same
    way, wins) in between, like go-retryablehttp's default backoff that Flux's `--http-retry`
    configures. The default, no retries, is helm's own behaviour."""

    retries: int = 0
    wait_min: float = 1.0
    wait_max: float = 30.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(retry_after, self.wait_max)
        return float(min(self.wait_min * (2**attempt), self.wait_max))


NO_RETRIES = RetryPolicy()
_T = TypeVar("_T")

# The last transient failure retried in this context (a message without secrets): when the
# caller's deadline cuts the retries short, it can say what was going wrong.
last_transient: contextvars.ContextVar[str] = contextvars.ContextVar(
    "steersman_last_transient", default=""
)


def _being_cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0


async def retrying(policy: RetryPolicy, attempt: Callable[[], Awaitable[_T]]) -> _T:
    """`attempt()`, again after each Transient failure while the policy allows; then the last
    failure is raised. The caller's own deadline (asyncio.timeout) bounds the whole."""
    tries = 0
    while True:
        try:
            return await attempt()
        except Transient as err:
            if _being_cancelled():
                raise asyncio.CancelledError from None  # the caller's deadline, not a retry
            if tries >= policy.retries:
                raise
            last_transient.set(str(err))
            await asyncio.sleep(policy.delay(tries, err.retry_after))
            tries += 1


async def read_limited(resp: aiohttp.ClientResponse, limit: int, what: str) -> bytes:
    declared = resp.content_length
    if declared is not None and declared > limit:
        raise SourceUnavailable(f"{what} is {declared} bytes, over the {limit}-byte limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in resp.content.iter_chunked(1 << 16):
        size += len(chunk)
        if size > limit:
            raise SourceUnavailable(f"{what} is over the {limit}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)


@contextlib.asynccontextmanager
async def network_errors(
    what: str, url: str, limits: aiohttp.ClientTimeout | None = None, *, method: str = "GET"
) -> AsyncIterator[None]:
    """Map aiohttp/timeouts to SourceUnavailable, naming the URL without credentials and, for
    a timeout, the request's `limits`; a failed connection's error also carries net/http's
    text for the `method` request (`helm`)."""
    try:
        yield
    except (AuthFailed, SourceUnavailable):
        raise
    except aiohttp.ClientSSLError as exc:
        err = SourceUnavailable(f"{what}: TLS error with {redact(url)}: {go_error(exc)}")
        err.helm = url_error(method, url, exc)
        raise err from None
    except aiohttp.InvalidURL:
        raise SourceUnavailable(f"{what}: invalid URL {redact(url)}") from None
    except aiohttp.TooManyRedirects:
        raise SourceUnavailable(f"{what}: too many redirects from {redact(url)}") from None
    except TimeoutError as exc:  # aiohttp's connect/read timeouts are TimeoutErrors too
        if _being_cancelled():
            # The caller's asyncio.timeout cancelled us as aiohttp's own timer fired: aiohttp
            # then raises TimeoutError in place of the cancellation, which must not be retried
            # (it was: a fetch outlived its HelmRelease's timeout, retrying until shutdown).
            raise asyncio.CancelledError from None
        detail = f" ({scrub(str(exc))})" if str(exc) else ""
        raise Transient(
            f"{what}: timed out waiting for {redact(url)}{detail}{_describe(limits)}; the "
            "repository accepts connections slowly or not at all, or does not answer"
        ) from None
    except aiohttp.ClientError as exc:
        failed = Transient(f"{what}: cannot reach {redact(url)}: {go_error(exc)}")
        failed.helm = url_error(method, url, exc)
        raise failed from None


# Per request: a repository that accepts a connection and then says nothing, or stalls in the
# middle of a body, is given up on after these; the caller bounds the whole fetch on top.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0  # between two reads of the socket
CONNECTIONS = 256
CONNECTIONS_PER_HOST = 32  # a black-holed host cannot take every connection of the pool


def _describe(limits: aiohttp.ClientTimeout | None) -> str:
    if limits is None:
        return ""
    named = [("connect", limits.connect), ("read", limits.sock_read), ("total", limits.total)]
    shown = ", ".join(f"{name} {value:g}s" for name, value in named if value)
    return f" (request timeouts: {shown})" if shown else ""


def new_session() -> aiohttp.ClientSession:
    # No trust_env: a ~/.netrc must not silently add credentials to requests.
    connector = aiohttp.TCPConnector(limit=CONNECTIONS, limit_per_host=CONNECTIONS_PER_HOST)
    return aiohttp.ClientSession(headers={"User-Agent": USER_AGENT}, connector=connector)


def client_timeout(
    seconds: float, *, connect: float = CONNECT_TIMEOUT, read: float = READ_TIMEOUT
) -> aiohttp.ClientTimeout:
    """`seconds` for each whole request; `connect` to open the TCP+TLS connection (waiting for
    a free pooled connection included); `read` between two reads of the socket."""
    return aiohttp.ClientTimeout(
        total=seconds, connect=min(seconds, connect), sock_read=min(seconds, read)
    )
