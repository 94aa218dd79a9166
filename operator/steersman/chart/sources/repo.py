"""HTTP(S) Helm chart repositories: index.yaml, version resolution, download, digest check."""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import ssl
import time
from dataclasses import dataclass

import aiohttp

from .cache import CachedIndex, ChartCache, normalize_digest, sha256_digest
from .errors import (
    ChartNotFound,
    ChartSourceError,
    DigestMismatch,
    InvalidReference,
    SourceUnavailable,
)
from .index import IndexEntry, RepoIndex, parse_index, resolve_reference_url
from .model import ChartRef, FetchedChart, RepoAuth
from .proxy import proxy_for
from .transport import (
    MAX_ARCHIVE_BYTES,
    MAX_INDEX_BYTES,
    NO_RETRIES,
    RetryPolicy,
    basic_authorization,
    check_status,
    network_errors,
    read_limited,
    redact,
    retrying,
    same_origin,
    split_userinfo,
)
from .versions import DEVEL_CONSTRAINT, describe_available, pick_version

_ARCHIVE_ACCEPT = "application/gzip,application/octet-stream"


@dataclass(frozen=True)
class _Conn:
    session: aiohttp.ClientSession
    repo_url: str  # without userinfo
    username: str
    password: str
    pass_credentials_all: bool
    ssl: ssl.SSLContext | bool
    timeout: aiohttp.ClientTimeout
    identity: str  # fetch_identity(): every cache entry we touch belongs to it
    retry: RetryPolicy = NO_RETRIES

    def headers_for(self, url: str) -> dict[str, str]:
        # Helm's rule: credentials only to the repository's own scheme+host+port.
        if not (self.username and self.password):
            return {}
        if self.pass_credentials_all or same_origin(self.repo_url, url):
            return {"Authorization": basic_authorization(self.username, self.password)}
        return {}


def _index_key(repo_url: str, identity: str) -> str:
    # Per identity: a repo may show different users different charts, and an index fetched
    # with one CA, certificate or password proves nothing about a caller without them.
    index_url = resolve_reference_url(repo_url, "index.yaml")
    return hashlib.sha256(f"{index_url}\0{identity}".encode()).hexdigest()


async def load_index(conn: _Conn, cache: ChartCache, *, refresh: bool = False) -> RepoIndex:
    """The repository's index: from the cache while younger than its TTL, unless `refresh`
    (then revalidated at once, a 304 keeping the parsed copy)."""
    index_url = resolve_reference_url(conn.repo_url, "index.yaml")
    key = _index_key(conn.repo_url, conn.identity)
    async with cache.indexes.lock(key):
        cached = cache.indexes.get(key)
        if cached is not None and not refresh and cache.indexes.is_fresh(cached):
            return cached.index
        headers = conn.headers_for(index_url)
        if cached is not None and cached.etag:
            headers["If-None-Match"] = cached.etag
        if cached is not None and cached.last_modified:
            headers["If-Modified-Since"] = cached.last_modified
        what = f"fetching the index of {redact(conn.repo_url)}"

        async def attempt() -> tuple[bytes, str | None, str | None] | None:
            async with (
                network_errors(what, index_url, conn.timeout),
                conn.session.get(
                    index_url,
                    headers=headers,
                    ssl=conn.ssl,
                    timeout=conn.timeout,
                    proxy=proxy_for(index_url),
                ) as resp,
            ):
                if resp.status == 304 and cached is not None:
                    return None
                check_status(resp, what, index_url)
                body = await read_limited(resp, MAX_INDEX_BYTES, "index.yaml")
                return body, resp.headers.get("ETag"), resp.headers.get("Last-Modified")

        got = await retrying(conn.retry, attempt)
        if got is None and cached is not None:
            cached.checked_at = time.monotonic()
            return cached.index
        assert got is not None
        body, etag, last_modified = got
        index = await asyncio.to_thread(parse_index, body, redact(index_url))
        cache.indexes.put(key, CachedIndex(index, etag, last_modified, time.monotonic()))
        return index


def select_entry(index: RepoIndex, name: str, version: str, repo_url: str) -> IndexEntry:
    where = redact(repo_url)
    entries = index.entries.get(name)
    if not entries:
        raise ChartNotFound(f'chart "{name}" not found in {where} repository')
    versions = [e.version for e in entries]
    chosen = pick_version(versions, version)
    if chosen is None:
        raise ChartNotFound(
            f'chart "{name}" version "{version}" not found in {where} repository; '
            f"available: {describe_available(versions)}",
            available=tuple(versions),
        )
    return next(e for e in entries if e.version == chosen)


