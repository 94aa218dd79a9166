"""`helm template --dependency-update`: helm v4.1.4's downloader.Manager.Update on a chart
directory whose Chart.yaml dependencies are missing from charts/.

Resolves each dependency (file://, an HTTP repository, oci://), writes charts/NAME-VERSION.tgz
and Chart.lock, and prints helm's progress lines on stdout. Imported only when the flag is set
and dependencies are missing, so a plain `steersman template` loads none of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import logging
import os
import tarfile
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import yaml

from steersman.chart import ChartError, dir_files, go_os_error, helmlog, load_archive, load_dir
from steersman.chart.sources import (
    ChartCache,
    ChartNotFound,
    ChartRef,
    ChartSourceError,
    RepoAuth,
    fetch_chart,
)
from steersman.chart.sources.index import RepoIndex, parse_index, resolve_reference_url
from steersman.chart.sources.index_errors import index_error, load_index_file
from steersman.chartmodel import Dependency
from steersman.commands.template_depup_http import GetOptions, entry_auth, get, get_index
from steersman.commands.template_flags import FlagError, registry_store
from steersman.commands.template_getters import PluginGetters, find_getter
from steersman.commands.template_tls import wants_tls_config
from steersman.errors import SteersmanError
from steersman.golang import path as gopath
from steersman.golang.fmt import go_quote
from steersman.golang.semver import Constraints, SemverError, Version

# Under "steersman.chart", where run_template collects helm's log lines for stderr.
log = logging.getLogger("steersman.chart.template.depup")
# each dependency download's new ChartDownloader says so (slog.Debug)
_NEW_DOWNLOADER = "set up default downloader cache"
_MANAGER_PREFIX = "helm-manager-"  # helm's cache name for a repository not in repositories.yaml
_NON_URL_NOTE = (
    "\nNote that repositories must be URLs or aliases. For example, to refer to the "
    '"example"\nrepository, use "https://charts.example.com/" or "@example" instead of\n'
    "\"example\". Don't forget to add the repo, too ('helm repo add')."
)


class DependencyUpdateError(SteersmanError):
    """The error helm's Manager.Update returns, as its text."""


@dataclass
class Settings:
    repository_config: str
    repository_cache: str
    debug: bool = False
    # The registry client's flags (newRegistryClient): they reach oci:// dependencies only,
    # an HTTP repository's come from its repositories.yaml entry.
    plain_http: bool = False
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    insecure_skip_tls_verify: bool = False
    username: str = ""
    password: str = field(default="", repr=False)
    registry_config: str = ""  # --registry-config: credentials when --username/--password are not
    plugins: PluginGetters | None = None  # getter plugins: repositories of more schemes

    def registry_auth(self, url: str) -> RepoAuth:
        """The client helm builds for the oci:// `url`: with TLS options, one without
        --plain-http (which only its default client takes)."""
        try:
            store = registry_store(self.registry_config, self.username, self.password)
        except FlagError as exc:
            raise DependencyUpdateError(str(exc)) from None
        username, password = self.username, self.password
        tls = wants_tls_config(
            self.ca_file, self.cert_file, self.key_file, self.insecure_skip_tls_verify
        )
        if not tls:
            return RepoAuth(username, password, plain_http=self.plain_http, credentials=store)
        return RepoAuth(
            username,
            password,
            credentials=store,
            ca_file=self.ca_file or None,
            cert_file=self.cert_file or None,
            key_file=self.key_file or None,
            insecure_skip_tls_verify=self.insecure_skip_tls_verify,
        )


@dataclass
class _Repo:
    name: str
    url: str
    entry: dict[str, Any] = field(default_factory=dict)
    index: RepoIndex | None = None

    @property
    def auth(self) -> RepoAuth:
        """The entry's TLS files and credentials; a repository not in repositories.yaml has
        none (helm gives its generated entry only a name and the URL)."""
        return entry_auth(self.entry)


