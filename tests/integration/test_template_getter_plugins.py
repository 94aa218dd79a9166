"""`steersman template` with helm v4 getter plugins in $HELM_PLUGINS, next to helm v4.1.4: a
legacy plugin.yaml with `downloaders` and `type: getter/v1` ones serve chart URLs and
-f/--set-file sources for their schemes (here a shell script reading files below a local
directory), and fail (non-zero exit with stderr, a missing command, a scheme listed without a
protocol command) as helm reports it; --repo and repositories.yaml repositories with such a
scheme get their index and archive through the plugin. Each case: the same exit code, stdout
and stderr."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hack.testkit.chart_servers import helm, helm_package, make_tls_material
from hack.testkit.conformance import CHARTS, template_both

pytestmark = [pytest.mark.integration, pytest.mark.interop]

PASSWORD = "s3cret-for-getters"

# Serves SCHEME://HOST/PATH from $TST_ROOT/PATH (the URL is the last argument); `fail` in a
# URL fails with a message, `show` prints what the plugin was given instead.
FETCH = """#!/bin/sh
for url; do :; done
case "$url" in
  *fail*) echo "cannot fetch $url" >&2; exit 3;;
  *show*)
    pw=unset; [ -n "$HELM_PLUGIN_PASSWORD" ] && pw=set
    echo "args: $*" >&2
    echo "user=$HELM_PLUGIN_USERNAME password=$pw all=$HELM_PLUGIN_PASS_CREDENTIALS_ALL" >&2
    echo "name=$HELM_PLUGIN_NAME dir=$HELM_PLUGIN_DIR ns=$HELM_NAMESPACE" >&2
    echo "debug=$HELM_DEBUG plugins=$HELM_PLUGINS" >&2
    exit 1;;
esac
exec cat "$TST_ROOT/${url#*://*/}"
"""

LEGACY = """name: tst-legacy
version: 0.1.0
usage: fetch tst:// URLs
downloaders:
- command: fetch.sh
  protocols: [tst]
- command: "$HELM_PLUGIN_DIR/fetch.sh"
  protocols: [tsa]
"""

V1 = """apiVersion: v1
name: tst-v1
type: getter/v1
runtime: subprocess
version: 0.2.0
config:
  protocols: [tsv, tse, nocmd]
runtimeConfig:
  protocolCommands:
  - protocols: [tsv]
    platformCommand:
    - command: fetch.sh
  - protocols: [tse]
    platformCommand:
    - os: plan9
      command: never.sh
    - command: fetch.sh --name=$HELM_PLUGIN_NAME
      args: ["$HELM_NAMESPACE"]
"""

MISSING = """apiVersion: v1
name: tst-missing
type: getter/v1
runtime: subprocess
version: 1.0.0
config:
  protocols: [tsm]
runtimeConfig:
  protocolCommands:
  - protocols: [tsm]
    platformCommand:
    - command: gone.sh
