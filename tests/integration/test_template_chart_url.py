"""`steersman template NAME https://HOST/PATH/chart.tgz` next to helm v4.1.4: ChartDownloader's
absolute-URL path. The repositories of repositories.yaml are scanned through their cached
indexes for one listing the URL, whose credentials then apply (`--repo` goes the same way for
the archive it found); one without a cached index stops the scan. Each case: the same exit
code, stdout and stderr."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.testkit.chart_servers import RepoServer, helm, helm_package
from hack.testkit.conformance import CHARTS, template_both

pytestmark = [pytest.mark.integration, pytest.mark.interop]

USER, PASSWORD = "chart-reader", "s3cret-for-tests"
CASES = [
    # (id, arguments, helm's exit code, repositories.yaml to use: none, listed, stale, broken).
    # {open} and {guarded} are the servers' URLs (the guarded one wants basic auth).
    ("archive", ["{open}/a/tiny-0.1.0.tgz"], 0, "none"),
    ("missing", ["{open}/a/gone-0.1.0.tgz"], 1, "none"),
    ("no provenance", ["{open}/a/tiny-0.1.0.tgz", "--verify"], 1, "none"),
    ("not an archive", ["{open}/a/index.yaml"], 1, "none"),
    ("needs credentials", ["{guarded}/a/tiny-0.1.0.tgz"], 1, "none"),
    (
        "flags' credentials",
        ["{guarded}/a/tiny-0.1.0.tgz", "--username", USER, "--password", PASSWORD],
        0,
        "none",
    ),
    ("listed repository's credentials", ["{guarded}/a/tiny-0.1.0.tgz"], 0, "listed"),
    ("repository without a cached index", ["{open}/a/tiny-0.1.0.tgz"], 1, "stale"),
    ("--repo, repository without a cached index", ["tiny", "--repo", "{open}/a"], 1, "stale"),
    ("broken repositories.yaml", ["{open}/a/tiny-0.1.0.tgz"], 1, "broken"),
    ("no path", ["{open}"], 1, "none"),
    ("no getter", ["ftp://127.0.0.1/tiny-0.1.0.tgz"], 1, "none"),
    ("not a URL", ["a%zz/b"], 1, "none"),
]


@pytest.fixture(scope="module")
async def servers(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[RepoServer, RepoServer]]:
    """(open, guarded) servers of one directory: a/tiny-0.1.0.tgz and its index."""
    root = tmp_path_factory.mktemp("chart-url")
    helm_package(helm_v4, helm_home_env, CHARTS / "basic", "0.1.0", root / "a")
    (root / "a" / "basic-0.1.0.tgz").rename(root / "a" / "tiny-0.1.0.tgz")
    open_one = RepoServer(root)
    guarded = RepoServer(root, username=USER, password=PASSWORD)
    for server in (open_one, guarded):
        await server.start()
    await asyncio.to_thread(
        helm, helm_v4, helm_home_env, "repo", "index", str(root / "a"), "--url",
        f"{guarded.url}/a",
    )  # fmt: skip
    yield open_one, guarded
    for server in (open_one, guarded):
        await server.stop()


async def _config(
    kind: str, where: Path, guarded: RepoServer, helm_v4: Path, env: dict[str, str]
) -> list[str]:
    config, cache = where / "repositories.yaml", where / "cache"
    flags = ["--repository-config", str(config), "--repository-cache", str(cache)]
    if kind == "listed":  # helm repo add caches the index that lists the guarded URLs
        await asyncio.to_thread(
            helm, helm_v4, env, "repo", "add", "private", f"{guarded.url}/a",
            "--username", USER, "--password", PASSWORD, *flags,
        )  # fmt: skip
    elif kind == "stale":
        config.write_text("repositories:\n- name: gone\n  url: http://127.0.0.1:1/gone\n")
    elif kind == "broken":
        config.write_text("repositories: [\n")
    return flags


@pytest.mark.parametrize(
    ("args", "code", "config"),
    [(a, c, k) for _, a, c, k in CASES],
    ids=[i for i, *_ in CASES],
)
async def test_chart_urls_are_fetched_as_helm_fetches_them(
    args: list[str],
    code: int,
    config: str,
    servers: tuple[RepoServer, RepoServer],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    open_one, guarded = servers
    flags = await _config(config, tmp_path, guarded, helm_v4, helm_home_env)
    argv = [a.format(open=open_one.url, guarded=guarded.url) for a in args] + flags
    # a content cache of its own: helm would otherwise find an archive there by digest
    argv += ["--content-cache", str(tmp_path / "content")]
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    helm_run, ours = await template_both(helm_v4, ["rel", *argv], env)
    assert helm_run[0] == code, helm_run
    if code:
        assert helm_run[2].startswith("Error: "), helm_run
    else:
        assert "# Source: " in helm_run[1], helm_run
    assert PASSWORD not in ours[2]
    assert ours == helm_run
