"""OCI registries: Debian's docker-registry on loopback, charts pushed with `helm push`; every
resolution is checked against `helm pull` from the same registry. Auth variants run protected
registries over the storage of an open one, with htpasswd basic auth or a token service."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from pathlib import Path

import bcrypt
import pytest

from hack.testenv import OciRegistry, RegistryTokenAuth
from hack.testkit.chart_servers import (
    VERSIONS,
    TlsMaterial,
    TokenServer,
    chart_version,
    helm,
    helm_package,
    helm_pull,
    make_tls_material,
    mutual_tls_registries,
    write_tiny_chart,
)
from steersman.chart.sources import (
    AuthFailed,
    ChartCache,
    ChartNotFound,
    ChartRef,
    DigestMismatch,
    InvalidReference,
    RegistryClient,
    RepoAuth,
    SourceUnavailable,
    fetch_chart,
)
from steersman.chart.sources.transport import client_timeout, new_session

pytestmark = [pytest.mark.integration, pytest.mark.interop]

USER, PASSWORD = "ociuser", "0ci-Pa55word"
PLAIN = RepoAuth(plain_http=True)
# A path of our own: other suites push their own `demo` charts to the session registry.
REPO = "sources-test/charts"


@dataclass(frozen=True)
class Pushed:
    address: str
    archives: dict[str, bytes]  # version -> .tgz bytes as packaged
    manifests: dict[str, str]  # version -> manifest digest reported by helm push

    def url(self, suffix: str = "") -> str:
        return f"oci://{self.address}/{REPO}/demo{suffix}"


@pytest.fixture(scope="module")
def archives(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    work = tmp_path_factory.mktemp("oci-src")
    demo = write_tiny_chart(work, "demo")
    return {v: helm_package(helm_v4, helm_home_env, demo, v, work / "out") for v in VERSIONS}


def push_all(
    helm_v4: Path, helm_home_env: dict[str, str], address: str, archives: dict[str, Path]
) -> Pushed:
    manifests = {}
    for version, tgz in archives.items():
        out = helm(
            helm_v4, helm_home_env, "push", str(tgz), f"oci://{address}/{REPO}", "--plain-http"
        )
        match = re.search(r"Digest: (sha256:[0-9a-f]{64})", out)
        assert match, out
        manifests[version] = match.group(1)
    data = {v: p.read_bytes() for v, p in archives.items()}
    return Pushed(address, data, manifests)


@pytest.fixture(scope="module")
def pushed(
    oci_registry: str, helm_v4: Path, helm_home_env: dict[str, str], archives: dict[str, Path]
) -> Pushed:
    return push_all(helm_v4, helm_home_env, oci_registry, archives)


@pytest.fixture
def cache(tmp_path: Path) -> ChartCache:
    return ChartCache(tmp_path / "cache", max_bytes=16 << 20)


CONSTRAINTS = [
    "",
    "*",
    "^1.0",
    "~1.0",
    "1.0.x",
    ">=1.0.0, <1.1.0",
    "<1.0.0",
    "1.0.1",
    "1.1.1+build.7",
    "1.2.0-rc.1",
    ">=1.2.0-0",
    "~1.1 || ^2.0.0-0",
    "!=1.1.1",
]


@pytest.mark.parametrize("constraint", CONSTRAINTS)
async def test_resolves_tags_like_helm_pull(
    constraint: str,
    pushed: Pushed,
    cache: ChartCache,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    got = await fetch_chart(ChartRef(pushed.url(), version=constraint), cache=cache, auth=PLAIN)
    args = [pushed.url(), "--plain-http"] + (["--version", constraint] if constraint else [])
    helm_version, helm_bytes = await helm_pull(helm_v4, helm_home_env, tmp_path / "p", *args)
    assert got.version == helm_version == chart_version(got.data)
    assert got.data == helm_bytes == pushed.archives[got.version]
    assert got.digest == "sha256:" + hashlib.sha256(got.data).hexdigest()
    assert got.manifest_digest == pushed.manifests[got.version]


async def test_devel_and_chart_name_appended_to_the_url(pushed: Pushed, cache: ChartCache) -> None:
    devel = await fetch_chart(ChartRef(pushed.url(), devel=True), cache=cache, auth=PLAIN)
    assert devel.version == "2.0.0-alpha.1"
    joined = ChartRef(f"oci://{pushed.address}/{REPO}", "demo", "1.0.0")
    assert (await fetch_chart(joined, cache=cache, auth=PLAIN)).version == "1.0.0"
    tagged = await fetch_chart(ChartRef(pushed.url(":1.1.1_build.7")), cache=cache, auth=PLAIN)
    assert tagged.version == "1.1.1+build.7"


async def test_exact_but_partial_version_is_a_tag_like_helm(
    pushed: Pushed, cache: ChartCache, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    # Helm treats anything NewVersion accepts ("1.0") as a literal tag, not a constraint.
    with pytest.raises(ChartNotFound, match=r":1\.0: not found"):
        await fetch_chart(ChartRef(pushed.url(), version="1.0"), cache=cache, auth=PLAIN)
    with pytest.raises(AssertionError, match="not found"):
        await helm_pull(
            helm_v4, helm_home_env, tmp_path / "p", pushed.url(), "--version", "1.0", "--plain-http"
        )


async def test_digest_pinning(
    pushed: Pushed, cache: ChartCache, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    pin = pushed.manifests["1.0.1"]
    by_ref = await fetch_chart(ChartRef(pushed.url(f"@{pin}")), cache=cache, auth=PLAIN)
    by_version = await fetch_chart(ChartRef(pushed.url(), version=pin), cache=cache, auth=PLAIN)
    with_tag = await fetch_chart(ChartRef(pushed.url(f":1.0.1@{pin}")), cache=cache, auth=PLAIN)
    for got in (by_ref, by_version, with_tag):
        assert (got.version, got.manifest_digest) == ("1.0.1", pin)
        assert got.data == pushed.archives["1.0.1"]
    helm_version, helm_bytes = await helm_pull(
        helm_v4, helm_home_env, tmp_path / "p", pushed.url(f"@{pin}"), "--plain-http"
    )
    assert (helm_version, helm_bytes) == ("1.0.1", by_ref.data)

    with pytest.raises(DigestMismatch, match="digest mismatch"):
        await fetch_chart(ChartRef(pushed.url(f":1.1.0@{pin}")), cache=cache, auth=PLAIN)
    unknown = "sha256:" + hashlib.sha256(b"no such manifest").hexdigest()
    with pytest.raises(ChartNotFound):
        await fetch_chart(ChartRef(pushed.url(f"@{unknown}")), cache=cache, auth=PLAIN)


async def test_not_found_and_bad_references(pushed: Pushed, cache: ChartCache) -> None:
    missing_repo = ChartRef(f"oci://{pushed.address}/{REPO}/nope")
    with pytest.raises(ChartNotFound, match="not found"):
        await fetch_chart(missing_repo, cache=cache, auth=PLAIN)
    with pytest.raises(ChartNotFound) as err:
        await fetch_chart(ChartRef(pushed.url(), version="^5"), cache=cache, auth=PLAIN)
    assert "available: 2.0.0-alpha.1, 1.2.0-rc.1, 1.1.1+build.7, 1.1.0" in str(err.value)
    with pytest.raises(ChartNotFound):
        await fetch_chart(ChartRef(pushed.url(), version="9.9.9"), cache=cache, auth=PLAIN)
    with pytest.raises(InvalidReference, match="version mismatch"):
        await fetch_chart(ChartRef(pushed.url(":1.0.0"), version="1.0.1"), cache=cache)
    with pytest.raises(InvalidReference):
        await fetch_chart(ChartRef(f"oci://{pushed.address}/Charts/UPPER"), cache=cache)


async def test_tag_list_pagination(pushed: Pushed) -> None:
    async with new_session() as session:
        client = RegistryClient(
            session, pushed.address, auth=PLAIN, ssl_ctx=True, timeout=client_timeout(30)
        )
        whole = await client.list_tags(f"{REPO}/demo")
        paged = await client.list_tags(f"{REPO}/demo", page_size=2)
    expected = {v.replace("+", "_") for v in VERSIONS}
    assert set(whole) == set(paged) == expected
    assert len(paged) == len(VERSIONS)  # pages of two, joined without loss or repeats


async def test_plain_http_only_when_asked(pushed: Pushed, cache: ChartCache) -> None:
    with pytest.raises(SourceUnavailable):
        await fetch_chart(ChartRef(pushed.url(), version="1.0.0"), cache=cache)


async def test_blob_cache_and_concurrent_pulls(pushed: Pushed, cache: ChartCache) -> None:
    refs = [ChartRef(pushed.url(), version="~1.0")] * 6
    results = await asyncio.gather(*(fetch_chart(r, cache=cache, auth=PLAIN) for r in refs))
    assert {r.version for r in results} == {"1.0.1"}
    assert sum(not r.from_cache for r in results) == 1  # one download, the rest waited for it
    again = await fetch_chart(refs[0], cache=cache, auth=PLAIN)
    assert again.from_cache and again.data == pushed.archives["1.0.1"]


# -- protected registries over the same storage --


@dataclass
class Protected:
    basic: str  # address of the htpasswd registry
    token: str  # address of the token-auth registry
    token_server: TokenServer


@pytest.fixture(scope="module")
async def protected(
    helm_v4: Path,
    helm_home_env: dict[str, str],
    archives: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[Protected]:
    root = tmp_path_factory.mktemp("protected")
    storage = root / "storage"
    htpasswd = root / "htpasswd"
    hashed = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    htpasswd.write_text(f"{USER}:{hashed}\n")
    tokens = TokenServer(workdir=root / "token", users={USER: PASSWORD})
    await tokens.start()
    token_auth = RegistryTokenAuth(tokens.realm, tokens.service, tokens.issuer, tokens.bundle)
    registries = [
        OciRegistry(root / "open", storage=storage),
        OciRegistry(root / "basic", storage=storage, htpasswd=htpasswd),
        OciRegistry(root / "token", storage=storage, token=token_auth),
    ]
    try:
        for registry in registries:
            await asyncio.to_thread(registry.start)
        await asyncio.to_thread(push_all, helm_v4, helm_home_env, registries[0].address, archives)
        yield Protected(registries[1].address, registries[2].address, tokens)
    finally:
        for registry in registries:
            await asyncio.to_thread(registry.stop)
        await tokens.stop()


@pytest.mark.parametrize("kind", ["basic", "token"])
async def test_registry_auth(
    kind: str,
    protected: Protected,
    archives: dict[str, Path],
    cache: ChartCache,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    address = protected.basic if kind == "basic" else protected.token
    ref = ChartRef(f"oci://{address}/{REPO}/demo", version="^1.0")
    with pytest.raises(AuthFailed) as anonymous:
        await fetch_chart(ref, cache=cache, auth=PLAIN)
    wrong = RepoAuth(USER, "not-" + PASSWORD, plain_http=True)
    with pytest.raises(AuthFailed) as rejected:
        await fetch_chart(ref, cache=cache, auth=wrong)
    for err in (anonymous, rejected):
        assert PASSWORD not in str(err.value)
    got = await fetch_chart(ref, cache=cache, auth=RepoAuth(USER, PASSWORD, plain_http=True))
    assert got.version == "1.1.1+build.7"
    assert got.data == archives["1.1.1+build.7"].read_bytes()
    helm_version, helm_bytes = await helm_pull(
        helm_v4, helm_home_env, tmp_path / "p", ref.url, "--version", "^1.0", "--plain-http",
        "--username", USER, "--password", PASSWORD,
    )  # fmt: skip
    assert (helm_version, helm_bytes) == (got.version, got.data)
    if kind == "token":
        assert (USER, f"repository:{REPO}/demo:pull") in protected.token_server.issued


# -- caches never cross identities (issue 11 point 2) --


@pytest.fixture(scope="module")
async def mutual_tls_registry(
    helm_v4: Path,
    helm_home_env: dict[str, str],
    archives: dict[str, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[tuple[str, TlsMaterial]]:
    """A registry over HTTPS with a private CA, demanding a client certificate and basic auth,
    serving the storage of an open registry the charts are pushed into."""
    tls = make_tls_material()
    root = tmp_path_factory.mktemp("mtls")
    async with mutual_tls_registries(root, tls, {USER: PASSWORD}) as (open_one, guarded):
        await asyncio.to_thread(push_all, helm_v4, helm_home_env, open_one.address, archives)
        yield guarded.address, tls


async def test_caches_never_lend_a_chart_to_another_identity(
    mutual_tls_registry: tuple[str, TlsMaterial], archives: dict[str, Path], tmp_path: Path
) -> None:
    address, tls = mutual_tls_registry
    full = RepoAuth(
        USER, PASSWORD, ca_pem=tls.ca_pem, cert_pem=tls.client_cert_pem, key_pem=tls.client_key_pem
    )
    lacking = {
        "no client certificate": replace(full, cert_pem=None, key_pem=None),
        "no CA": replace(full, ca_pem=None),
        "no password": replace(full, username="", password=""),
        "a wrong password": replace(full, password="not-" + PASSWORD),
    }
    cache = ChartCache(tmp_path / "shared")
    ref = ChartRef(f"oci://{address}/{REPO}/demo", version="1.0.1")
    got = await fetch_chart(ref, cache=cache, auth=full)
    assert got.data == archives["1.0.1"].read_bytes()
    assert (await fetch_chart(ref, cache=cache, auth=full)).from_cache
    for what, auth in lacking.items():
        with pytest.raises((SourceUnavailable, AuthFailed)) as failed:
            await fetch_chart(ref, cache=cache, auth=auth)
        assert PASSWORD not in str(failed.value), what
        if "password" in what:
            assert isinstance(failed.value, AuthFailed), what
        else:
            assert "TLS" in str(failed.value) or "certificate" in str(failed.value), what
