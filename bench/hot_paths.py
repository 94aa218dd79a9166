# ruff: noqa: E501  (template text)
"""Hot paths of a big render, before and after, measured in the same run.

- parse: a big template set (a 500 KB one-line JSON dashboard with actions sprinkled in, 300
  defines, 60 workload templates) parsed cold with the disk cache off, parsed on first sight
  with the disk cache on (parse + store), and loaded from the disk cache (in-process cache
  emptied: what a second `steersman template` process does);
- yaml: `fromYaml` and `toYaml` over a ~1 MB CustomResourceDefinition;
- manifests: `sort_manifests` over ~2 MB of rendered output (CRDs, many small objects, hooks).

"before" is the same measurement run on another checkout in a subprocess (default: /work/main,
or the path given with --before; skipped when it does not exist), "after" is this checkout.
Each figure is the best of several rounds of CPU time of this process (the machine is shared:
wall time mostly measures the other tenants; the minimum is the least disturbed measurement).

Run: .venv/bin/python -m bench.hot_paths [--before /path/to/checkout] [--rounds N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import run_in_checkout

DEFAULT_BEFORE = Path("/work/main")


# -- inputs (deterministic)


def _dashboard(size: int) -> str:
    rnd = random.Random(15)
    panels = []
    total = 0
    i = 0
    while total < size:
        title = f"Panel {i} {{{{ $.Values.cluster | default `prod` }}}}"
        expr = (
            f'sum(rate(container_cpu_usage_seconds_total{{namespace=\\"$namespace\\",'
            f'pod=~\\"{{{{`{{{{`}}}}pod{{{{`}}}}`}}}}\\"}}[5m])) by (pod) * {rnd.randint(1, 99)}'
        )
        panel = json.dumps(
            {
                "id": i,
                "title": "TITLE",
                "type": "timeseries",
                "gridPos": {"h": 8, "w": 12, "x": (i % 2) * 12, "y": i * 8},
                "targets": [{"expr": "EXPR", "legendFormat": "{{pod}}", "refId": "A"}],
                "fieldConfig": {"defaults": {"unit": "percentunit", "min": 0, "max": 1}},
            },
            separators=(",", ":"),
        )
        panel = panel.replace('"{{pod}}"', '"{{`{{pod}}`}}"')
        panel = panel.replace('"TITLE"', json.dumps(title)).replace('"EXPR"', f'"{expr}"')
        panels.append(panel)
        total += len(panel)
        i += 1
    body = '{"panels":[' + ",".join(panels) + '],"title":"Big dashboard","uid":"big"}'
    return (
        "{{- if .Values.dashboards.enabled }}\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
        '  name: {{ printf "%s-dashboard" .Release.Name | trunc 63 }}\n'
        '  labels:\n    {{- include "big.labels" . | nindent 4 }}\n'
        f"data:\n  big.json: |-\n    {body}\n"
        "{{- end }}\n"
    )


def _helpers(count: int) -> str:
    out = []
    for i in range(count):
        out.append(
            f'{{{{- define "big.helper{i}" -}}}}\n'
            f"{{{{- if .Values.fullnameOverride{i} }}}}\n"
            f'{{{{- .Values.fullnameOverride{i} | trunc 63 | trimSuffix "-" }}}}\n'
            "{{- else }}\n"
            "{{- $name := default .Chart.Name .Values.nameOverride }}\n"
            '{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}\n'
            "{{- end }}\n{{- end }}\n"
        )
    out.append(
        '{{- define "big.labels" -}}\napp.kubernetes.io/name: {{ .Chart.Name }}\n'
        "app.kubernetes.io/instance: {{ .Release.Name }}\n{{- end }}\n"
    )
    return "".join(out)


_WORKLOAD = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "big.helper@" . }}
  labels:
    {{- include "big.labels" . | nindent 4 }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          env:
          {{- range $k, $v := .Values.env }}
            - name: {{ $k | upper | quote }}
              value: {{ $v | quote }}
          {{- end }}
          resources:
            {{- toYaml .Values.resources | nindent 12 }}
"""


def template_set() -> dict[str, str]:
    files = {
        "big/templates/_helpers.tpl": _helpers(300),
        "big/templates/dashboard.yaml": _dashboard(500_000),
    }
    for i in range(60):
        files[f"big/templates/workload{i}.yaml"] = _WORKLOAD.replace("@", str(i))
    return files


def _schema(depth: int, width: int, rnd: random.Random) -> dict[str, Any]:
    if depth == 0:
        kind = rnd.choice(["string", "integer", "boolean", "string"])
        leaf: dict[str, Any] = {
            "type": kind,
            "description": "The value of this field: see https://example.invalid/docs#"
            + str(rnd.randint(0, 10**6))
            + ". Defaults to 'auto' when unset.",
        }
        if kind == "string" and rnd.random() < 0.3:
            leaf["enum"] = ["Always", "IfNotPresent", "Never", "true", "1.0", "null"]
        if kind == "integer":
            leaf["format"] = "int32"
            leaf["minimum"] = 0
        return leaf
    return {
        "type": "object",
        "description": "Configuration block.\nMultiple lines\n  with indentation.",
        "properties": {f"field{depth}x{i}": _schema(depth - 1, width, rnd) for i in range(width)},
        "required": [f"field{depth}x0"],
        "x-kubernetes-preserve-unknown-fields": depth % 2 == 0,
    }


