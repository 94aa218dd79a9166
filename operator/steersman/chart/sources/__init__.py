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
from .dockerconfig import registry_credentials
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
from .proxy import ProxySettings, proxy_for
from .repo import fetch_from_repo
from .transport import (
    CONNECT_TIMEOUT,
    NO_RETRIES,
    READ_TIMEOUT,
    RetryPolicy,
    Transient,
    client_timeout,
    last_transient,
    new_session,
    redact,
    ssl_for,
)
from .values_files import apply_values_files

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
    "ProxySettings",
    "RegistryClient",
    "RepoAuth",
    "RetryPolicy",
    "SourceUnavailable",
    "Transient",
    "apply_values_files",
    "fetch_chart",
    "fetch_identity",
    "last_transient",
    "new_session",
    "normalize_digest",
    "parse_oci_reference",
    "proxy_for",
    "redact",
    "registry_credentials",
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
    retry: RetryPolicy = NO_RETRIES,
    refresh_index: bool = False,
    provenance: bool = False,
) -> FetchedChart:
    """Resolve `ref` to one chart version, download it (or take it from `cache`) and verify it.

    Pass a long-lived `session` to reuse connections across fetches; without one a session is
    opened for this call. `request_timeout` bounds each HTTP request, `connect_timeout` opening
    its connection and `read_timeout` each wait for data; bound the whole call from outside
    (`asyncio.timeout`). `retry` retries each request after a transient failure (no
    connection, timeout, 429, 5xx but 501); `refresh_index` revalidates a cached repository
    index even within its TTL; `provenance` also fetches the chart's `.prov` (a repository's
    `URL.prov` beside the archive, an OCI artifact's provenance layer) into
    FetchedChart.provenance, None when there is none. Requests go through the proxy that
    HTTPS_PROXY/HTTP_PROXY name unless NO_PROXY exempts the host (see `proxy`). Cache hits
    are only those made with the same fetch identity (URL, credentials and TLS options), so
    `auth` is always checked by a request of our own or by an earlier one that had exactly
    the same credentials and trust.
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
                retry=retry,
                refresh_index=refresh_index,
                provenance=provenance,
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
        retry=retry,
        refresh_index=refresh_index,
        provenance=provenance,
    )