def update(chart_dir: str, settings: Settings, out: list[str], err: list[str]) -> None:
    """Manager.Update: resolve, download into charts/, write Chart.lock (when it changed).
    Progress goes to `out` (helm's stdout), an OCI pull's lines to `err` (its stderr)."""
    chart = _load_dir(chart_dir)
    req = [d for d in chart.metadata.dependencies if d is not None]
    if not chart.metadata.dependencies_declared:
        return
    configured = _configured_repos(settings.repository_config)
    repo_names = _resolve_repo_names(req, configured, chart_dir, settings, out)
    unmanaged = _unmanaged_repos(req, repo_names)
    with tempfile.TemporaryDirectory(prefix="steersman-depup-") as tmp:
        cache = ChartCache(tmp)
        if unmanaged:
            out.append("Getting updates for unmanaged Helm repositories...\n")
            _update_indexes(unmanaged, settings, out)
        if configured:
            out.append("Hang tight while we grab the latest from your chart repositories...\n")
            _update_indexes(list(configured.values()), settings, out)
            out.append("Update Complete. \u2388Happy Helming!\u2388\n")
        by_name = {r.name: r for r in [*configured.values(), *unmanaged]}
        locked = _resolve(req, repo_names, by_name, chart_dir, settings, cache)
        _download_all(chart_dir, locked, by_name, settings, cache, out, err)
    digest = _hash_req(req, locked)
    if chart.lock is not None and chart.lock.digest == digest:
        return
    _write_lock(chart_dir, locked, digest, chart.metadata.api_version == "v1")


def _load_dir(path: str) -> Any:
    if not os.path.exists(path):
        raise DependencyUpdateError(
            f"could not find {path}: stat {path}: no such file or directory"
        )
    if not os.path.isdir(path):
        raise DependencyUpdateError("only unpacked charts can be updated")
    try:
        return load_dir(path)
    except ChartError as exc:
        raise DependencyUpdateError(str(exc)) from None


def _configured_repos(path: str) -> dict[str, _Repo]:
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
    except (OSError, yaml.YAMLError):
        return {}
    repos: dict[str, _Repo] = {}
    for entry in doc.get("repositories") or [] if isinstance(doc, dict) else []:
        if isinstance(entry, dict) and entry.get("name") and entry.get("url"):
            repos[str(entry["name"])] = _Repo(str(entry["name"]), str(entry["url"]), entry)
    return repos


def _same_url(a: str, b: str) -> bool:
    """urlutil.Equal: the same URL up to a trailing slash of the path."""
    ua, ub = urlsplit(a), urlsplit(b)
    return (ua.scheme, ua.netloc, ua.path.rstrip("/") or "/", ua.query) == (
        ub.scheme,
        ub.netloc,
        ub.path.rstrip("/") or "/",
        ub.query,
    )


def _is_request_uri(text: str) -> bool:
    """url.ParseRequestURI accepts an absolute URL or an absolute path."""
    if text.startswith("/"):
        return True
    return bool(urlsplit(text).scheme)


def _local_path(repository: str, chart_dir: str) -> str:
    """resolver.GetLocalPath."""
    p = repository.removeprefix("file://")
    # filepath.Join cleans the path (`..` folded), as helm reports it
    dep_path = (
        os.path.abspath(p) if p.startswith("/") else os.path.normpath(os.path.join(chart_dir, p))
    )
    if not os.path.exists(dep_path):
        raise DependencyUpdateError(f"directory {dep_path} not found")
    return dep_path


def _resolve_repo_names(
    req: list[Dependency],
    configured: dict[str, _Repo],
    chart_dir: str,
    settings: Settings,
    out: list[str],
) -> dict[str, str]:
    names: dict[str, str] = {}
    missing: list[str] = []
    for dep in req:
        if not dep.repository:
            continue
        if dep.repository.startswith("file://"):
            _local_path(dep.repository, chart_dir)
            if settings.debug:
                out.append(f"Repository from local path: {dep.repository}\n")
            names[dep.name] = dep.repository
            continue
        if dep.repository.startswith("oci://"):
            names[dep.name] = dep.repository
            continue
        alias = ""
        for prefix in ("@", "alias:"):
            if dep.repository.startswith(prefix):
                alias = dep.repository.removeprefix(prefix)
        found = next(
            (
                r
                for r in configured.values()
                if (alias and r.name == alias) or _same_url(r.url, dep.repository)
            ),
            None,
        )
        if found is not None:
            if alias:
                dep.repository = found.url
            names[dep.name] = found.name
        elif _is_request_uri(dep.repository):
            names[dep.repository] = dep.repository  # helm keys it by URL: the name stays unknown
        else:
            missing.append(dep.repository)
    if missing:
        message = (
            f"no repository definition for {', '.join(missing)}. "
            "Please add them via 'helm repo add'"
        )
        if any(
            "//" not in r and not r.startswith("@") and not r.startswith("alias:") for r in missing
        ):
            message += _NON_URL_NOTE
        raise DependencyUpdateError(message)
    return names