def crd_document(name: str = "widgets", size: int = 1_000_000) -> dict[str, Any]:
    rnd = random.Random(name)
    versions: list[dict[str, Any]] = []
    while True:
        versions.append(
            {
                "name": f"v{len(versions) + 1}",
                "served": True,
                "storage": not versions,
                "schema": {"openAPIV3Schema": _schema(4, 6, rnd)},
            }
        )
        doc = {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {
                "name": f"{name}.example.dev",
                "annotations": {"controller-gen.kubebuilder.io/version": "v0.16.1"},
            },
            "spec": {"group": "example.dev", "names": {"kind": name.title()}, "versions": versions},
        }
        if len(json.dumps(doc)) * 1.3 >= size:  # YAML block style is ~1.3x the JSON
            return doc


def rendered_files(total: int = 2_000_000) -> dict[str, str]:
    import yaml

    files: dict[str, str] = {}
    size = 0
    n = 0
    while size < total * 0.6:
        text = "---\n# Source: crds\n" + yaml.safe_dump(crd_document(f"kind{n}", 300_000))
        files[f"big/templates/crd{n}.yaml"] = text
        size += len(text)
        n += 1
    small = []
    i = 0
    while size < total:
        doc = (
            f"---\n# Source: big/templates/objects.yaml\napiVersion: v1\nkind: "
            f"{['ConfigMap', 'Service', 'ServiceAccount', 'Secret'][i % 4]}\nmetadata:\n"
            f'  name: object-{i}\n  labels:\n    app: big\n    index: "{i}"\n'
            + (
                '  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: "-5"\n'
                if i % 25 == 0
                else ""
            )
            + "data:\n  key: value\n  other: |\n    line one\n    line two\n\n\n"
        )
        small.append(doc)
        size += len(doc)
        i += 1
    files["big/templates/objects.yaml"] = "".join(small)
    return files


# -- measurements


def _best_ms(
    fn: Callable[[], object], rounds: int, before: Callable[[], None] | None = None
) -> float:
    best = float("inf")
    for _ in range(rounds):
        if before is not None:
            before()
        gc.collect()  # every round starts from the same heap; collections during fn count
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best * 1000


def measure(rounds: int) -> dict[str, float]:
    """Every figure this checkout can produce, in ms."""
    from steersman.chart.render.helmfuncs import bind_template_funcs, helm_funcs
    from steersman.chart.render.manifests import sort_manifests
    from steersman.golang import goyaml, yamlout
    from steersman.gotemplate import TemplateSet, clear_parse_cache

    funcs = helm_funcs()
    files = template_set()
    results: dict[str, float] = {}

    def parse_all() -> None:
        ts = TemplateSet(funcs, name="gotpl")
        bind_template_funcs(ts, {})
        for name in sorted(files):
            ts.parse(name, files[name])

    has_disk = _has_disk_cache()
    with tempfile.TemporaryDirectory() as cache:
        os.environ["STEERSMAN_PARSE_CACHE_DIR"] = cache
        os.environ["STEERSMAN_PARSE_CACHE"] = "off"
        results["parse cold, disk cache off"] = _best_ms(parse_all, rounds, clear_parse_cache)
        if has_disk:
            os.environ["STEERSMAN_PARSE_CACHE"] = "on"

            def empty_disk() -> None:
                clear_parse_cache()
                for entry in os.scandir(cache):
                    os.unlink(entry.path)

            results["parse first sight (parse + store)"] = _best_ms(parse_all, rounds, empty_disk)
            parse_all()
            results["parse from disk cache"] = _best_ms(parse_all, rounds, clear_parse_cache)

    crd_text = yamlout.to_yaml(crd_document())
    crd = goyaml.from_yaml(crd_text)
    results[f"fromYaml {len(crd_text) // 1000} KB"] = _best_ms(
        lambda: goyaml.from_yaml(crd_text), rounds
    )
    results[f"toYaml {len(crd_text) // 1000} KB"] = _best_ms(lambda: yamlout.to_yaml(crd), rounds)

    rendered = rendered_files()
    size = sum(len(t) for t in rendered.values())
    results[f"sort_manifests {size // 1000} KB"] = _best_ms(
        lambda: sort_manifests(rendered), rounds
    )
    return results


def _has_disk_cache() -> bool:
    import importlib.util

    return importlib.util.find_spec("steersman.gotemplate.parsecache") is not None


def _run_before(checkout: Path, rounds: int) -> dict[str, float]:
    return dict(run_in_checkout(checkout, f"bench.hot_paths.measure({rounds})"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, default=DEFAULT_BEFORE)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv if argv is not None else [])
    before: dict[str, float] = {}
    if (args.before / "operator" / "steersman").is_dir():
        before = _run_before(args.before, args.rounds)
    after = measure(args.rounds)
    print(f"{'measurement':<40} {'before ms':>10} {'after ms':>10} {'speed-up':>9}")
    base_cold = after["parse cold, disk cache off"]
    for key, value in after.items():
        old = before.get(key)
        if old is None and key.startswith("parse") and key != "parse cold, disk cache off":
            old = before.get("parse cold, disk cache off")  # before: every process parses cold
        old_s = f"{old:10.1f}" if old is not None else f"{'-':>10}"
        ratio = f"{old / value:8.1f}x" if old is not None else f"{'-':>9}"
        print(f"{key:<40} {old_s} {value:10.1f} {ratio}")
    load = after.get("parse from disk cache")
    if load is not None:
        print(f"disk cache load vs cold parse in this checkout: {base_cold / load:.1f}x faster")


if __name__ == "__main__":
    main(sys.argv[1:])
