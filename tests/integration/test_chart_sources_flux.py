"""Chart sources Flux users rely on (issue 13.2), against real servers on loopback: a plain
`http://` repository, requests through HTTPS_PROXY/HTTP_PROXY (a forward proxy of our own)
and NO_PROXY, retries after 503s, the index cache refreshed on demand, and OCI digest pins
checked against `helm push`'s digest."""

from __future__ import annotations

import base64
import re
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web
from aiohttp.abc import AbstractResolver, ResolveResult

from hack.testkit.chart_servers import (
    FlakyRepo,
    RepoServer,
    chart_version,
    helm,
    helm_package,
    make_tls_material,
    write_tiny_chart,
)
from hack.testkit.proxy import ForwardProxy
from steersman.chart.sources import (
    ChartCache,
    ChartNotFound,
    ChartRef,
    DigestMismatch,
    RepoAuth,
    RetryPolicy,
    SourceUnavailable,
    fetch_chart,
    new_session,
)

pytestmark = pytest.mark.integration

FAKE_HOST = "charts.proxied.test"  # resolvable only by the proxy (or the resolver below)
FAST = RetryPolicy(retries=9, wait_min=0.05, wait_max=0.2)


class _FakeResolver(AbstractResolver):
    """FAKE_HOST -> 127.0.0.1, for a direct (NO_PROXY) connection to it."""

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if host != FAKE_HOST:
            raise OSError(f"no such host {host}")
        return [
            ResolveResult(
                hostname=host, host="127.0.0.1", port=port, family=socket.AF_INET, proto=0, flags=0
            )
        ]

    async def close(self) -> None:
        return None


def _index(helm_v4: Path, env: dict[str, str], repo: Path) -> None:
    helm(helm_v4, env, "repo", "index", str(repo))


@pytest.fixture
def repo_dir(tmp_path: Path, helm_v4: Path, helm_home_env: dict[str, str]) -> Path:
    src = write_tiny_chart(tmp_path / "src", "tiny")
    repo = tmp_path / "repo"
    helm_package(helm_v4, helm_home_env, src, "0.1.0", repo)
    _index(helm_v4, helm_home_env, repo)
    return repo


@pytest.fixture
async def plain_repo(repo_dir: Path) -> AsyncIterator[FlakyRepo]:
    server = FlakyRepo(repo_dir)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def proxy() -> AsyncIterator[ForwardProxy]:
    p = ForwardProxy(hosts={FAKE_HOST: "127.0.0.1"})
    await p.start()
    yield p
    await p.stop()


def _clear_proxy_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_plain_http_repository(plain_repo: FlakyRepo, tmp_path: Path) -> None:
    assert plain_repo.url.startswith("http://")
    got = await fetch_chart(ChartRef(plain_repo.url, "tiny"), cache=ChartCache(tmp_path / "c"))
    assert (got.version, chart_version(got.data)) == ("0.1.0", "0.1.0")
    assert plain_repo.paths() == ["/index.yaml", "/tiny-0.1.0.tgz"]