def _unmanaged_repos(req: list[Dependency], names: dict[str, str]) -> list[_Repo]:
    repos: list[_Repo] = []
    for dep in req:
        if not dep.repository or dep.name in names:
            continue
        key = _MANAGER_PREFIX + hashlib.sha256(dep.repository.encode()).hexdigest()
        names[dep.name] = key
        repos.append(_Repo(key, dep.repository))
    return repos


def _update_indexes(repos: list[_Repo], settings: Settings, out: list[str]) -> None:
    """parallelRepoUpdate: each repository's index.yaml into helm's repository cache."""
    unique = list({r.url.rstrip("/"): r for r in repos}.values())
    for repo in unique:
        scheme = urlsplit(repo.url).scheme
        if scheme not in ("http", "https") and not _plugin_serves(settings, scheme):
            raise DependencyUpdateError(f"could not find protocol handler for: {scheme}")
    results = asyncio.run(_download_indexes(unique, settings.plugins))
    for repo, result in zip(unique, results, strict=True):
        shown = go_quote(repo.url if repo.name.startswith(_MANAGER_PREFIX) else repo.name)
        if isinstance(result, str):
            where = "" if repo.name.startswith(_MANAGER_PREFIX) else f" ({repo.url})"
            out.append(
                f"...Unable to get an update from the {shown} chart repository{where}:\n"
                f"\t{result}\n"
            )
            continue
        path = os.path.join(settings.repository_cache, f"{repo.name}-index.yaml")
        os.makedirs(settings.repository_cache, exist_ok=True)
        Path(path).write_bytes(result)
        repo.index = parse_index(result, path)
        out.append(f"...Successfully got an update from the {shown} chart repository\n")


def _plugin_serves(settings: Settings, scheme: str) -> bool:
    plugins = settings.plugins
    return plugins is not None and find_getter(plugins.directory, scheme) is not None


async def _download_indexes(repos: list[_Repo], plugins: PluginGetters | None) -> list[bytes | str]:
    async with aiohttp.ClientSession() as session:
        return await asyncio.gather(*(_download_index(session, r, plugins) for r in repos))


async def _download_index(
    session: aiohttp.ClientSession, repo: _Repo, plugins: PluginGetters | None
) -> bytes | str:
    """ChartRepository.DownloadIndexFile: with the entry's TLS files and credentials; an index
    helm's loadIndex refuses is its error (and never reaches the cache)."""
    got = await get_index(session, repo.url, repo.auth, plugins)
    return (index_error(got) or got) if isinstance(got, bytes) else got


async def _get_archive(url: str, opts: GetOptions) -> bytes | str:
    async with aiohttp.ClientSession() as session:
        return await get(session, url, opts, archive=True)


def _constraint(dep: Dependency) -> Constraints:
    try:
        return Constraints.parse(dep.version)
    except SemverError as exc:
        raise DependencyUpdateError(
            f"dependency {go_quote(dep.name)} has an invalid version/constraint format: {exc}"
        ) from None


