"""HTTP(S) Helm repositories served from loopback, with charts and index.yaml made by helm v4;
every resolution is checked against what `helm pull` picks and downloads from the same server."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from hack.testenv import parts
from hack.testkit.chart_servers import (
    VERSIONS,
    BlackHole,
    RepoServer,
    TlsMaterial,
    chart_version,
    helm,
    helm_package,
    helm_pull,
    make_tls_material,
    write_tiny_chart,
)
from steersman.chart.sources import (
    AuthFailed,
    ChartCache,
    ChartNotFound,
    ChartRef,
    DigestMismatch,
    InvalidReference,
    RepoAuth,
    SourceUnavailable,
    fetch_chart,
)

pytestmark = [pytest.mark.integration, pytest.mark.interop]

USER, PASSWORD = "chartuser", "s3cret-Pa55"


@pytest.fixture(scope="module")
def repo_dir(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """demo in every VERSIONS, other 0.1.0, and helm's own index.yaml (relative URLs)."""
    work = tmp_path_factory.mktemp("repo-src")
    out = work / "repo"
    demo = write_tiny_chart(work, "demo")
    for version in VERSIONS:
        helm_package(helm_v4, helm_home_env, demo, version, out)
    helm_package(helm_v4, helm_home_env, write_tiny_chart(work, "other"), "0.1.0", out)
    helm(helm_v4, helm_home_env, "repo", "index", str(out))
    return out


@pytest.fixture(scope="module")
async def repo(repo_dir: Path) -> AsyncIterator[RepoServer]:
    server = RepoServer(repo_dir)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture(scope="module")
async def auth_repo(repo_dir: Path) -> AsyncIterator[RepoServer]:
    server = RepoServer(repo_dir, username=USER, password=PASSWORD)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def cache(tmp_path: Path) -> ChartCache:
    return ChartCache(tmp_path / "cache", max_bytes=16 << 20, index_ttl=300)


CONSTRAINTS = [
    "",
    "*",
    "^1.0",
    "~1.0",
    "1.0.x",
    ">=1.0.0, <1.1.0",
    "<1.0.0",
    "1.0",
    "1.1.1+build.7",
    "1.2.0-rc.1",
    ">=1.2.0-0",
    "2.0.0-alpha.1",
    "~1.1 || ^2.0.0-0",
    "!=1.1.1",
]


