"""`steersman template --dependency-update` against helm v4.1.4's: a parent chart whose
dependency is missing from charts/ (file://, an HTTP repository served locally, an OCI registry,
one that cannot be found). Each binary gets its own copy of the chart and the same HELM_* homes;
stdout, stderr, exit code, the archives written to charts/ and Chart.lock (but its `generated`
time) must be the same."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.testkit.chart_servers import RepoServer, helm, helm_package, write_tiny_chart

pytestmark = [pytest.mark.integration, pytest.mark.interop]


def _parent(where: Path, repository: str, version: str = ">=0.1.0", name: str = "sub") -> Path:
    chart = where / "parent"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(
        "apiVersion: v2\nname: parent\nversion: 1.0.0\ndependencies:\n"
        f"- name: {name}\n  version: {version!r}\n  repository: {repository}\n"
    )
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-parent\n"
    )
    return chart


@pytest.fixture(scope="module")
def sub_archives(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    src = write_tiny_chart(tmp_path_factory.mktemp("sub-src"), "sub")
    dest = tmp_path_factory.mktemp("repo")
    for version in ("0.1.0", "0.2.0", "1.0.0"):
        helm_package(helm_v4, helm_home_env, src, version, dest)
    return dest


@pytest.fixture(scope="module")
async def repo(
    sub_archives: Path, helm_v4: Path, helm_home_env: dict[str, str]
) -> AsyncIterator[RepoServer]:
    server = RepoServer(sub_archives)
    await server.start()
    await asyncio.to_thread(
        helm, helm_v4, helm_home_env, "repo", "index", str(sub_archives), "--url", server.url
    )
    yield server
    await server.stop()


def _run_both(
    helm_v4: Path, env: dict[str, str], chart: Path, tmp: Path, *extra: str
) -> dict[str, tuple[int, str, str, list[str], str]]:
    """helm's and steersman's (exit code, stdout, stderr, charts/ listing, Chart.lock)."""
    results = {}
    for who, argv in (
        ("helm", [str(helm_v4)]),
        ("steersman", [sys.executable, "-m", "steersman"]),
    ):
        copy = tmp / who / chart.name
        shutil.copytree(chart, copy)
        res = subprocess.run(
            [*argv, "template", "rel", str(copy), "--dependency-update", *extra],
            capture_output=True,
            text=True,
            env=dict(env, KUBECONFIG=os.devnull),
            timeout=120,
        )
        charts = sorted(os.listdir(copy / "charts")) if (copy / "charts").is_dir() else []
        lock = copy / "Chart.lock"
        lock_text = "".join(
            line
            for line in (lock.read_text().splitlines(keepends=True) if lock.exists() else [])
            if not line.startswith("generated:")
        )
        results[who] = (
            res.returncode,
            res.stdout.replace(str(copy.parent), "WHERE"),
            res.stderr.replace(str(copy.parent), "WHERE"),
            charts,
            lock_text,
        )
    return results


async def test_file_dependency_is_archived_and_rendered_like_helm(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """An archive of a chart Chart.yaml no longer names, left in charts/, is deleted as
    outdated; --show-only applies to the chart rendered after the update."""
    write_tiny_chart(tmp_path, "sub")
    chart = _parent(tmp_path / "src", "file://../../sub", ">=0.0.0")
    old = write_tiny_chart(tmp_path / "old-src", "old")
    await asyncio.to_thread(helm_package, helm_v4, helm_home_env, old, "0.1.0", chart / "charts")
    got = await asyncio.to_thread(
        _run_both, helm_v4, helm_home_env, chart, tmp_path, "--show-only", "templates/cm.yaml"
    )
    assert got["helm"][0] == 0, got["helm"][2]
    assert got["helm"][3] == ["sub-0.0.0.tgz"]
    assert got["helm"][1].startswith("Saving 1 charts\nDeleting outdated charts\n---\n")
    assert "digest: sha256:" in got["helm"][4]
    assert got["steersman"] == got["helm"]


async def test_repository_dependency_resolves_from_the_index_like_helm(
    repo: RepoServer, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """A repository URL helm has no entry for (helm-manager- cache name), then the same one
    added to repositories.yaml (the `Hang tight` update)."""
    chart = _parent(tmp_path / "src", repo.url, "~0.2")
    got = await asyncio.to_thread(_run_both, helm_v4, helm_home_env, chart, tmp_path / "url")
    assert got["helm"][0] == 0, got["helm"][2]
    assert "Getting updates for unmanaged Helm repositories...\n" in got["helm"][1]
    assert got["helm"][3] == ["sub-0.2.0.tgz"]
    assert got["steersman"] == got["helm"]

    config = tmp_path / "repositories.yaml"
    flags = ["--repository-config", str(config), "--repository-cache", str(tmp_path / "cache")]
    await asyncio.to_thread(helm, helm_v4, helm_home_env, "repo", "add", "subs", repo.url, *flags)
    got = await asyncio.to_thread(
        _run_both, helm_v4, helm_home_env, chart, tmp_path / "named", *flags
    )
    assert got["helm"][0] == 0, got["helm"][2]
    assert "Hang tight while we grab the latest" in got["helm"][1]
    assert got["steersman"] == got["helm"]


async def test_oci_dependency_is_pulled_like_helm(
    oci_registry: str,
    sub_archives: Path,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """An exact version, then a constraint resolved from the registry's tags."""
    for version in ("0.1.0", "0.2.0", "1.0.0"):
        await asyncio.to_thread(
            helm,
            helm_v4,
            helm_home_env,
            "push",
            str(sub_archives / f"sub-{version}.tgz"),
            f"oci://{oci_registry}/deps",
            "--plain-http",
        )
    for wanted, archive in (("1.0.0", "sub-1.0.0.tgz"), ("~0.1", "sub-0.1.0.tgz")):
        chart = _parent(tmp_path / wanted / "src", f"oci://{oci_registry}/deps", wanted)
        got = await asyncio.to_thread(
            _run_both, helm_v4, helm_home_env, chart, tmp_path / wanted, "--plain-http"
        )
        assert got["helm"][0] == 0, got["helm"][2]
        assert got["helm"][3] == [archive]
        assert got["steersman"] == got["helm"]