def _resolve(
    req: list[Dependency],
    names: dict[str, str],
    repos: dict[str, _Repo],
    chart_dir: str,
    settings: Settings,
    cache: ChartCache,
) -> list[Dependency]:
    """resolver.Resolve: each dependency pinned to the version it will get."""
    locked: list[Dependency] = []
    missing: list[str] = []
    for dep in req:
        constraint = _constraint(dep)
        pinned = Dependency(name=dep.name, repository=dep.repository, version=dep.version)
        locked.append(pinned)
        candidates: list[str]
        if not dep.repository:
            _local_path(os.path.join("charts", dep.name), chart_dir)
            continue
        if dep.repository.startswith("file://"):
            version = _load_dir(_local_path(dep.repository, chart_dir)).metadata.version
            candidates = [version]
        elif dep.repository.startswith("oci://"):
            candidates = (
                [dep.version] if _is_version(dep.version) else _oci_tag(dep, settings, cache)
            )
        else:
            repo_name = names.get(dep.name, "")
            repo = repos.get(repo_name)
            index = repo.index if repo else None
            if index is None:
                index = _cached_index(repo_name, settings)
            entries = index.entries.get(dep.name)
            if not entries:
                raise DependencyUpdateError(f"{dep.name} chart not found in repo {dep.repository}")
            candidates = [e.version for e in entries if e.urls]
        chosen = next((v for v in candidates if _satisfies(constraint, v)), None)
        if chosen is None:
            missing.append(
                f"{go_quote(dep.name)} (repository {go_quote(dep.repository)}, "
                f"version {go_quote(dep.version)})"
            )
        else:
            pinned.version = chosen
    if missing:
        raise DependencyUpdateError(
            f"can't get a valid version for {len(missing)} subchart(s): {', '.join(missing)}. "
            "Make sure a matching chart version exists in the repo, or change the version "
            "constraint in Chart.yaml"
        )
    return locked


def _oci_tag(dep: Dependency, settings: Settings, cache: ChartCache) -> list[str]:
    """The newest tag of the repository matching a version constraint (the registry's tag list,
    strict semver, newest first); the pull it makes is cached for the download."""
    ref = ChartRef(f"{dep.repository.rstrip('/')}/{dep.name}", "", dep.version)
    try:
        fetched = asyncio.run(fetch_chart(ref, cache=cache, auth=settings.registry_auth(ref.url)))
    except ChartNotFound as exc:
        if exc.available or "unable to locate any tags" in str(exc):
            return []
        raise DependencyUpdateError(
            f"could not retrieve list of tags for repository {dep.repository}: {exc.helm or exc}"
        ) from None
    except ChartSourceError as exc:
        raise DependencyUpdateError(
            f"could not retrieve list of tags for repository {dep.repository}: {exc.helm or exc}"
        ) from None
    return [fetched.version]


def _cached_index(repo_name: str, settings: Settings) -> RepoIndex:
    """The index an earlier update left in helm's repository cache (this one's failed)."""
    path = os.path.join(settings.repository_cache, f"{repo_name}-index.yaml")
    try:
        return load_index_file(Path(path).read_bytes(), path)
    except OSError as exc:
        raise DependencyUpdateError(
            f"no cached repository for {repo_name} found. (try 'helm repo update'): "
            f"open {path}: {go_os_error(exc)}"
        ) from None
    except ChartSourceError as exc:
        raise DependencyUpdateError(
            f"no cached repository for {repo_name} found. (try 'helm repo update'): {exc}"
        ) from None


def _is_version(text: str) -> bool:
    try:
        Version.parse(text)
    except SemverError:
        return False
    return True


def _satisfies(constraint: Constraints, text: str) -> bool:
    try:
        return constraint.check(Version.parse(text))
    except SemverError:
        return False


