"""`helm template NAME https://HOST/PATH/chart.tgz`: ChartDownloader's absolute-URL path. The
repositories of repositories.yaml are scanned, through the indexes `helm repo update` cached,
for one listing this very URL (scanReposForURL); that repository's TLS files and credentials
then replace the flags' ones. The archive (and with --verify its .prov) is fetched with helm's
HTTP getter and its error texts."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from typing import Any

import aiohttp

from steersman.chart.sources import ChartSourceError, RepoAuth
from steersman.chart.sources.index_errors import load_index_file
from steersman.commands.template_depup_http import GetOptions, entry_auth, get
from steersman.commands.template_getters import PluginGetters, find_getter
from steersman.commands.template_repo import RepoChart, RepoFetchError
from steersman.golang import path as gopath
from steersman.golang.fmt import go_quote
from steersman.golang.neturl import URLError, parse
from steersman.golang.osfile import errno_text

# The schemes of helm's built-in getters (getter.All without plugins)
GETTER_SCHEMES = ("http", "https", "oci")


def is_chart_url(ref: str) -> bool:
    """u.IsAbs() && len(u.Host) > 0 && len(u.Path) > 0."""
    try:
        u = parse(ref)
    except URLError:
        return False
    return bool(u["scheme"] and u["host"] and u["path"])


def download_options(
    url: str,
    flags: RepoAuth,
    repositories: Sequence[dict[str, Any]],
    cache: str,
    plugins: PluginGetters | None = None,
) -> GetOptions:
    """ResolveChartVersion for an absolute chart URL: the options of the repository whose
    cached index lists it (its TLS files, its credentials when it has both), else the flags'
    for that URL alone. `plugins`: getter plugins serve more schemes."""
    owner = _owning_repository(url, repositories, cache, plugins)
    if owner is None:
        return GetOptions(url, flags, plugins)
    auth = flags
    listed = entry_auth(owner)
    if listed.ca_file or listed.cert_file or listed.key_file:
        auth = dataclasses.replace(
            auth, ca_file=listed.ca_file, cert_file=listed.cert_file, key_file=listed.key_file
        )
    if listed.username and listed.password:
        auth = dataclasses.replace(
            auth,
            username=listed.username,
            password=listed.password,
            pass_credentials_all=listed.pass_credentials_all,
        )
    return GetOptions(str(owner["url"]), auth, plugins)


def url_equal(a: str, b: str) -> bool:
    """LocateChart's urlEqual: same scheme, host name and port (the scheme's default when none
    is written)."""
    try:
        ua, ub = parse(a), parse(b)
    except URLError:
        return False

    def port(u: dict[str, Any]) -> str:
        host = str(u["host"])
        written = host.rpartition(":")[2] if host.rfind(":") > host.rfind("]") else ""
        return written or {"http": "80", "https": "443"}.get(str(u["scheme"]), "")

    return (ua["scheme"], ua["hostname"], port(ua)) == (ub["scheme"], ub["hostname"], port(ub))


async def fetch_chart_url(
    url: str, opts: GetOptions, *, provenance: bool = False, supported: bool = True
) -> RepoChart:
    """The archive at `url` (and its .prov when asked for) with `opts`. `supported`: helm has
    a getter for the scheme, built in or a plugin of `opts.plugins` (it looks one up after
    the repositories are scanned)."""
    if not supported:
        raise RepoFetchError(f"scheme {go_quote(str(parse(url)['scheme']))} not supported")
    async with aiohttp.ClientSession() as session:
        got = await get(session, url, opts, archive=True)
        if isinstance(got, str):
            raise RepoFetchError(got)
        prov = await get(session, url + ".prov", opts) if provenance else None
    version = ""  # not known from a URL; only the --repo path warns about versions
    return RepoChart(got, version, url, prov if isinstance(prov, bytes) else None)


def _owning_repository(
    url: str, repositories: Sequence[dict[str, Any]], cache: str, plugins: PluginGetters | None
) -> dict[str, Any] | None:
    """scanReposForURL: the first repository whose cached index has `url` among a version's
    URLs; a repository without a readable cached index stops the scan with helm's error."""
    for entry in repositories:
        listed = str(entry.get("url") or "")
        try:  # repo.NewChartRepository: a getter for the repository's URL
            scheme = str(parse(listed)["scheme"])
        except URLError:
            raise RepoFetchError(f"invalid chart URL format: {listed}") from None
        if scheme not in GETTER_SCHEMES and (
            plugins is None or find_getter(plugins.directory, scheme) is None
        ):
            raise RepoFetchError(f"could not find protocol handler for: {scheme}")
        path = os.path.join(cache, f"{entry.get('name', '')}-index.yaml")
        try:
            with open(path, "rb") as f:
                index = load_index_file(f.read(), path)
        except OSError as exc:
            raise RepoFetchError(
                f"no cached repo found. (try 'helm repo update'): open {path}: {errno_text(exc)}"
            ) from None
        except ChartSourceError as exc:
            raise RepoFetchError(
                f"no cached repo found. (try 'helm repo update'): {exc.helm or exc}"
            ) from None
        for versions in index.entries.values():
            for version in versions:
                if any(_same_url(url, listed) for listed in version.urls):
                    return entry
    return None


def _same_url(a: str, b: str) -> bool:
    """urlutil.Equal: both parsed, an empty path made `/`, paths cleaned, then compared."""
    try:
        ua = parse(a)
    except URLError:
        return gopath.clean(a) == gopath.clean(b)
    try:
        ub = parse(b)
    except URLError:
        return False
    return all(
        ua[k] == ub[k] for k in ("scheme", "host", "userinfo", "query", "fragment", "opaque")
    ) and gopath.clean(ua["path"] or "/") == gopath.clean(ub["path"] or "/")