async def test_http_proxy_is_used_and_no_proxy_bypasses_it(
    plain_repo: FlakyRepo, proxy: ForwardProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxy_env(monkeypatch)
    url = f"http://{FAKE_HOST}:{plain_repo.port}"
    monkeypatch.setenv("HTTP_PROXY", f"http://proxy%40user:pw@127.0.0.1:{proxy.port}")
    got = await fetch_chart(ChartRef(url, "tiny"), cache=ChartCache(tmp_path / "c1"))
    assert got.version == "0.1.0"
    assert proxy.targets("GET") == [f"{url}/index.yaml", f"{url}/tiny-0.1.0.tgz"]
    basic = "Basic " + base64.b64encode(b"proxy@user:pw").decode()
    assert proxy.proxy_authorizations == [basic, basic]  # the proxy URL's credentials
    assert plain_repo.paths() == ["/index.yaml", "/tiny-0.1.0.tgz"]

    # NO_PROXY names the host: straight to the repository (our resolver finds the made-up name).
    proxy.seen.clear()
    monkeypatch.setenv("NO_PROXY", "example.com,.proxied.test")
    connector = aiohttp.TCPConnector(resolver=_FakeResolver())
    async with aiohttp.ClientSession(connector=connector) as session:
        got = await fetch_chart(
            ChartRef(url, "tiny"), cache=ChartCache(tmp_path / "c2"), session=session
        )
    assert got.version == "0.1.0" and proxy.seen == []
    assert plain_repo.paths() == ["/index.yaml", "/tiny-0.1.0.tgz"] * 2

    # Loopback addresses are never proxied (Go's rule, so helm's and Flux's too).
    monkeypatch.delenv("NO_PROXY")
    await fetch_chart(ChartRef(plain_repo.url, "tiny"), cache=ChartCache(tmp_path / "c3"))
    assert proxy.seen == [] and len(plain_repo.paths()) == 6


async def test_https_proxy_tunnels_with_connect(
    repo_dir: Path, proxy: ForwardProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxy_env(monkeypatch)
    tls = make_tls_material()
    server = RepoServer(repo_dir, ssl_context=tls.server_context(tmp_path))
    await server.start()
    try:
        monkeypatch.setenv("https_proxy", f"127.0.0.1:{proxy.port}")  # no scheme: http://
        monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # not for https:// URLs
        url = f"https://{FAKE_HOST}:{server.port}"
        # The test certificate names 127.0.0.1 only, so the made-up name skips verification.
        auth = RepoAuth(insecure_skip_tls_verify=True)
        got = await fetch_chart(ChartRef(url, "tiny"), cache=ChartCache(tmp_path / "c"), auth=auth)
    finally:
        await server.stop()
    assert got.version == "0.1.0"
    assert set(proxy.targets("CONNECT")) == {f"{FAKE_HOST}:{server.port}"}
    assert proxy.targets("GET") == []  # the requests themselves went through the tunnel
    assert server.paths() == ["/index.yaml", "/tiny-0.1.0.tgz"]


async def test_an_unreachable_proxy_is_named_without_its_password(
    plain_repo: FlakyRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _clear_proxy_env(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", "http://user:s3cret@127.0.0.1:9")
    with pytest.raises(SourceUnavailable) as err:
        await fetch_chart(
            ChartRef(f"http://{FAKE_HOST}:{plain_repo.port}", "tiny"),
            cache=ChartCache(tmp_path / "c"),
        )
    assert "s3cret" not in str(err.value) and FAKE_HOST in str(err.value)


async def test_transient_failures_are_retried_with_backoff(
    plain_repo: FlakyRepo, tmp_path: Path
) -> None:
    plain_repo.failures = {"/index.yaml": [503, 503], "/tiny-0.1.0.tgz": [429, 502]}
    got = await fetch_chart(
        ChartRef(plain_repo.url, "tiny"), cache=ChartCache(tmp_path / "c1"), retry=FAST
    )
    assert got.version == "0.1.0"
    assert [s.status for s in plain_repo.seen] == [503, 503, 200, 429, 502, 200]

    plain_repo.seen.clear()
    plain_repo.failures = {"/index.yaml": [503, 503]}
    with pytest.raises(SourceUnavailable, match="503"):
        await fetch_chart(
            ChartRef(plain_repo.url, "tiny"),
            cache=ChartCache(tmp_path / "c2"),
            retry=RetryPolicy(retries=1, wait_min=0.05),
        )
    assert [s.status for s in plain_repo.seen] == [503, 503]

    # 404 and 501 are answers, not hiccups: one request each.
    plain_repo.seen.clear()
    plain_repo.failures = {"/index.yaml": [501]}
    with pytest.raises(SourceUnavailable, match="501"):
        await fetch_chart(
            ChartRef(plain_repo.url, "tiny"), cache=ChartCache(tmp_path / "c3"), retry=FAST
        )
    assert [s.status for s in plain_repo.seen] == [501]


async def test_requested_refresh_sees_a_chart_pushed_within_the_ttl(
    plain_repo: FlakyRepo,
    repo_dir: Path,
    tmp_path: Path,
    helm_v4: Path,
    helm_home_env: dict[str, str],
) -> None:
    cache = ChartCache(tmp_path / "c", index_ttl=3600)
    ref = ChartRef(plain_repo.url, "tiny", "0.2.0")
    await fetch_chart(ChartRef(plain_repo.url, "tiny"), cache=cache)
    src = write_tiny_chart(tmp_path / "src2", "tiny")
    helm_package(helm_v4, helm_home_env, src, "0.2.0", repo_dir)
    _index(helm_v4, helm_home_env, repo_dir)
    with pytest.raises(ChartNotFound):  # the cached index is still fresh
        await fetch_chart(ref, cache=cache)
    assert plain_repo.paths("index.yaml") == ["/index.yaml"]
    got = await fetch_chart(ref, cache=cache, refresh_index=True)
    assert got.version == "0.2.0"
    assert plain_repo.paths("index.yaml") == ["/index.yaml"] * 2
    # Refreshing an unchanged index costs a 304, not a download.
    await fetch_chart(ref, cache=cache, refresh_index=True)
    assert [(s.path, s.status) for s in plain_repo.seen[-3:]] == [
        ("/index.yaml", 200),
        ("/tiny-0.2.0.tgz", 200),
        ("/index.yaml", 304),  # and the archive came from the cache
    ]


# -- OCI digest pins --


@pytest.fixture(scope="module")
def pushed(
    oci_registry: str,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, str]:
    """version -> manifest digest of `pinned` charts pushed with helm."""
    tmp = tmp_path_factory.mktemp("pin")
    src = write_tiny_chart(tmp / "src", "pinned")
    digests = {}
    for version in ("1.0.0", "1.1.0"):
        tgz = helm_package(helm_v4, helm_home_env, src, version, tmp / "out")
        out = helm(
            helm_v4, helm_home_env, "push", str(tgz), f"oci://{oci_registry}/pins", "--plain-http"
        )
        match = re.search(r"Digest: (sha256:[0-9a-f]{64})", out)
        assert match, out
        digests[version] = match.group(1)
    return digests


async def test_oci_digest_pin(oci_registry: str, pushed: dict[str, str], tmp_path: Path) -> None:
    url, plain = f"oci://{oci_registry}/pins", RepoAuth(plain_http=True)
    cache = ChartCache(tmp_path / "c")
    async with new_session() as session:
        for version, digest in pushed.items():
            ref = ChartRef(url, "pinned", digest=digest)
            got = await fetch_chart(ref, cache=cache, auth=plain, session=session)
            assert (got.version, got.manifest_digest) == (version, digest)
        old = pushed["1.0.0"]
        got = await fetch_chart(
            ChartRef(url, "pinned", "1.0.0", digest=old), cache=cache, auth=plain, session=session
        )
        assert got.manifest_digest == old
        with pytest.raises(DigestMismatch, match=r"1\.1\.0"):  # the tag points elsewhere
            await fetch_chart(
                ChartRef(url, "pinned", "1.1.0", digest=old),
                cache=cache,
                auth=plain,
                session=session,
            )
        with pytest.raises(ChartNotFound):
            await fetch_chart(
                ChartRef(url, "pinned", digest="sha256:" + "0" * 64),
                cache=cache,
                auth=plain,
                session=session,
            )


@pytest.fixture
async def flaky_registry(oci_registry: str) -> AsyncIterator[tuple[str, list[int]]]:
    """(host:port, statuses sent) of a front to the session registry that answers the first two
    manifest requests with 503 and passes everything else through."""
    sent: list[int] = []
    failures = [503, 503]

    async def front(request: web.Request) -> web.StreamResponse:
        if "/manifests/" in request.path and failures:
            sent.append(failures.pop(0))
            return web.Response(status=sent[-1])
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        async with (
            aiohttp.ClientSession() as session,
            session.request(
                request.method, f"http://{oci_registry}{request.path_qs}", headers=headers
            ) as upstream,
        ):
            body = await upstream.read()
            sent.append(upstream.status)
            kept = {
                k: v
                for k, v in upstream.headers.items()
                if k.lower() not in ("content-length", "transfer-encoding", "content-encoding")
            }
            return web.Response(status=upstream.status, body=body, headers=kept)

    app = web.Application()
    app.router.add_route("*", "/{path:.*}", front)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = int(runner.addresses[0][1])
    yield f"127.0.0.1:{port}", sent
    await runner.cleanup()


async def test_oci_requests_are_retried_and_proxied(
    flaky_registry: tuple[str, list[int]],
    pushed: dict[str, str],
    proxy: ForwardProxy,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    address, sent = flaky_registry
    plain = RepoAuth(plain_http=True)
    got = await fetch_chart(
        ChartRef(f"oci://{address}/pins", "pinned", "1.1.0"),
        cache=ChartCache(tmp_path / "c1"),
        auth=plain,
        retry=FAST,
    )
    assert (got.version, got.manifest_digest) == ("1.1.0", pushed["1.1.0"])
    assert sent[:3] == [503, 503, 200]

    # A plain-HTTP registry behind HTTP_PROXY, by a name only the proxy can resolve.
    _clear_proxy_env(monkeypatch)
    monkeypatch.setenv("HTTP_PROXY", proxy.url)
    port = address.rpartition(":")[2]
    got = await fetch_chart(
        ChartRef(f"oci://{FAKE_HOST}:{port}/pins", "pinned", digest=pushed["1.0.0"]),
        cache=ChartCache(tmp_path / "c2"),
        auth=plain,
    )
    assert got.version == "1.0.0"
    gets = proxy.targets("GET")
    assert f"http://{FAKE_HOST}:{port}/v2/pins/pinned/manifests/{pushed['1.0.0']}" in gets
    assert any("/blobs/sha256:" in t for t in gets)