def _download_all(
    chart_dir: str,
    locked: list[Dependency],
    repos: dict[str, _Repo],
    settings: Settings,
    cache: ChartCache,
    out: list[str],
    err: list[str],
) -> None:
    """downloadAll + safeMoveDeps: the archives into charts/, outdated ones removed."""
    _load_chart_repositories(repos, settings)
    dest = os.path.join(chart_dir, "charts")
    if os.path.exists(dest) and not os.path.isdir(dest):
        raise DependencyUpdateError(f"{go_quote(dest)} is not a directory")
    os.makedirs(dest, exist_ok=True)
    saved: dict[str, bytes] = {}
    out.append(f"Saving {len(locked)} charts\n")
    for dep in locked:
        if not dep.repository:
            out.append(
                f"Dependency {dep.name} did not declare a repository. Assuming it exists in "
                "the charts directory\n"
            )
            continue
        if dep.repository.startswith("file://"):
            if settings.debug:
                out.append(f"Archiving {dep.name} from repo {dep.repository}\n")
            source = _local_path(dep.repository, chart_dir)
            saved[f"{dep.name}-{dep.version}.tgz"] = _archive_dir(source, dep.name)
            continue
        if not dep.repository.startswith("oci://"):
            repo = next((r for r in repos.values() if _same_url(r.url, dep.repository)), None)
            repo = repo or _Repo("", dep.repository)
            filename, data = _download_from_repo(dep, repo, repos, settings, out)
            saved[filename] = data
            continue
        out.append(f"Downloading {dep.name} from repo {dep.repository}\n")
        helmlog.debug(log, _NEW_DOWNLOADER)
        ref = ChartRef(f"{dep.repository.rstrip('/')}/{dep.name}", "", dep.version)
        try:
            fetched = asyncio.run(
                fetch_chart(ref, cache=cache, auth=settings.registry_auth(ref.url))
            )
        except ChartSourceError as exc:
            error = f"could not download {ref.url}: {exc.helm or exc}"
            out.append(f"Save error occurred:  {error}\n")
            raise DependencyUpdateError(error) from None
        if fetched.manifest_digest:
            # the registry client's pull report, printed by helm on stderr
            pulled = ref.url.removeprefix("oci://")
            err.append(f"Pulled: {pulled}:{fetched.version}\nDigest: {fetched.manifest_digest}\n")
        saved[f"{dep.name}-{fetched.version}.tgz"] = fetched.data
    existing = sorted(os.listdir(dest))
    for filename, data in saved.items():
        Path(dest, filename).write_bytes(data)
    out.append("Deleting outdated charts\n")
    local = {d.name for d in locked if not d.repository}
    for name in existing:
        path = os.path.join(dest, name)
        if name in saved or os.path.isdir(path):
            continue
        try:
            chart_name = load_archive(Path(path).read_bytes()).metadata.name
        except (ChartError, OSError) as exc:
            out.append(f"Could not verify {path} for deletion: {exc} (Skipping)\n")
            continue
        if chart_name not in local:  # a chart kept in charts/ by hand stays
            os.remove(path)


def _load_chart_repositories(repos: dict[str, _Repo], settings: Settings) -> None:
    """loadChartRepositories: every repository of repositories.yaml needs an index in the
    cache, the one its update just wrote or an older one, even for dependencies elsewhere;
    one whose update failed (say, for a missing CA) and has none ends the update."""
    for repo in repos.values():
        if repo.index is not None or repo.name.startswith(_MANAGER_PREFIX):
            continue
        path = os.path.join(settings.repository_cache, f"{repo.name}-index.yaml")
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise DependencyUpdateError(f"open {path}: {go_os_error(exc)}") from None
        try:
            repo.index = load_index_file(data, path)
        except ChartSourceError as exc:
            raise DependencyUpdateError(str(exc)) from None


def _download_from_repo(
    dep: Dependency, repo: _Repo, repos: dict[str, _Repo], settings: Settings, out: list[str]
) -> tuple[str, bytes]:
    """findChartURL + ChartDownloader: the archive the repository's index names, and the
    name DownloadTo saves it under (its URL path's last element)."""
    index = repo.index or _cached_index(repo.name, settings)
    entry = next(
        (e for e in index.entries.get(dep.name, ()) if e.urls and e.version == dep.version), None
    )
    if entry is None:
        error = "could not find : no matching version"
        out.append(f"Save error occurred:  {error}\n")
        raise DependencyUpdateError(error)
    url = resolve_reference_url(repo.url.rstrip("/") + "/", entry.urls[0])
    out.append(f"Downloading {dep.name} from repo {dep.repository}\n")
    helmlog.debug(log, _NEW_DOWNLOADER)
    opts = replace(_archive_options(url, repo, repos), plugins=settings.plugins)
    got = asyncio.run(_get_archive(url, opts))
    if isinstance(got, str):
        error = f"could not download {url}: {got}"
        out.append(f"Save error occurred:  {error}\n")
        raise DependencyUpdateError(error)
    return gopath.base(urlsplit(url).path), got