"""

TLS_AND_CREDENTIALS = [
    "--ca-file", "{tls}/ca.pem", "--cert-file", "{tls}/c.pem", "--key-file", "{tls}/k.pem",
    "--username", "reader", "--password", PASSWORD, "--pass-credentials", "-n", "space",
]  # fmt: skip

CASES = [
    # (id, arguments after the release name, helm's exit code); {chart} is a local chart
    ("legacy plugin's archive", ["tst://files/tiny-0.1.0.tgz"], 0),
    ("getter/v1 plugin's archive", ["tsv://files/tiny-0.1.0.tgz"], 0),
    ("scheme in capitals", ["TSV://files/tiny-0.1.0.tgz"], 0),
    ("plugin fails", ["tst://files/fail.tgz"], 1),
    ("file not there", ["tsv://files/gone-0.1.0.tgz"], 1),
    ("not an archive", ["tst://files/values.yaml"], 1),
    ("no protocol command", ["nocmd://files/tiny-0.1.0.tgz"], 1),
    ("command missing", ["tsm://files/tiny-0.1.0.tgz"], 1),
    ("absolute command", ["tsa://files/tiny-0.1.0.tgz"], 1),
    ("options handed on", ["tse://files/show.tgz", *TLS_AND_CREDENTIALS], 1),
    ("no getter", ["zzz://files/tiny-0.1.0.tgz"], 1),
    ("-f from a plugin", ["{chart}", "-f", "tst://files/values.yaml"], 0),
    ("-f from a getter/v1 plugin", ["{chart}", "-f", "tsv://files/values.yaml"], 0),
    ("--set-file from a plugin", ["{chart}", "--set-file", "labels.note=tsv://files/note.txt"], 0),
    ("-f, plugin fails", ["{chart}", "-f", "tsv://files/fail.yaml"], 1),
    ("-f, no protocol command", ["{chart}", "-f", "nocmd://files/values.yaml"], 1),
    ("-f, command missing", ["{chart}", "-f", "tsm://files/values.yaml"], 1),
    ("-f, options not handed on", ["{chart}", "-f", "tse://files/show.yaml", "-n", "ns"], 1),
    ("-f, no getter: a local file", ["{chart}", "-f", "zzz://files/values.yaml"], 1),
    # the repositories of repositories.yaml ($HELM_REPOSITORY_CONFIG: `tstrepo`, tst://files,
    # added with `helm repo add`) and --repo, their index and archive through the plugin
    ("--repo", ["basic", "--repo", "tst://files"], 0),
    ("--repo, getter/v1 plugin", ["basic", "--repo", "tsv://files", "--version", "0.1.0"], 0),
    ("--repo, version not there", ["basic", "--repo", "tst://files", "--version", "9.9.9"], 1),
    ("--repo, index fails", ["basic", "--repo", "tst://files/fail"], 1),
    ("--repo, no protocol command", ["basic", "--repo", "nocmd://files"], 1),
    ("--repo, no provenance", ["basic", "--repo", "tst://files", "--verify"], 1),
    ("repo/chart", ["tstrepo/basic"], 0),
    ("repo/chart, version not there", ["tstrepo/basic", "--version", "2.0.0"], 1),
    ("archive listed by the repository", ["tst://files/tiny-0.1.0.tgz", "-n", "x"], 0),
    ("repository without a cached index", ["tst://files/tiny-0.1.0.tgz", "{stale}"], 1),
]


@pytest.fixture(scope="module")
def plugin_env(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """helm's environment with $HELM_PLUGINS holding the three plugins, $TST_ROOT the files
    they serve (tiny-0.1.0.tgz, its index.yaml, values.yaml, note.txt), $TST_TLS TLS files
    for the flags (helm reads them before it runs the plugin), a repositories.yaml with the
    files as `tstrepo` and $TST_STALE one whose repository has no cached index."""
    root = tmp_path_factory.mktemp("getter-plugins")
    files = root / "files"
    helm_package(helm_v4, helm_home_env, CHARTS / "basic", "0.1.0", files)
    (files / "basic-0.1.0.tgz").rename(files / "tiny-0.1.0.tgz")
    (files / "values.yaml").write_text("replicaCount: 7\n")
    (files / "note.txt").write_text("from-a-plugin")
    tls, material = root / "tls", make_tls_material()
    tls.mkdir()
    (tls / "ca.pem").write_bytes(material.ca_pem)
    (tls / "c.pem").write_bytes(material.client_cert_pem)
    (tls / "k.pem").write_bytes(material.client_key_pem)
    for name, meta in (("legacy", LEGACY), ("v1", V1), ("missing", MISSING)):
        directory = root / "plugins" / name
        directory.mkdir(parents=True)
        (directory / "plugin.yaml").write_text(meta)
        if name != "missing":
            (directory / "fetch.sh").write_text(FETCH)
            (directory / "fetch.sh").chmod(0o755)
    env = dict(
        helm_home_env,
        HELM_PLUGINS=str(root / "plugins"),
        HELM_REPOSITORY_CONFIG=str(root / "repositories.yaml"),
        HELM_REPOSITORY_CACHE=str(root / "cache"),
        TST_ROOT=str(files),
        TST_TLS=str(tls),
        TST_STALE=str(root / "stale.yaml"),
        KUBECONFIG=os.devnull,
    )
    helm(helm_v4, env, "repo", "index", str(files), "--url", "tst://files")
    helm(helm_v4, env, "repo", "add", "tstrepo", "tst://files")
    (root / "stale.yaml").write_text("repositories:\n- name: gone\n  url: tst://files/gone\n")
    return env


@pytest.mark.parametrize(
    ("args", "code"), [(a, c) for _, a, c in CASES], ids=[i for i, *_ in CASES]
)
async def test_getter_plugins_fetch_as_helm_runs_them(
    args: list[str], code: int, plugin_env: dict[str, str], helm_v4: Path, tmp_path: Path
) -> None:
    stale = f"--repository-config={plugin_env['TST_STALE']}"
    argv = [a.format(chart=CHARTS / "basic", tls=plugin_env["TST_TLS"], stale=stale) for a in args]
    # a content cache of its own: helm would otherwise find an archive there by digest
    argv += ["--content-cache", str(tmp_path / "content")]
    helm_run, ours = await template_both(helm_v4, ["rel", *argv], plugin_env)
    assert helm_run[0] == code, helm_run
    if code:
        assert helm_run[2].startswith(("Error: ", "cannot fetch", "args: ", "cat: ")), helm_run
        assert "Error: " in helm_run[2], helm_run
    else:
        assert "# Source: " in helm_run[1], helm_run
    if "values.yaml" in args[-1] and code == 0:
        assert 'replicas: "7"' in helm_run[1], helm_run
    if any("show" in a for a in args):  # the plugin ran and printed what it was given
        assert "\nname=tst-v1 dir=" in helm_run[2], helm_run
    if "note.txt" in args[-1]:
        assert "from-a-plugin" in helm_run[1], helm_run
    assert PASSWORD not in ours[2]
    assert ours == helm_run


DEPENDENCY_CASES = [
    # (id, the dependency's repository, helm's exit code)
    ("repository URL", "tst://files", 0),
    ("repository by name", "'@tstrepo'", 0),
    ("no protocol command", "nocmd://files", 1),
    ("index fails", "tst://files/fail", 1),
]


@pytest.mark.parametrize(
    ("repository", "code"),
    [(r, c) for _, r, c in DEPENDENCY_CASES],
    ids=[i for i, *_ in DEPENDENCY_CASES],
)
def test_dependency_update_fetches_through_plugins_as_helm(
    repository: str, code: int, plugin_env: dict[str, str], helm_v4: Path, tmp_path: Path
) -> None:
    """--dependency-update: the repository's index and the dependency's archive through the
    plugin; each tool on its own copy of the chart (it writes charts/ and Chart.lock)."""
    results = []
    for who, argv in (("helm", [str(helm_v4)]), ("steersman", [sys.executable, "-m", "steersman"])):
        chart = tmp_path / who / "parent"
        shutil.copytree(CHARTS / "basic", chart)
        with (chart / "Chart.yaml").open("a") as f:
            f.write(f"dependencies:\n- name: basic\n  version: 0.1.0\n  repository: {repository}\n")
        done = subprocess.run(
            [*argv, "template", "rel", str(chart), "--dependency-update"],
            capture_output=True,
            text=True,
            env=plugin_env,
            timeout=120,
        )
        charts = sorted(os.listdir(chart / "charts")) if (chart / "charts").is_dir() else []
        where = str(chart.parent)
        results.append(
            (
                done.returncode,
                done.stdout.replace(where, "W"),
                done.stderr.replace(where, "W"),
                charts,
            )
        )
    helm_run, ours = results
    assert helm_run[0] == code, helm_run
    if code == 0:
        assert helm_run[3] == ["tiny-0.1.0.tgz"] and "# Source: basic/charts/" in helm_run[1]
    else:
        assert "Error: " in helm_run[2], helm_run
    assert ours == helm_run