@pytest.mark.parametrize("constraint", CONSTRAINTS)
async def test_resolves_like_helm_pull(
    constraint: str,
    repo: RepoServer,
    cache: ChartCache,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    got = await fetch_chart(ChartRef(repo.url, "demo", constraint), cache=cache)
    args = ["demo", "--repo", repo.url] + (["--version", constraint] if constraint else [])
    helm_version, helm_bytes = await helm_pull(helm_v4, helm_home_env, tmp_path / "pulled", *args)
    assert got.version == helm_version
    assert got.data == helm_bytes
    assert chart_version(got.data) == got.version
    assert got.path.read_bytes() == got.data


async def test_devel_takes_the_newest_prerelease_like_helm(
    repo: RepoServer,
    cache: ChartCache,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    got = await fetch_chart(ChartRef(repo.url, "demo", devel=True), cache=cache)
    helm_version, helm_bytes = await helm_pull(
        helm_v4, helm_home_env, tmp_path / "p", "demo", "--repo", repo.url, "--devel"
    )
    assert (got.version, got.data) == (helm_version, helm_bytes) == ("2.0.0-alpha.1", got.data)


async def test_missing_chart_and_unsatisfiable_constraint(
    repo: RepoServer, cache: ChartCache
) -> None:
    missing = r'chart "nope" not found in http://127\.0\.0\.1:\d+ repository'
    with pytest.raises(ChartNotFound, match=missing):
        await fetch_chart(ChartRef(repo.url, "nope"), cache=cache)
    with pytest.raises(ChartNotFound) as err:
        await fetch_chart(ChartRef(repo.url, "demo", "^3.0"), cache=cache)
    assert "available: 2.0.0-alpha.1, 1.2.0-rc.1, 1.1.1+build.7" in str(err.value)
    assert err.value.available[0] == "2.0.0-alpha.1"
    with pytest.raises(InvalidReference, match="invalid version constraint"):
        await fetch_chart(ChartRef(repo.url, "demo", "not a version"), cache=cache)


async def test_digest_from_index_is_checked(
    repo_dir: Path, cache: ChartCache, tmp_path: Path
) -> None:
    bad_dir = tmp_path / "bad"
    shutil.copytree(repo_dir, bad_dir)
    index = yaml.safe_load((bad_dir / "index.yaml").read_text())
    entry = next(e for e in index["entries"]["demo"] if e["version"] == "1.0.0")
    good_digest = entry["digest"]
    entry["digest"] = "0" * 64
    (bad_dir / "index.yaml").write_text(yaml.safe_dump(index))
    server = RepoServer(bad_dir)
    await server.start()
    try:
        with pytest.raises(DigestMismatch) as err:
            await fetch_chart(ChartRef(server.url, "demo", "1.0.0"), cache=cache)
        assert err.value.expected == "sha256:" + "0" * 64
        assert err.value.actual == "sha256:" + good_digest
        assert await cache.total_bytes() == 0  # nothing unverified was cached
        ok = await fetch_chart(ChartRef(server.url, "demo", "1.0.1"), cache=cache)
        assert ok.version == "1.0.1"
    finally:
        await server.stop()


async def test_basic_auth_like_helm(
    auth_repo: RepoServer,
    cache: ChartCache,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    with pytest.raises(AuthFailed, match="401") as anonymous:
        await fetch_chart(ChartRef(auth_repo.url, "demo"), cache=cache)
    with pytest.raises(AuthFailed) as wrong:
        await fetch_chart(
            ChartRef(auth_repo.url, "demo"), cache=cache, auth=RepoAuth(USER, "wrong-pass")
        )
    for err in (anonymous, wrong):
        assert PASSWORD not in str(err.value) and "wrong-pass" not in str(err.value)
    got = await fetch_chart(
        ChartRef(auth_repo.url, "demo", "~1.0"), cache=cache, auth=RepoAuth(USER, PASSWORD)
    )
    helm_version, helm_bytes = await helm_pull(
        helm_v4, helm_home_env, tmp_path / "p", "demo",
        "--repo", auth_repo.url, "--version", "~1.0", "--username", USER, "--password", PASSWORD,
    )  # fmt: skip
    assert (got.version, got.data) == (helm_version, helm_bytes)


async def test_credentials_in_the_url_are_used_and_never_shown(
    auth_repo: RepoServer, cache: ChartCache
) -> None:
    url = auth_repo.url.replace("http://", f"http://{USER}:{PASSWORD}@")
    got = await fetch_chart(ChartRef(url, "demo", "1.0.0"), cache=cache)
    assert got.version == "1.0.0"
    assert PASSWORD not in got.source_url and USER not in got.source_url
    bad = auth_repo.url.replace("http://", f"http://{USER}:nope-{PASSWORD}@")
    with pytest.raises(AuthFailed) as err:
        await fetch_chart(ChartRef(bad, "demo", "1.0.1"), cache=cache)
    assert PASSWORD not in str(err.value)


def _absolute_index(
    repo_dir: Path, index_dir: Path, helm_v4: Path, helm_home_env: dict[str, str], url: str
) -> None:
    index_dir.mkdir()
    for tgz in repo_dir.glob("*.tgz"):
        shutil.copy(tgz, index_dir)
    helm(helm_v4, helm_home_env, "repo", "index", str(index_dir), "--url", url)
    for tgz in index_dir.glob("*.tgz"):
        tgz.unlink()


async def _split_repo(
    repo_dir: Path, tmp_path: Path, helm_v4: Path, helm_home_env: dict[str, str]
) -> tuple[RepoServer, RepoServer]:
    """An index server (basic auth) whose index points at absolute URLs on another port."""
    charts = RepoServer(repo_dir)
    await charts.start()
    index_dir = tmp_path / "index-only"
    await asyncio.to_thread(
        _absolute_index, repo_dir, index_dir, helm_v4, helm_home_env, charts.url
    )
    index = RepoServer(index_dir, username=USER, password=PASSWORD)
    await index.start()
    return index, charts


@pytest.mark.parametrize("pass_all", [False, True])
async def test_credentials_only_go_to_the_repo_host_like_helm(
    pass_all: bool,
    repo_dir: Path,
    tmp_path: Path,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    cache: ChartCache,
) -> None:
    index, charts = await _split_repo(repo_dir, tmp_path, helm_v4, helm_home_env)
    try:
        auth = RepoAuth(USER, PASSWORD, pass_credentials_all=pass_all)
        got = await fetch_chart(ChartRef(index.url, "demo", "1.0.0"), cache=cache, auth=auth)
        ours = [s.authorization for s in charts.seen]
        charts.seen.clear()
        # Helm applies the rule to repositories added with `helm repo add` (an ad-hoc `--repo`
        # pull treats the chart URL as its own repository and always sends the credentials).
        extra = ["--pass-credentials"] if pass_all else []
        name = f"split{int(pass_all)}"
        await asyncio.to_thread(
            helm, helm_v4, helm_home_env, "repo", "add", name, index.url, "--force-update",
            "--username", USER, "--password", PASSWORD, *extra,
        )  # fmt: skip
        charts.seen.clear()
        _, helm_bytes = await helm_pull(
            helm_v4, helm_home_env, tmp_path / "p", f"{name}/demo", "--version", "1.0.0"
        )
        theirs = [s.authorization for s in charts.seen]
        assert got.data == helm_bytes
        assert len(ours) == len(theirs) == 1
        assert (ours[0] is not None) == (theirs[0] is not None) == pass_all
    finally:
        await index.stop()
        await charts.stop()


async def test_redirect_to_another_host_drops_credentials(
    auth_repo: RepoServer, repo: RepoServer, cache: ChartCache
) -> None:
    auth_repo.redirects["/demo-1.0.0.tgz"] = f"{repo.url}/demo-1.0.0.tgz"
    repo.seen.clear()
    try:
        got = await fetch_chart(
            ChartRef(auth_repo.url, "demo", "1.0.0"), cache=cache, auth=RepoAuth(USER, PASSWORD)
        )
    finally:
        auth_repo.redirects.clear()
    assert got.version == "1.0.0"
    assert [(s.path, s.authorization) for s in repo.seen] == [("/demo-1.0.0.tgz", None)]


async def test_index_cache_ttl_etag_and_chart_cache(repo: RepoServer, tmp_path: Path) -> None:
    cache = ChartCache(tmp_path / "c", index_ttl=300)
    repo.seen.clear()
    first = await fetch_chart(ChartRef(repo.url, "demo", "1.0.0"), cache=cache)
    second = await fetch_chart(ChartRef(repo.url, "demo", "1.0.0"), cache=cache)
    assert not first.from_cache and second.from_cache and first.data == second.data
    assert repo.paths("index.yaml") == ["/index.yaml"]  # the second used the fresh index
    assert repo.paths(".tgz") == ["/demo-1.0.0.tgz"]  # and the cached archive

    stale = ChartCache(tmp_path / "c", index_ttl=0)  # same disk cache, index always stale
    repo.seen.clear()
    await fetch_chart(ChartRef(repo.url, "demo", "1.0.0"), cache=stale)
    await fetch_chart(ChartRef(repo.url, "demo", "1.1.0"), cache=stale)
    index_statuses = [s.status for s in repo.seen if s.path == "/index.yaml"]
    assert index_statuses == [200, 304]  # revalidated with If-None-Match
    assert repo.paths(".tgz") == ["/demo-1.1.0.tgz"]


async def test_concurrent_fetches_download_once(repo: RepoServer, tmp_path: Path) -> None:
    cache = ChartCache(tmp_path / "c")
    repo.seen.clear()
    refs = [ChartRef(repo.url, "demo", "^1.0")] * 8 + [ChartRef(repo.url, "other")] * 4
    results = await asyncio.gather(*(fetch_chart(r, cache=cache) for r in refs))
    assert {r.version for r in results[:8]} == {"1.1.1+build.7"}
    assert {r.version for r in results[8:]} == {"0.1.0"}
    assert len(repo.paths("index.yaml")) == 1
    assert sorted(repo.paths(".tgz")) == ["/demo-1.1.1+build.7.tgz", "/other-0.1.0.tgz"]


async def test_unreachable_repository(cache: ChartCache) -> None:
    with pytest.raises(SourceUnavailable, match="cannot reach"):
        await fetch_chart(ChartRef(f"http://127.0.0.1:{parts.free_port()}", "demo"), cache=cache)


@pytest.fixture(scope="module")
def tls() -> TlsMaterial:
    return make_tls_material()


@pytest.mark.parametrize("mutual", [False, True])
async def test_https_repository_with_ca_and_client_certs(
    mutual: bool, tls: TlsMaterial, repo_dir: Path, tmp_path: Path, cache: ChartCache
) -> None:
    server = RepoServer(
        repo_dir, ssl_context=tls.server_context(tmp_path, require_client_cert=mutual)
    )
    await server.start()
    cert = tls.client_cert_pem if mutual else None
    key = tls.client_key_pem if mutual else None
    try:
        ref = ChartRef(server.url, "demo", "1.0.0")
        with pytest.raises(SourceUnavailable, match=r"TLS|certificate|SSL"):
            await fetch_chart(ref, cache=cache)  # our CA is not in the system roots
        auth = RepoAuth(ca_pem=tls.ca_pem, cert_pem=cert, key_pem=key)
        assert (await fetch_chart(ref, cache=cache, auth=auth)).version == "1.0.0"
        insecure = RepoAuth(insecure_skip_tls_verify=True, cert_pem=cert, key_pem=key)
        got = await fetch_chart(ChartRef(server.url, "demo", "1.0.1"), cache=cache, auth=insecure)
        assert got.version == "1.0.1"
        if mutual:
            with pytest.raises(SourceUnavailable):
                await fetch_chart(
                    ref, cache=ChartCache(tmp_path / "c2"), auth=RepoAuth(ca_pem=tls.ca_pem)
                )
    finally:
        await server.stop()


# -- caches never cross identities (issue 11 point 2) --


async def test_caches_never_lend_a_chart_to_another_identity(
    tls: TlsMaterial, repo_dir: Path, tmp_path: Path
) -> None:
    """A repository wanting our CA, a client certificate and basic auth. Once a fully equipped
    fetch has filled the index and archive caches, a fetch missing any one of them still
    fails (and really asks the server), whatever the caches hold."""
    server = RepoServer(
        repo_dir,
        username=USER,
        password=PASSWORD,
        ssl_context=tls.server_context(tmp_path, require_client_cert=True),
    )
    await server.start()
    full = RepoAuth(
        USER, PASSWORD, ca_pem=tls.ca_pem, cert_pem=tls.client_cert_pem, key_pem=tls.client_key_pem
    )
    lacking = {
        "no client certificate": replace(full, cert_pem=None, key_pem=None),
        "no CA": replace(full, ca_pem=None),
        "no password": replace(full, username="", password=""),
        "a wrong password": replace(full, password="not-" + PASSWORD),
    }
    cache = ChartCache(tmp_path / "shared", index_ttl=300)
    ref = ChartRef(server.url, "demo", "1.0.0")
    try:
        assert (await fetch_chart(ref, cache=cache, auth=full)).version == "1.0.0"
        assert (await fetch_chart(ref, cache=cache, auth=full)).from_cache
        for what, auth in lacking.items():
            server.seen.clear()
            with pytest.raises((SourceUnavailable, AuthFailed)) as failed:
                await fetch_chart(ref, cache=cache, auth=auth)
            assert PASSWORD not in str(failed.value), what
            if auth.has_credentials or not auth.password:
                # TLS failures never reach the handler; auth failures are answered 401.
                assert all(s.status == 401 for s in server.seen), what
        assert (await fetch_chart(ref, cache=cache, auth=full)).from_cache
    finally:
        await server.stop()


async def test_url_credentials_are_an_identity_too(auth_repo: RepoServer, tmp_path: Path) -> None:
    cache = ChartCache(tmp_path / "shared", index_ttl=300)
    host = auth_repo.url.removeprefix("http://")
    good = ChartRef(f"http://{USER}:{PASSWORD}@{host}", "demo", "1.0.0")
    assert (await fetch_chart(good, cache=cache)).version == "1.0.0"
    with pytest.raises(AuthFailed):
        await fetch_chart(ChartRef(auth_repo.url, "demo", "1.0.0"), cache=cache)
    with pytest.raises(AuthFailed):
        await fetch_chart(ChartRef(f"http://{USER}:x@{host}", "demo", "1.0.0"), cache=cache)


# -- repositories that accept and never answer (issue 11 point 5) --


@pytest.mark.parametrize("kind", ["silent", "headers-then-stall", "tls-handshake-stalls"])
async def test_a_black_hole_repository_times_out_per_request(kind: str, cache: ChartCache) -> None:
    hole = BlackHole(headers=kind == "headers-then-stall")
    await hole.start()
    scheme = "https" if kind.startswith("tls") else "http"
    try:
        ref = ChartRef(f"{scheme}://reader:pw-marker@127.0.0.1:{hole.port}", "demo")
        started = asyncio.get_running_loop().time()
        with pytest.raises(SourceUnavailable, match="timed out waiting for") as failed:
            await fetch_chart(
                ref, cache=cache, request_timeout=30, read_timeout=0.5, connect_timeout=0.5
            )
        elapsed = asyncio.get_running_loop().time() - started
        assert hole.accepted == 1 and elapsed < 10  # the 0.5 s limits, not the 30 s one
        message = str(failed.value)
        assert f"{scheme}://127.0.0.1:{hole.port}/index.yaml" in message
        assert "request timeouts: connect 0.5s, read 0.5s, total 30s" in message
        assert "pw-marker" not in message
    finally:
        await hole.stop()