def _archive_options(url: str, repo: _Repo, repos: dict[str, _Repo]) -> GetOptions:
    """The dependency's repository entry's options (findChartURL), then ResolveChartVersion's:
    the first configured repository whose cached index names this very URL lends its TLS
    files and credentials (when it has them) and becomes the origin the credentials are for;
    with none, the archive URL itself is."""
    auth = repo.auth
    for owner in repos.values():
        if owner.name.startswith(_MANAGER_PREFIX) or not _index_names(owner, url):
            continue
        lent = owner.auth
        if lent.ca_file or lent.cert_file or lent.key_file:
            auth = replace(
                auth, ca_file=lent.ca_file, cert_file=lent.cert_file, key_file=lent.key_file
            )
        if lent.has_credentials:
            auth = replace(
                auth,
                username=lent.username,
                password=lent.password,
                pass_credentials_all=lent.pass_credentials_all,
            )
        return GetOptions(owner.url, auth)
    return GetOptions(url, auth)


def _index_names(repo: _Repo, url: str) -> bool:
    entries = repo.index.entries.values() if repo.index else ()
    return any(_same_url(u, url) for versions in entries for v in versions for u in v.urls)


def _archive_dir(source: str, name: str) -> bytes:
    """chartutil.Save: the chart directory as NAME/... in a gzipped tar."""
    buf = io.BytesIO()
    now = time.time()
    with tarfile.open(fileobj=buf, mode="w:gz", format=tarfile.PAX_FORMAT) as tar:
        for f in dir_files(source):
            info = tarfile.TarInfo(f"{name}/{f.name}")
            info.size = len(f.data)
            info.mode = 0o644
            info.mtime = int(now)
            tar.addfile(info, io.BytesIO(f.data))
    return buf.getvalue()


def _dependency_json(d: Dependency) -> dict[str, Any]:
    """chart.Dependency's JSON fields in struct order, omitempty as Go drops them."""
    doc: dict[str, Any] = {"name": d.name}
    if d.version:
        doc["version"] = d.version
    doc["repository"] = d.repository
    for key, value in (
        ("condition", d.condition),
        ("tags", d.tags),
        ("enabled", d.enabled),
        ("import-values", d.import_values),
        ("alias", d.alias),
    ):
        if value:
            doc[key] = value
    return doc


def _go_json(value: Any) -> str:
    """encoding/json.Marshal: compact, with <, > and & escaped as Go escapes them for HTML."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _hash_req(req: list[Dependency], locked: list[Dependency]) -> str:
    """resolver.HashReq: sha256 of the JSON of [requirements, lock]."""
    data = _go_json([[_dependency_json(d) for d in req], [_dependency_json(d) for d in locked]])
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()


def _write_lock(chart_dir: str, locked: list[Dependency], digest: str, legacy: bool) -> None:
    name = "requirements.lock" if legacy else "Chart.lock"
    dest = os.path.join(chart_dir, name)
    if os.path.islink(dest):
        raise DependencyUpdateError(
            f"the {name} file is a symlink to {go_quote(os.readlink(dest))}"
        )
    generated = _rfc3339_nano(datetime.now().astimezone())
    lines = ["dependencies:\n"]
    for d in locked:
        lines.append(f"- name: {_yaml_scalar(d.name)}\n")
        lines.append(f"  repository: {_yaml_scalar(d.repository)}\n")
        if d.version:
            lines.append(f"  version: {_yaml_scalar(d.version)}\n")
    lines.append(f"digest: {digest}\ngenerated: {json.dumps(generated)}\n")
    Path(dest).write_text("".join(lines), encoding="utf-8")


def _rfc3339_nano(now: datetime) -> str:
    """Go's time.RFC3339Nano (how Chart.lock's `generated` is written): local time, the
    fraction without trailing zeros, `Z` for a zero offset."""
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    if now.microsecond:
        text += f".{now.microsecond:06d}".rstrip("0")
    offset = now.strftime("%z")
    return text + ("Z" if offset in ("", "+0000") else f"{offset[:3]}:{offset[3:]}")


def _yaml_scalar(text: str) -> str:
    if not text:
        return '""'
    dumped = yaml.safe_dump(text, default_flow_style=True, width=1 << 30)
    return dumped.removesuffix("\n...\n").removesuffix("\n")
