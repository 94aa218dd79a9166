"""helm v4.1.4's HTTP getter as `--dependency-update` uses it (getter.HTTPGetter): the TLS
files and credentials of a repositories.yaml entry, sent where helm sends them, and failures
in the words Go prints them (chart/sources/goerrors.py): they end up in helm's progress lines
and its `Error:` line.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from steersman.chart.sources import ChartSourceError, RepoAuth, proxy_for
from steersman.chart.sources.errors import SourceUnavailable
from steersman.chart.sources.goerrors import url_error
from steersman.chart.sources.index import resolve_reference_url
from steersman.chart.sources.transport import basic_authorization, ssl_for
from steersman.commands.template_getters import (
    GetterPluginError,
    PluginGetters,
    find_getter,
    run_getter,
)
from steersman.commands.template_tls import tls_config_error, wants_tls_config

_ACCEPT_ARCHIVE = "application/gzip,application/octet-stream"


@dataclass(frozen=True)
class GetOptions:
    """The getter options of one request: `origin` is getter.WithURL, the URL whose scheme and
    host:port alone get the credentials unless `auth.pass_credentials_all`."""

    origin: str
    auth: RepoAuth
    plugins: PluginGetters | None = None  # getter plugins for other schemes (template only)


def entry_auth(entry: dict[str, Any]) -> RepoAuth:
    """A repositories.yaml entry's connection options (repo.Entry)."""

    def text(key: str) -> str:
        value = entry.get(key)
        return "" if value is None else str(value)

    return RepoAuth(
        username=text("username"),
        password=text("password"),
        ca_file=text("caFile") or None,
        cert_file=text("certFile") or None,
        key_file=text("keyFile") or None,
        insecure_skip_tls_verify=entry.get("insecure_skip_tls_verify") is True,
        pass_credentials_all=entry.get("pass_credentials_all") is True,
    )


def usable_auth(auth: RepoAuth) -> RepoAuth:
    """`auth` as HTTPGetter applies it: the TLS files only when it builds a TLS config (a
    certificate without its key is then an error, reported by tls_config_error)."""
    ca, cert, key = auth.ca_file or "", auth.cert_file or "", auth.key_file or ""
    if wants_tls_config(ca, cert, key, auth.insecure_skip_tls_verify):
        return auth
    return RepoAuth(
        username=auth.username,
        password=auth.password,
        pass_credentials_all=auth.pass_credentials_all,
    )


async def get(
    session: aiohttp.ClientSession, url: str, opts: GetOptions, *, archive: bool = False
) -> bytes | str:
    """HTTPGetter.Get (or the getter plugin for the URL's scheme): the body, or the error
    text helm would print for it."""
    if opts.plugins is not None:
        scheme = url.partition(":")[0].lower()
        plugin = (
            None if scheme in ("http", "https") else find_getter(opts.plugins.directory, scheme)
        )
        if plugin is not None:
            return await _plugin_get(plugin, url, opts)
    auth = usable_auth(opts.auth)
    if auth.has_tls_options:
        problem = tls_config_error(auth.ca_file or "", auth.cert_file or "", auth.key_file or "")
        if problem:
            return f"can't create TLS config for client: {problem}"
    try:
        ssl_ctx = await ssl_for(auth)
    except SourceUnavailable as exc:  # what tls_config_error could not foresee
        return f"can't create TLS config for client: {exc}"
    headers = {"Accept": _ACCEPT_ARCHIVE} if archive else {}
    if auth.has_credentials and (auth.pass_credentials_all or _same_host(opts.origin, url)):
        headers["Authorization"] = basic_authorization(auth.username, auth.password)
    try:
        proxy = proxy_for(url)  # http.ProxyFromEnvironment, as helm's transport
    except ChartSourceError as exc:
        return str(exc)
    try:
        async with session.get(url, headers=headers, ssl=ssl_ctx, proxy=proxy) as resp:
            if resp.status != 200:
                return f"failed to fetch {url} : {resp.status} {resp.reason}"
            return await resp.read()
    except aiohttp.ClientError as exc:
        return url_error("GET", url, exc)


async def get_index(
    session: aiohttp.ClientSession,
    repo_url: str,
    auth: RepoAuth,
    plugins: PluginGetters | None = None,
) -> bytes | str:
    """ChartRepository.DownloadIndexFile's request: REPO/index.yaml with the repository's
    options (credentials for the repository's own host)."""
    url = resolve_reference_url(repo_url.rstrip("/") + "/", "index.yaml")
    return await get(session, url, GetOptions(repo_url, auth, plugins))


async def _plugin_get(plugin: Any, url: str, opts: GetOptions) -> bytes | str:
    """A getter plugin is handed the options as they are (it decides where credentials go)."""
    assert opts.plugins is not None
    try:
        return await run_getter(plugin, url, opts.plugins.settings_env, opts.auth)
    except GetterPluginError as exc:
        return str(exc)


def _same_host(a: str, b: str) -> bool:
    """Go's url.URL Scheme and Host equal (Host keeps the port as written)."""
    ua, ub = urlsplit(a), urlsplit(b)
    return (ua.scheme, ua.netloc.rpartition("@")[2]) == (ub.scheme, ub.netloc.rpartition("@")[2])
