"""Documents with YAML tags through `helm template` v4.1.4 and `steersman template`: go-yaml
reads unknown tags as plain values (they must not matter outside the head) and fails only on a
standard tag its value does not fit. Stdout, stderr and exit code must all agree."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
PROBES = {
    "scalar-in-data": CM + "data:\n  x: !custom value\n",
    "binary": CM + "data:\n  key: !!binary aGk=\n",
    "mapping-in-data": CM + "data: !foo\n  x: y\n",
    "sequence": CM + "items: !foo\n- a\n- b\n",
    "str-and-int": CM + 'data:\n  x: !!str 3\n  y: !!int "3"\n',
    "float-bool-null": CM + "data:\n  x: !!float 1\n  y: !!bool true\n  z: !!null ''\n",
    "timestamp": CM + "data:\n  x: !!timestamp 2001-12-14\n",
    "verbatim": CM + "data:\n  x: !<tag:x> v\n",
    "standard-tags-on-wrong-nodes": CM + "data: !!str\n  x: !!map y\n  l: !!seq {a: b}\n",
    "set-and-omap": CM + "s: !!set\n  ? x\no: !!omap\n- x: y\n",
    "merge-tag-on-plain-key": CM + "data:\n  !!merge x: y\n",
    "tagged-kind": "apiVersion: v1\nkind: !foo ConfigMap\nmetadata:\n  name: a\n",
    "tagged-key": "apiVersion: v1\n!foo kind: Secret\nmetadata:\n  name: a\n",
    "tagged-root": "!foo\napiVersion: v1\nkind: Secret\nmetadata:\n  name: a\n",
    "tagged-metadata": "apiVersion: v1\nkind: Secret\nmetadata: !foo\n  name: a\n",
    "tagged-name": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: !foo a\n",
    "int-name": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: !!int 3\n",
    "binary-name": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: !!binary aGk=\n",
    "tagged-hook": CM[:-1] + "\n  annotations:\n    helm.sh/hook: !foo pre-install\n",
    "bang-in-a-string": CM + "data:\n  x: 'not a tag: !foo'\n",
    "bad-int": CM + "data:\n  x: !!int abc\n",
    "bad-binary": CM + "data:\n  x: !!binary '%%%'\n",
    "bad-timestamp": CM + "data:\n  x: !!timestamp nope\n",
    "bad-float-after-a-good-tag": CM + "data:\n  a: !ok 1\n  x: !!float yes\n",
}


@pytest.mark.parametrize("name", sorted(PROBES))
def test_tagged_documents_template_like_helm(
    name: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    chart = tmp_path / name
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n")
    # A second, untagged document sorted around the probe shows its kind was read.
    (chart / "templates" / "a.yaml").write_text(PROBES[name] + "---\n" + CM)
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    helm, ours = (
        subprocess.run(argv, capture_output=True, text=True, env=env, timeout=120)
        for argv in (
            [str(helm_v4), "template", "x", str(chart)],
            [sys.executable, "-m", "steersman", "template", "x", str(chart)],
        )
    )
    assert (ours.returncode, ours.stdout, ours.stderr) == (
        helm.returncode,
        helm.stdout,
        helm.stderr,
    )
