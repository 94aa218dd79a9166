"""`helm template` of a chart in an HTTP repository (`--repo URL`, or `repo/name` from helm's
repositories.yaml and the index `helm repo update` cached): the index, the version and the
archive as helm's LocateChart and ChartDownloader get them, each failure in helm's words."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from steersman.chart.sources import ChartSourceError, RepoAuth
from steersman.chart.sources.index import IndexEntry, RepoIndex, parse_index, resolve_reference_url
from steersman.chart.sources.index_errors import index_error, load_index_file
from steersman.chart.sources.versions import pick_version
from steersman.commands.template_depup_http import GetOptions, get, get_index
from steersman.commands.template_getters import PluginGetters
from steersman.errors import SteersmanError
from steersman.golang.fmt import go_quote
from steersman.golang.semver import Constraints, SemverError


class RepoFetchError(SteersmanError):
    """helm's error text for the chart's fetch (printed as `Error: ...`)."""


@dataclass(frozen=True)
class RepoChart:
    data: bytes
    version: str
    url: str  # the archive's URL
    provenance: bytes | None  # its .prov, when asked for and the repository has one


@dataclass(frozen=True)
class CachedIndex:
    """`repo/name`: the repository's name and the index file `helm repo update` left."""

    repo_name: str
    path: str
    data: bytes


async def fetch_repo_chart(
    repo_url: str,
    name: str,
    version: str,
    auth: RepoAuth,
    *,
    cached: CachedIndex | None = None,
    provenance: bool = False,
    archive_options: Callable[[str], GetOptions] | None = None,
    plugins: PluginGetters | None = None,
) -> RepoChart:
    """The chart `name` at `version` (an exact version or a constraint; "" the newest
    stable) from the repository at `repo_url`: its index downloaded (--repo) or the cached
    one of `cached` (repo/name). `archive_options` gives the getter options for the
    archive's URL (--repo: helm resolves that URL again as an absolute chart URL); `plugins`
    serve the schemes helm's getter plugins do."""
    async with aiohttp.ClientSession() as session:
        if cached is None:
            index = await _download_index(session, repo_url, auth, plugins)
            entry = _find(index, name, version, repo_url)
        else:
            entry = _find_cached(cached, name, version)
        url = resolve_reference_url(repo_url.rstrip("/") + "/", entry.urls[0])
        opts = archive_options(url) if archive_options else GetOptions(repo_url, auth, plugins)
        got = await get(session, url, opts, archive=True)
        if isinstance(got, str):
            raise RepoFetchError(got)
        prov = await get(session, url + ".prov", opts) if provenance else None
    return RepoChart(got, entry.version, url, prov if isinstance(prov, bytes) else None)


async def _download_index(
    session: aiohttp.ClientSession, repo_url: str, auth: RepoAuth, plugins: PluginGetters | None
) -> RepoIndex:
    """FindChartInAuthAndTLSAndPassRepoURL's index download and load."""
    got = await get_index(session, repo_url, auth, plugins)
    problem = got if isinstance(got, str) else ""
    if isinstance(got, bytes):
        problem = index_error(got) or ""
        try:
            if not problem:
                url = resolve_reference_url(repo_url.rstrip("/") + "/", "index.yaml")
                return parse_index(got, url)
        except ChartSourceError as exc:
            problem = str(exc)
    raise RepoFetchError(
        f"looks like {go_quote(repo_url)} is not a valid chart repository or cannot be "
        f"reached: {problem}"
    )


def _find(index: RepoIndex, name: str, version: str, repo_url: str) -> IndexEntry:
    """--repo: any failure of IndexFile.Get is one `... not found in URL repository`."""
    what = f"chart {go_quote(name)}" + (f" version {go_quote(version)}" if version else "")
    try:
        entry = _index_get(index, name, version)
    except RepoFetchError:
        raise RepoFetchError(f"{what} not found in {repo_url} repository") from None
    if not entry.urls:
        raise RepoFetchError(f"{what} has no downloadable URLs")
    return entry


def _find_cached(cached: CachedIndex, name: str, version: str) -> IndexEntry:
    """repo/name: ChartDownloader.ResolveChartVersion on the cached index."""
    try:
        index = load_index_file(cached.data, cached.path)
    except ChartSourceError as exc:
        raise RepoFetchError(f"no cached repo found. (try 'helm repo update'): {exc}") from None
    try:
        entry = _index_get(index, name, version)
    except RepoFetchError as exc:
        raise RepoFetchError(
            f"chart {go_quote(name)} matching {version} not found in {cached.repo_name} index. "
            f"(try 'helm repo update'): {exc}"
        ) from None
    if not entry.urls:
        raise RepoFetchError(f'chart "{cached.repo_name}/{name}" has no downloadable URLs')
    return entry


def _index_get(index: RepoIndex, name: str, version: str) -> IndexEntry:
    """IndexFile.Get: an exact version first, else the newest that the constraint admits."""
    entries = index.entries.get(name)
    if entries is None:
        raise RepoFetchError("no chart name found")
    versions = [e.version for e in entries]
    if version not in versions:
        try:
            Constraints.parse(version or "*")
        except SemverError as exc:  # Masterminds' own words
            raise RepoFetchError(str(exc)) from None
    chosen = pick_version(versions, version)
    if chosen is None:
        raise RepoFetchError(f"no chart version found for {name}-{version}")
    return next(e for e in entries if e.version == chosen)