async def test_missing_dependency_fails_with_helms_error(
    repo: RepoServer, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    cases = {
        "no-chart": _parent(tmp_path / "a", repo.url, name="nosuch"),
        "no-version": _parent(tmp_path / "b", repo.url, "~9.0"),
        "no-directory": _parent(tmp_path / "c", "file://../missing"),
        "not-a-url": _parent(tmp_path / "d", "stable"),
        "no-index": _parent(tmp_path / "e", repo.url + "/nowhere"),
        "no-getter": _parent(tmp_path / "f", "foo:bar"),
        # an empty or malformed constraint is refused before any repository is asked
        "empty-version": _parent(tmp_path / "h", repo.url, ""),
        "empty-version-oci": _parent(tmp_path / "i", "oci://127.0.0.1:1/charts", ""),
        "empty-version-local": _parent(tmp_path / "j", "file://../missing", ""),
        "bad-constraint": _parent(tmp_path / "k", repo.url, ">= 1, <"),
    }
    # an index naming an archive the server does not have: the download's error
    broken = tmp_path / "broken-repo"
    broken.mkdir()
    (broken / "index.yaml").write_text(
        "apiVersion: v1\nentries:\n  sub:\n  - name: sub\n    version: 0.1.0\n"
        "    urls: [sub-0.1.0.tgz]\n"
    )
    server = RepoServer(broken)
    await server.start()
    try:
        cases["no-archive"] = _parent(tmp_path / "g", server.url)
        for case, chart in cases.items():
            got = await asyncio.to_thread(
                _run_both, helm_v4, helm_home_env, chart, tmp_path / f"run-{case}"
            )
            assert got["helm"][0] == 1, case
            assert got["helm"][2].startswith("Error: "), case
            assert got["steersman"] == got["helm"], case
    finally:
        await server.stop()


async def test_debug_lines_are_helms(
    repo: RepoServer,
    oci_registry: str,
    sub_archives: Path,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """--debug: helm's DEBUG log lines (stderr) and the extra progress lines (stdout) for a
    file:// dependency, a repository from repositories.yaml, an unmanaged URL and OCI (whose
    registry HTTP trace steersman does not print)."""
    await asyncio.to_thread(
        helm,
        helm_v4,
        helm_home_env,
        "push",
        str(sub_archives / "sub-0.2.0.tgz"),
        f"oci://{oci_registry}/debug",
        "--plain-http",
    )
    write_tiny_chart(tmp_path / "run-file", "sub")
    config = tmp_path / "repositories.yaml"
    flags = ["--repository-config", str(config), "--repository-cache", str(tmp_path / "cache")]
    await asyncio.to_thread(helm, helm_v4, helm_home_env, "repo", "add", "subs", repo.url, *flags)
    cases = {
        "file": (_parent(tmp_path / "file", "file://../../sub", ">=0.0.0"), []),
        "named": (_parent(tmp_path / "named", "alias:subs", "~0.2"), flags),
        "url": (_parent(tmp_path / "url", repo.url, "~0.2"), []),
        "oci": (
            _parent(tmp_path / "oci", f"oci://{oci_registry}/debug", "0.2.0"),
            ["--plain-http"],
        ),
    }
    for case, (chart, extra) in cases.items():
        got = await asyncio.to_thread(
            _run_both, helm_v4, helm_home_env, chart, tmp_path / f"run-{case}", "--debug", *extra
        )
        assert got["helm"][0] == 0, (case, got["helm"][2])
        assert "level=DEBUG" in got["helm"][2], case
        helm_run = got["helm"]
        if case == "oci":  # the registry client's HTTP trace (ids, Date headers) is left out
            trace = re.compile(r"level=DEBUG msg=(GET|HEAD|Res|HEA) id=\d+ ")
            assert trace.search(helm_run[2])
            kept = [line for line in helm_run[2].splitlines(True) if not trace.match(line)]
            helm_run = (helm_run[0], helm_run[1], "".join(kept), *helm_run[3:])
        assert got["steersman"] == helm_run, case


BAD_INDEXES = [
    ("unknown field", "apiVersion: v1\nentries: {}\n'::': 1\n"),
    ("no apiVersion", "entries: {}\n"),
    ("syntax error", "apiVersion: v1\nentries: [\n"),
    ("version a map", "apiVersion: v1\nentries:\n  sub:\n  - version: {a: 1}\n"),
]


@pytest.mark.parametrize("stale", [False, True], ids=["no cache", "stale cache"])
@pytest.mark.parametrize("text", [t for _, t in BAD_INDEXES], ids=[i for i, _ in BAD_INDEXES])
async def test_a_bad_repository_index_fails_the_update_as_helm(
    text: str, stale: bool, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """helm's loadIndex refuses the index (`Unable to get an update`, never cached); then the
    repository's cached index is missing, or is refused in its turn (`error loading PATH`)."""
    import hashlib

    served = tmp_path / "served"
    served.mkdir()
    (served / "index.yaml").write_text(text)
    server = RepoServer(served)
    await server.start()
    try:
        cache = tmp_path / "cache"
        if stale:  # an index an earlier update left for this (unmanaged) repository
            cache.mkdir()
            key = hashlib.sha256(server.url.encode()).hexdigest()
            (cache / f"helm-manager-{key}-index.yaml").write_text(text)
        chart = _parent(tmp_path, server.url, "0.1.0")
        got = await asyncio.to_thread(
            _run_both, helm_v4, helm_home_env, chart, tmp_path, "--repository-cache", str(cache)
        )
    finally:
        await server.stop()
    assert got["helm"][0] == 1 and "Unable to get an update" in got["helm"][1], got["helm"]
    assert got["steersman"] == got["helm"]
