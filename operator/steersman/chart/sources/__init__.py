"""Chart sources: fetch a chart archive from an HTTP(S) Helm repository or an OCI registry.

    cache = ChartCache("/var/cache/steersman/charts", max_bytes=512 << 20)
    chart = await fetch_chart(ChartRef("https://charts.example.com", "nginx", "^15"), cache=cache)
    chart.version, chart.digest, chart.data  # resolved version, sha256 of the .tgz, its bytes

Everything is async; blocking work (TLS context files, cache files, YAML parsing of big indexes)
runs in threads.
"""

from __future__ import annotations

import asyncio

import aiohttp

from .cache import ChartCache, IndexCache, normalize_digest, sha256_digest
from .errors import (
    AuthFailed,
    ChartNotFound,
    ChartSourceError,
    DigestMismatch,
    InvalidReference,
    SourceUnavailable,
)
from .identity import fetch_identity
from .model import ChartRef, FetchedChart, RepoAuth
from .oci import OciReference, RegistryClient, fetch_from_oci, parse_oci_reference
from .repo import fetch_from_repo, prime_index
from .transport import (
    CONNECT_TIMEOUT,
    READ_TIMEOUT,
    client_timeout,
    new_session,
    redact,
    ssl_for,
)

__all__ = [
    "AuthFailed",
    "ChartCache",
    "ChartNotFound",
    "ChartRef",
    "ChartSourceError",
    "DigestMismatch",
    "FetchedChart",
    "IndexCache",
    "InvalidReference",
    "OciReference",
    "RegistryClient",
    "RepoAuth",
    "SourceUnavailable",
    "fetch_chart",
    "fetch_identity",
    "new_session",
    "normalize_digest",
    "parse_oci_reference",
    "prime_index",
    "redact",
    "sha256_digest",
]


async def fetch_chart(
    ref: ChartRef,
    *,
    cache: ChartCache,
    auth: RepoAuth | None = None,
    session: aiohttp.ClientSession | None = None,
    request_timeout: float = 60.0,
    read_timeout: float = READ_TIMEOUT,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> FetchedChart:
    """Resolve `ref` to one chart version, download it (or take it from `cache`) and verify it.

    Pass a long-lived `session` to reuse connections across fetches; without one a session is
    opened for this call. `request_timeout` bounds each HTTP request, `connect_timeout` opening
    its connection and `read_timeout` each wait for data; bound the whole call from outside
    (`asyncio.timeout`). Cache hits are only those made with the same fetch identity (URL,
    credentials and TLS options), so `auth` is always checked by a request of our own or by
    an earlier one that had exactly the same credentials and trust.
    Raises a ChartSourceError subclass.
    """
    if session is None:
        async with new_session() as own:
            return await fetch_chart(
                ref,
                cache=cache,
                auth=auth,
                session=own,
                request_timeout=request_timeout,
                read_timeout=read_timeout,
                connect_timeout=connect_timeout,
            )
    ssl_ctx = await ssl_for(auth)
    identity = await asyncio.to_thread(fetch_identity, ref.url, auth)
    fetch = fetch_from_oci if ref.is_oci else fetch_from_repo
    return await fetch(
        ref,
        cache=cache,
        auth=auth,
        session=session,
        ssl_ctx=ssl_ctx,
        http_timeout=client_timeout(request_timeout, connect=connect_timeout, read=read_timeout),
        identity=identity,
    )
