"""`steersman template` with remote charts: an OCI reference (Debian's docker-registry on
loopback, chart pushed by `helm push`) and `--repo` (an HTTP repository served locally, index made
by `helm repo index`). Steersman's output must equal `helm template`'s for the same arguments."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.testkit.chart_servers import RepoServer, helm, helm_package, make_tls_material
from hack.testkit.conformance import CHARTS
from steersman.cli import build_parser
from steersman.commands.template import run_template, template_args_from

pytestmark = [pytest.mark.integration, pytest.mark.interop]

CHART = CHARTS / "subcharts"  # has a subchart two levels deep and globals
VERSION = "0.4.2"


@pytest.fixture(scope="module")
def archive(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return helm_package(helm_v4, helm_home_env, CHART, VERSION, tmp_path_factory.mktemp("repo"))


@pytest.fixture(scope="module")
async def repo(
    archive: Path, helm_v4: Path, helm_home_env: dict[str, str]
) -> AsyncIterator[RepoServer]:
    server = RepoServer(archive.parent)
    await server.start()
    await asyncio.to_thread(
        helm, helm_v4, helm_home_env, "repo", "index", str(archive.parent), "--url", server.url
    )
    yield server
    await server.stop()


def _both(
    helm_v4: Path, env: dict[str, str], args: list[str]
) -> tuple[tuple[int, str, str], tuple[int, str, str]]:
    ours = run_template(template_args_from(build_parser().parse_args(["template", *args])))
    res = subprocess.run(
        [str(helm_v4), "template", *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert res.returncode == 0, res.stderr
    return ours, (res.returncode, res.stdout, res.stderr)


async def test_oci_reference_renders_like_helm(
    oci_registry: str, archive: Path, helm_v4: Path, helm_home_env: dict[str, str]
) -> None:
    await asyncio.to_thread(
        helm,
        helm_v4,
        helm_home_env,
        "push",
        str(archive),
        f"oci://{oci_registry}/charts",
        "--plain-http",
    )
    ref = f"oci://{oci_registry}/charts/subcharts"
    args = ["rel", ref, "--version", VERSION, "--plain-http", "--set", "child.replicas=9"]
    ours, helm_run = await asyncio.to_thread(_both, helm_v4, helm_home_env, args)
    # the registry client's pull report on stderr, as helm's
    assert helm_run[2].startswith(f"Pulled: {oci_registry}/charts/subcharts:{VERSION}\nDigest: ")
    assert ours == helm_run
    assert "replicas: 9" in ours[1]


async def test_repo_flag_renders_like_helm(
    repo: RepoServer, helm_v4: Path, helm_home_env: dict[str, str]
) -> None:
    args = ["rel", "subcharts", "--repo", repo.url, "--version", f"~{VERSION[:3]}"]
    ours, helm_run = await asyncio.to_thread(_both, helm_v4, helm_home_env, args)
    assert ours == helm_run
    assert "falling back to closest available version" in helm_run[2]  # ~0.4 is no exact match
    out = ours[1]
    assert "# Source: subcharts/charts/child/charts/grandchild/templates/cm.yaml" in out


async def test_repo_name_from_repositories_yaml_renders_like_helm(
    repo: RepoServer, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """`repo/chart` resolves through helm's repositories.yaml and the index `helm repo add`
    cached (--repository-config / --repository-cache, or helm's defaults); without a cached
    index both fail with helm's text."""
    import os
    import sys

    config, cache = tmp_path / "repositories.yaml", tmp_path / "cache"
    flags = ["--repository-config", str(config), "--repository-cache", str(cache)]
    await asyncio.to_thread(helm, helm_v4, helm_home_env, "repo", "add", "myrepo", repo.url, *flags)
    env = dict(helm_home_env, KUBECONFIG=os.devnull)

    def both(args: list[str]) -> list[tuple[int, str, str]]:
        return [
            (r.returncode, r.stdout, r.stderr)
            for r in (
                subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
                for argv in (
                    [str(helm_v4), "template", *args],
                    [sys.executable, "-m", "steersman", "template", *args],
                )
            )
        ]

    helm_run, ours = await asyncio.to_thread(
        both, ["rel", "myrepo/subcharts", "--version", VERSION, *flags]
    )
    assert helm_run[0] == 0, helm_run[2]
    assert ours == helm_run
    empty = ["--repository-config", str(config), "--repository-cache", str(tmp_path / "none")]
    helm_run, ours = await asyncio.to_thread(both, ["myrepo/subcharts", *empty])
    assert helm_run[0] == 1
    assert "no cached repo found" in helm_run[2]
    assert ours == helm_run


REPO_FAILURES = [
    # (id, arguments; {repo} is the repository's URL, {closed} a port nothing listens on)
    ("unreachable", ["subcharts", "--repo", "{closed}"]),
    ("no index", ["subcharts", "--repo", "{repo}/nothere/"]),
    ("no such chart", ["nochart", "--repo", "{repo}"]),
    ("no such version", ["subcharts", "--repo", "{repo}", "--version", "9.9.9"]),
    ("bad constraint", ["subcharts", "--repo", "{repo}", "--version", "abc"]),
    ("devel, no match", ["subcharts", "--repo", "{repo}", "--devel", "--version", "1"]),
    ("archive missing", ["subcharts", "--repo", "{repo}/gone/"]),
    ("name: no such chart", ["myrepo/nochart"]),
    ("name: no such version", ["myrepo/subcharts", "--version", "9.9.9"]),
    ("name: bad constraint", ["myrepo/subcharts", "--version", "abc"]),
    ("name: archive missing", ["gone/subcharts"]),
]


@pytest.mark.parametrize("args", [a for _, a in REPO_FAILURES], ids=[i for i, _ in REPO_FAILURES])
async def test_repository_failures_are_helms(
    args: list[str],
    repo: RepoServer,
    archive: Path,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """Each failure of an HTTP repository's chart: the same exit code, stdout and stderr."""
    import os
    import sys

    from hack.testenv.parts import free_port

    gone = archive.parent / "gone"
    if not gone.exists():  # an index naming an archive the repository does not have
        gone.mkdir()
        index = (archive.parent / "index.yaml").read_text()
        (gone / "index.yaml").write_text(index.replace(archive.name, "gone/" + archive.name))
    config, cache = tmp_path / "repositories.yaml", tmp_path / "cache"
    flags = ["--repository-config", str(config), "--repository-cache", str(cache)]
    for name, url in (("myrepo", repo.url), ("gone", f"{repo.url}/gone")):
        await asyncio.to_thread(helm, helm_v4, helm_home_env, "repo", "add", name, url, *flags)
    # A fresh content cache: helm would otherwise find the missing archive there by digest.
    flags += ["--content-cache", str(tmp_path / "content")]
    closed = f"http://127.0.0.1:{free_port()}"
    argv = [a.format(repo=repo.url, closed=closed) for a in args] + flags
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    # In threads: the repository is served by this test's event loop.
    runs = [
        await asyncio.to_thread(
            subprocess.run, cmd, capture_output=True, text=True, env=env, timeout=120
        )
        for cmd in (
            [str(helm_v4), "template", "rel", *argv],
            [sys.executable, "-m", "steersman", "template", "rel", *argv],
        )
    ]
    helm_run, ours = [(r.returncode, r.stdout, r.stderr) for r in runs]
    assert helm_run[0] == 1 and helm_run[2].startswith("Error: "), helm_run
    assert ours == helm_run


def _helm_and_ours(argv: list[str], env: dict[str, str]) -> list[tuple[int, str, str]]:
    import sys

    runs = (
        subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        for cmd in (
            [str(env["STEERSMAN_TEST_HELM"]), "template", "rel", *argv],
            [sys.executable, "-m", "steersman", "template", "rel", *argv],
        )
    )
    return [(r.returncode, r.stdout, r.stderr) for r in runs]


@pytest.fixture(scope="module")
async def untrusted_repo(
    archive: Path, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[RepoServer]:
    """The repository over HTTPS with a certificate of a CA that neither helm nor we are given."""
    tls = make_tls_material()
    server = RepoServer(
        archive.parent, ssl_context=tls.server_context(tmp_path_factory.mktemp("t"))
    )
    await server.start()
    yield server
    await server.stop()


NETWORK_FAILURES = [
    # (id, --repo URL); {repo}: the repository's host:port, {tls}: the untrusted one's
    ("no such host", "http://nonexistent.invalid"),
    ("no such host, https and a port", "https://nonexistent.invalid:8443/charts"),
    ("unknown authority", "https://{tls}"),
    ("http answers https", "https://{repo}"),
]


@pytest.mark.parametrize(
    "url", [u for _, u in NETWORK_FAILURES], ids=[i for i, _ in NETWORK_FAILURES]
)
async def test_unreachable_repositories_fail_as_helm(
    url: str,
    repo: RepoServer,
    untrusted_repo: RepoServer,
    helm_v4: Path,
    helm_home_env: dict[str, str],
) -> None:
    """Go's words for a name that does not resolve and for TLS failures, as helm prints them."""
    import os

    hosts = {"repo": repo.url.removeprefix("http://"), "tls": untrusted_repo.url[8:]}
    argv = ["subcharts", "--repo", url.format(**hosts)]
    env = dict(helm_home_env, KUBECONFIG=os.devnull, STEERSMAN_TEST_HELM=str(helm_v4))
    helm_run, ours = await asyncio.to_thread(_helm_and_ours, argv, env)
    assert helm_run[0] == 1 and helm_run[2].startswith("Error: looks like"), helm_run
    assert ours == helm_run


BAD_INDEXES = [
    # (id, index.yaml); each refused by helm's loadIndex, or loaded where helm loads it
    ("empty", ""),
    ("blank", "  \n"),
    ("no apiVersion", "entries: {}\n"),
    ("apiVersion in capitals", "APIVERSION: v1\nentries: {}\n"),
    ("unknown field", "apiVersion: v1\nentries: {}\n'::': 1\n"),
    ("syntax error", "apiVersion: v1\nentries: [\n"),
    ("tab", "apiVersion: v1\n\tentries: {}\n"),
    ("a list", "- a\n- b\n"),
    ("a string", "hello\n"),
    ("duplicate keys", "apiVersion: v1\nentries:\n  a: []\n  a: []\nx: 1\nx: 2\n"),
    ("entries a string", "apiVersion: v1\nentries: foo\n"),
    ("versions a string", "apiVersion: v1\nentries:\n  subcharts: foo\n"),
    ("version a map", "apiVersion: v1\nentries:\n  subcharts:\n  - version: {a: 1}\n"),
    ("version a number", "apiVersion: 1\nentries:\n  subcharts:\n  - version: 1.0\n"),
    ("unknown entry field", "apiVersion: v1\nentries:\n  subcharts:\n  - bogus: 1\n"),
    ("maintainer", "apiVersion: v1\nentries:\n  subcharts:\n  - maintainers:\n    - name: 5\n"),
    ("deprecated", "apiVersion: v1\nentries:\n  subcharts:\n  - deprecated: maybe\n"),
    ("bad time", "apiVersion: v1\nentries: {}\ngenerated: notatime\n"),
    ("a date", "apiVersion: v1\nentries:\n  subcharts:\n  - created: 2020-01-01\n"),
    ("time a number", "apiVersion: v1\nentries: {}\ngenerated: 5\n"),
    (
        "digest a number",
        "apiVersion: v1\nentries:\n  subcharts:\n  - name: subcharts\n    version: 1.0.0\n"
        "    digest: 1\n",
    ),
    ("json, unknown field", '{"apiVersion": "v1", "entries": {}, "bogus": 2}'),
    ("json, wrong type", '{"apiVersion": 1, "entries": {}}'),
    ("json, no apiVersion", '{"entries": {}}'),
]


@pytest.mark.parametrize("text", [t for _, t in BAD_INDEXES], ids=[i for i, _ in BAD_INDEXES])
async def test_bad_indexes_fail_as_helm(
    text: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """sigs.k8s.io/yaml's strict decoding of repo.IndexFile (or encoding/json's for a JSON
    index), in helm's words."""
    import os

    (tmp_path / "index.yaml").write_text(text)
    server = RepoServer(tmp_path)
    await server.start()
    try:
        env = dict(helm_home_env, KUBECONFIG=os.devnull, STEERSMAN_TEST_HELM=str(helm_v4))
        argv = ["subcharts", "--repo", server.url, "--repository-cache", str(tmp_path / "c")]
        helm_run, ours = await asyncio.to_thread(_helm_and_ours, argv, env)
    finally:
        await server.stop()
    assert helm_run[0] == 1 and helm_run[2].startswith("Error: "), helm_run
    assert ours == helm_run


@pytest.mark.parametrize(
    "text", [t for _, t in BAD_INDEXES[:8]], ids=[i for i, _ in BAD_INDEXES[:8]]
)
async def test_a_bad_cached_index_fails_as_helm(
    text: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """`repo/name` with the index `helm repo update` cached refused: `no cached repo found.
    (try 'helm repo update'): error loading PATH: ...`."""
    import os

    config, cache = tmp_path / "repositories.yaml", tmp_path / "cache"
    config.write_text("apiVersion: v1\nrepositories:\n- name: bad\n  url: http://127.0.0.1:9\n")
    cache.mkdir()
    (cache / "bad-index.yaml").write_text(text)
    env = dict(helm_home_env, KUBECONFIG=os.devnull, STEERSMAN_TEST_HELM=str(helm_v4))
    argv = ["bad/subcharts", "--repository-config", str(config), "--repository-cache", str(cache)]
    helm_run, ours = await asyncio.to_thread(_helm_and_ours, argv, env)
    assert helm_run[0] == 1 and helm_run[2].startswith("Error: "), helm_run
    assert ours == helm_run
