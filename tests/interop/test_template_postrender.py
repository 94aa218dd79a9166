"""`steersman template --post-renderer NAME` next to the real `helm template` (v4.1.4): small
`postrenderer/v1` plugins (shell scripts written here) in a $HELM_PLUGINS directory, run by both.
Same exit code, stdout and stderr, and the plugin sees the same stdin and arguments."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

PLUGIN_YAML = """\
apiVersion: v1
name: {name}
type: postrenderer/v1
runtime: subprocess
version: 0.1.0
runtimeConfig:
  platformCommand:
    - os: windows
      command: never-run.exe
    - command: ${{HELM_PLUGIN_DIR}}/run.sh --from-plugin-yaml
"""

PLUGINS = {
    # records what it was given, passes the stream through
    "record": 'printf \'%s\\n\' "$@" > "$PR_LOG.args"\ntee "$PR_LOG.stdin"\n',
    # edits a document and adds one of its own (no file-name annotation)
    "patch": (
        "sed -e 's/  name: plain$/  name: patched/'\n"
        "printf -- '---\\napiVersion: v1\\nkind: Namespace\\nmetadata:\\n  name: extra\\n'\n"
    ),
    "fail": "cat >/dev/null\necho 'plugin trouble' >&2\nexit 3\n",
    "empty": "cat >/dev/null\necho\n",
}

TEMPLATES = {
    "plain.yaml": (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: plain\n"
        "  labels: {a: \"1\", b: 'two'}\n"
        'data:\n  text: |\n    line one\n    line two\n  quoted: "x"\n'
        "  long: " + "word " * 30 + "end\n"
    ),
    "two.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: svc\n  annotations:\n    k: v\n"
        "spec:\n  ports:\n    - port: 80\n      name: http\n---apiVersion: v1\n"
        "kind: Secret\nmetadata: {name: glued}\n"
    ),
    "hook.yaml": (
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: hook\n  annotations:\n"
        '    "helm.sh/hook": test\nspec: {}\n'
    ),
    "_helpers.tpl": '{{ define "x" }}x{{ end }}\n',
    "empty.yaml": "{{/* nothing */}}\n",
}


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("postrender")
    for name, body in PLUGINS.items():
        plugin = root / "plugins" / name
        plugin.mkdir(parents=True)
        (plugin / "plugin.yaml").write_text(PLUGIN_YAML.format(name=name))
        (plugin / "run.sh").write_text("#!/bin/sh\n" + body)
        (plugin / "run.sh").chmod(0o755)
    chart = root / "pr"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: pr\nversion: 0.1.0\n")
    for name, body in TEMPLATES.items():
        (chart / "templates" / name).write_text(body)
    return root / "plugins", chart


def _run(argv: list[str], env: dict[str, str]) -> tuple[int, str, str]:
    r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
    return r.returncode, r.stdout, r.stderr


CASES = [
    ["--post-renderer", "record", "--post-renderer-args", "one", "--post-renderer-args", "t w o"],
    ["--post-renderer", "patch"],
    ["--post-renderer", "patch", "--output-dir", "{out}"],
    ["--post-renderer", "fail"],
    ["--post-renderer", "empty"],
    ["--post-renderer", "record", "--skip-tests", "--is-upgrade"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_post_renderer_same_as_helm(
    args: list[str],
    setup: tuple[Path, Path],
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    plugins, chart = setup
    results, logs, trees = [], [], []
    for who in ("helm", "steersman"):
        log = tmp_path / f"{who}-log"
        out = tmp_path / who / "out"
        env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(log))
        cmd = (
            [str(helm_v4), "template"]
            if who == "helm"
            else [sys.executable, "-m", "steersman", "template"]
        )
        code, stdout, stderr = _run([*cmd, *(a.format(out=out) for a in args), str(chart)], env)
        results.append((code, stdout.replace(str(out), "<out>"), stderr))
        logs.append([p.read_text() for p in sorted(tmp_path.glob(f"{who}-log.*"))])
        trees.append(
            {p.relative_to(out).as_posix(): p.read_text() for p in out.rglob("*") if p.is_file()}
        )
    helm, ours = results
    if args[1] in ("fail", "empty"):
        assert helm[0] == 1 and "post render" in helm[2]
    else:
        assert helm[0] == 0, helm[2]
    if args[1] == "record":
        assert logs[0] and "postrenderer.helm.sh/postrender-filename" in logs[0][1]
    assert ours == helm
    assert logs[1] == logs[0]
    assert trees[1] == trees[0]


def test_yaml_the_round_trip_cannot_reproduce_is_refused_clearly(
    setup: tuple[Path, Path], helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """Comments survive helm's kyaml round trip in its own layout; steersman says so in one
    line instead of printing different bytes."""
    plugins, chart = setup
    commented = tmp_path / "commented"
    subprocess.run(["cp", "-r", str(chart), str(commented)], check=True)
    (commented / "templates" / "plain.yaml").write_text(
        "# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c  # why\n"
    )
    env = dict(helm_home_env, HELM_PLUGINS=str(plugins), PR_LOG=str(tmp_path / "log"))
    code, out, err = _run(
        [sys.executable, "-m", "steersman", "template", "--post-renderer", "patch", str(commented)],
        env,
    )
    assert code == 1 and out == ""
    assert err.startswith("Error: error merging manifests: pr/templates/plain.yaml: comments ")
    assert "Traceback" not in err
