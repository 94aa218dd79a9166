"""fromToml's error texts (BurntSushi/toml v1.6.0's lexer, tomllex) against helm v4.1.4 on
malformed documents: each input rendered as `{{ (fromToml .).Error }}` by both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

BAD = [
    "one",
    "a = ",
    "a = 1\nb",
    "a b = 1",
    "= 1",
    ".a = 1",
    "a. = 1",
    "[a\nb = 1",
    "[]",
    "[a.]",
    "[[a]\n",
    "a = [1,,2]",
    "a = [1 2]",
    "a = [1,",
    "a = {b = 1 c = 2}",
    "a = {,}",
    'a = "x',
    'a = "x\ny"',
    "a = 'x",
    'a = """x',
    "a = '''x",
    'a = "\\q"',
    'a = "\\u12"',
    "a = .5",
    "a = +0x1",
    "a = 0xg",
    "a = 0b2",
    "a = 0o9",
    "a = -x",
    "a = tru",
    "a = 1 b = 2",
    "[t]\nx = 1\ny = ?",
    "[t.u]\nk = {v = }",
    "a = \x01",
    "a = 1\n\n\n#c\nb = [\n1,\n2\n",
    'a = """x"""""""',
]


def test_from_toml_errors_match_helm(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    chart = tmp_path / "toml"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: toml\nversion: 0.1.0\n")
    (chart / "values.yaml").write_text(json.dumps({"docs": BAD}))
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: t\ndata:\n"
        "{{- range $i, $d := .Values.docs }}\n"
        "  e{{ $i }}: {{ (fromToml $d).Error | quote }}\n"
        "{{- end }}\n"
    )
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    runs = [
        subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        for argv in (
            [str(helm_v4), "template", str(chart)],
            [sys.executable, "-m", "steersman", "template", str(chart)],
        )
    ]
    assert runs[0].returncode == 0, runs[0].stderr
    helm_lines = runs[0].stdout.splitlines()
    our_lines = runs[1].stdout.splitlines()
    assert our_lines == helm_lines
