"""Chart sources: fetch a chart archive from an HTTP(S) Helm repository or an OCI registry.

    cache = ChartCache("/var/cache/steersman/charts", max_bytes=512 << 20)
    chart = await fetch_chart(ChartRef("https://charts.example.com", "nginx", "^15"), cache=cache)
    chart.version, chart.digest, chart.data  # resolved version, sha256 of the .tgz, its bytes

Everything is async; blocking work (TLS context files, cache files, YAML parsing of big indexes)
runs in threads.
"""

from __future__ import annotations

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
from .model import ChartRef, FetchedChart, RepoAuth
from .oci import OciReference, RegistryClient, fetch_from_oci, parse_oci_reference
from .repo import fetch_from_repo, prime_index
from .transport import client_timeout, new_session, ssl_for

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
    "normalize_digest",
    "parse_oci_reference",
    "prime_index",
    "sha256_digest",
]


async def fetch_chart(
    ref: ChartRef,
    *,
    cache: ChartCache,
    auth: RepoAuth | None = None,
    session: aiohttp.ClientSession | None = None,
    request_timeout: float = 60.0,
) -> FetchedChart:
    """Resolve `ref` to one chart version, download it (or take it from `cache`) and verify it.

    Pass a long-lived `session` to reuse connections across fetches; without one a session is
    opened for this call. `request_timeout` bounds each HTTP request.
    Raises a ChartSourceError subclass.
    """
    if session is None:
        async with new_session() as own:
            return await fetch_chart(
                ref, cache=cache, auth=auth, session=own, request_timeout=request_timeout
            )
    ssl_ctx = await ssl_for(auth)
    fetch = fetch_from_oci if ref.is_oci else fetch_from_repo
    return await fetch(
        ref,
        cache=cache,
        auth=auth,
        session=session,
        ssl_ctx=ssl_ctx,
        http_timeout=client_timeout(request_timeout),
    )