async def fetch_from_repo(
    ref: ChartRef,
    *,
    cache: ChartCache,
    auth: RepoAuth | None,
    session: aiohttp.ClientSession,
    ssl_ctx: ssl.SSLContext | bool,
    http_timeout: aiohttp.ClientTimeout,
    identity: str,
    retry: RetryPolicy = NO_RETRIES,
    refresh_index: bool = False,
    provenance: bool = False,
) -> FetchedChart:
    """`refresh_index` revalidates a cached index even within its TTL (a requested
    reconcile must see a chart pushed a moment ago); `provenance` fetches `CHART_URL.prov`
    too (None when that fails, as helm's downloader only reports it missing)."""
    fetched, conn, chart_url = await _fetch_archive(
        ref,
        cache=cache,
        auth=auth,
        session=session,
        ssl_ctx=ssl_ctx,
        http_timeout=http_timeout,
        identity=identity,
        retry=retry,
        refresh_index=refresh_index,
    )
    if not provenance:
        return fetched
    try:
        prov = await _download(conn, chart_url + ".prov", accept=None)
    except ChartSourceError:
        prov = None
    return dataclasses.replace(fetched, provenance=prov)


async def _fetch_archive(
    ref: ChartRef,
    *,
    cache: ChartCache,
    auth: RepoAuth | None,
    session: aiohttp.ClientSession,
    ssl_ctx: ssl.SSLContext | bool,
    http_timeout: aiohttp.ClientTimeout,
    identity: str,
    retry: RetryPolicy,
    refresh_index: bool,
) -> tuple[FetchedChart, _Conn, str]:
    if not ref.name:
        raise InvalidReference(f"a chart name is needed for repository {redact(ref.url)}")
    repo_url, url_user, url_password = split_userinfo(ref.url)
    if not repo_url.startswith(("http://", "https://")):
        raise InvalidReference(f"unsupported repository URL {redact(repo_url)}")
    username = auth.username if auth and auth.has_credentials else url_user
    password = auth.password if auth and auth.has_credentials else url_password
    conn = _Conn(
        session=session,
        repo_url=repo_url,
        username=username,
        password=password,
        pass_credentials_all=bool(auth and auth.pass_credentials_all),
        ssl=ssl_ctx,
        timeout=http_timeout,
        identity=identity,
        retry=retry,
    )
    index = await load_index(conn, cache, refresh=refresh_index)
    wanted = ref.version or (DEVEL_CONSTRAINT if ref.devel else "")
    entry = select_entry(index, ref.name, wanted, repo_url)
    if not entry.urls:
        raise SourceUnavailable(
            f'chart "{ref.name}" version "{entry.version}" has no downloadable URLs in '
            f"{redact(repo_url)}"
        )
    chart_url = resolve_reference_url(repo_url, entry.urls[0])
    if not entry.digest:
        data = await _download(conn, chart_url)
        digest = sha256_digest(data)
        path = await cache.put(digest, data, scope=identity)
        chart = FetchedChart(entry.name, entry.version, digest, data, path, redact(chart_url))
        return chart, conn, chart_url
    try:
        expected = normalize_digest(entry.digest)
    except ValueError:
        raise SourceUnavailable(
            f"{redact(repo_url)}: index.yaml has an invalid digest for {ref.name} "
            f"{entry.version}: {entry.digest!r}"
        ) from None
    async with cache.lock(expected, scope=identity):
        cached = await cache.get(expected, scope=identity)
        if cached is not None:
            chart = FetchedChart(
                entry.name,
                entry.version,
                expected,
                cached,
                cache.path_for(expected, scope=identity),
                redact(chart_url),
                from_cache=True,
            )
            return chart, conn, chart_url
        data = await _download(conn, chart_url)
        actual = sha256_digest(data)
        if actual != expected:
            raise DigestMismatch(
                f"{ref.name} {entry.version} from {redact(chart_url)} has digest {actual}, "
                f"but the index of {redact(repo_url)} says {expected}",
                expected=expected,
                actual=actual,
            )
        path = await cache.put(expected, data, scope=identity)
    chart = FetchedChart(entry.name, entry.version, expected, data, path, redact(chart_url))
    return chart, conn, chart_url


async def _download(conn: _Conn, url: str, accept: str | None = _ARCHIVE_ACCEPT) -> bytes:
    what = f"downloading {redact(url)}"
    headers = {**({"Accept": accept} if accept else {}), **conn.headers_for(url)}

    async def attempt() -> bytes:
        async with (
            network_errors(what, url, conn.timeout),
            conn.session.get(
                url, headers=headers, ssl=conn.ssl, timeout=conn.timeout, proxy=proxy_for(url)
            ) as resp,
        ):
            check_status(resp, what, url)
            return await read_limited(resp, MAX_ARCHIVE_BYTES, "chart archive")

    return await retrying(conn.retry, attempt)
