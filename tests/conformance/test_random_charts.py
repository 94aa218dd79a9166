"""Randomised chart trees (seeded, so every run checks the same cases) against helm v4.1.4.

Each case builds a root chart with subcharts up to two levels deep, where Chart.yaml dependencies
get random conditions, tags, aliases and import-values, charts carry globals and exports, every
chart defines the same named template (override precedence) and prints what it sees
(.Values, .Chart, .Subcharts, .Template). Random user values toggle conditions and tags and
override globals. Steersman must print what helm prints, or fail with the same error.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from hack.testkit.conformance import Case, compare, run_helm, run_ours

pytestmark = pytest.mark.interop

CASES = 50
SEED = 4242

TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-{{ .Chart.Name }}
data:
  values: {{ toJson .Values | quote }}
  subcharts: {{ keys .Subcharts | sortAlpha | join "," | quote }}
  template: {{ .Template.Name | quote }}
  shared: {{ include "shared.def" . | quote }}
  deps: {{ range .Chart.Dependencies }}{{ .Name }}={{ .Enabled }};{{ end }}
"""


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)  # JSON is YAML; keeps the files unambiguous


class _Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.tags = ["alpha", "beta", "gamma"]

    def chart(self, path: Path, name: str, depth: int) -> None:
        rng = self.rng
        (path / "templates").mkdir(parents=True)
        subs = [f"{name}s{i}" for i in range(rng.randint(0, 2 if depth < 2 else 0))]
        deps = []
        values: dict[str, object] = {"own": f"{name}-default", "n": rng.randint(0, 9)}
        if rng.random() < 0.5:
            values["global"] = {"g": f"from-{name}", f"only{name}": True}
        if rng.random() < 0.4:
            values["exports"] = {"data": {"exported": name, "port": rng.randint(1, 9)}}
        for sub in subs:
            self.chart(path / "charts" / sub, sub, depth + 1)
            dep: dict[str, object] = {"name": sub, "version": "0.1.0"}
            if rng.random() < 0.4:
                dep["condition"] = f"{sub}.enabled"
                values[sub] = {"enabled": rng.random() < 0.7}
            if rng.random() < 0.3:
                dep["tags"] = rng.sample(self.tags, rng.randint(1, 2))
            if rng.random() < 0.25:
                dep["alias"] = f"{sub}-alias"
            if rng.random() < 0.3:
                dep["import-values"] = rng.choice(
                    [["data"], [{"child": "exports.data", "parent": "imported"}]]
                )
            deps.append(dep)
        chart_yaml: dict[str, object] = {"apiVersion": "v2", "name": name, "version": "0.1.0"}
        if deps:
            chart_yaml["dependencies"] = deps
        (path / "Chart.yaml").write_text(_dump(chart_yaml))
        (path / "values.yaml").write_text(_dump(values))
        (path / "templates" / "cm.yaml").write_text(TEMPLATE)
        if rng.random() < 0.7:
            (path / "templates" / "_helpers.tpl").write_text(
                f'{{{{- define "shared.def" -}}}}from {name}{{{{- end -}}}}\n'
            )

    def user_values(self) -> dict[str, object]:
        rng = self.rng
        out: dict[str, object] = {}
        if rng.random() < 0.5:
            out["tags"] = {t: rng.random() < 0.5 for t in rng.sample(self.tags, 2)}
        if rng.random() < 0.5:
            out["global"] = {"g": "from-user", "extra": [1, 2]}
        if rng.random() < 0.3:
            out["own"] = None  # deletes the root default
        return out


@pytest.mark.parametrize("index", range(CASES))
def test_random_chart_tree_renders_like_helm(index: int, tmp_path: Path) -> None:
    builder = _Builder(random.Random(SEED * 1000 + index))
    root = tmp_path / "root"
    builder.chart(root, "root", 0)
    # every chart needs a shared.def somewhere; the root always has one as the fallback
    if not (root / "templates" / "_helpers.tpl").exists():
        (root / "templates" / "_helpers.tpl").write_text(
            '{{- define "shared.def" -}}from root-fallback{{- end -}}\n'
        )
    values = tmp_path / "user.yaml"
    values.write_text(_dump(builder.user_values()))
    case = Case("random-tree", str(index), (str(root), "-f", str(values)))
    helm = run_helm(case)
    ours = run_ours(case)
    problem = compare(ours, helm)
    assert problem is None, f"{problem}\nhelm:\n{helm.stdout}{helm.stderr}\nours:\n{ours.stdout}"
