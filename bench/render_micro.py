# ruff: noqa: E501  (template text)
"""Micro-benchmark of the Go-template engine.

For ~10 representative templates (builtins only, plus one helm-create style template that uses
Sprig and an `include` like Helm's) it prints the cold time (fresh TemplateSet and empty parse
cache: lex + parse + compile + execute) and the warm time (parsed set, execute only) in
microseconds. The same templates form a chart that `helm template` (helm v4) renders in this
run; its wall time (process start included) is printed next to our total for all templates.
Times are the minimum over the rounds: the machine is shared, and the minimum is the least
disturbed measurement of the same work.

Run: .venv/bin/python -m bench.render_micro
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hack.testenv.parts import HELM_V4 as HELM
from steersman.gotemplate import TemplateSet, clear_parse_cache

HELPERS = """{{- define "app.name" -}}{{ printf "%s" .Chart.Name }}{{- end }}
{{- define "app.fullname" -}}
{{- if .Values.fullnameOverride }}{{ .Values.fullnameOverride }}
{{- else }}{{ printf "%s-%s" .Release.Name .Chart.Name }}{{ end }}
{{- end }}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ template "app.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
{{- define "level5" }}<{{ . }}>{{ end }}
{{- define "level4" }}{{ template "level5" . }}{{ template "level5" . }}{{ end }}
{{- define "level3" }}{{ template "level4" . }}{{ end }}
{{- define "level2" }}{{ template "level3" . }}{{ end }}
{{- define "level1" }}{{ template "level2" . }}{{ end }}
{{- define "mychart.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "mychart.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}
{{- define "mychart.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- define "mychart.selectorLabels" -}}
app.kubernetes.io/name: {{ include "mychart.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "mychart.labels" -}}
helm.sh/chart: {{ include "mychart.chart" . }}
{{ include "mychart.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}
"""

SPRIG_TEMPLATES: dict[str, str] = {
    "helm_create_sprig": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "mychart.fullname" . }}
  labels:
    {{- include "mychart.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels:
      {{- include "mychart.selectorLabels" . | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "mychart.labels" . | nindent 8 }}
    spec:
      serviceAccountName: {{ include "mychart.fullname" . | lower | quote }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          env:
          {{- range .Values.env }}
            - name: {{ .name | upper | quote }}
              value: {{ .value | quote }}
          {{- end }}
          {{- with .Values.podAnnotations }}
          args:
          {{- range $k, $v := . }}
            - {{ printf "--%s=%s" $k $v | squote }}
          {{- end }}
          {{- end }}
""",
}


TEMPLATES: dict[str, str] = {
    "deployment": """apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ template "app.fullname" . }}
  labels:
    {{- template "app.labels" . }}
spec:
  {{- if not .Values.autoscaling.enabled }}
  replicas: {{ .Values.replicaCount }}
  {{- end }}
  selector:
    matchLabels:
      app.kubernetes.io/name: {{ template "app.name" . }}
  template:
    metadata:
      {{- with .Values.podAnnotations }}
      annotations:
        {{- range $k, $v := . }}
        {{ $k }}: {{ printf "%q" $v }}
        {{- end }}
      {{- end }}
    spec:
      serviceAccountName: {{ .Values.serviceAccount.name | default "x" }}
      containers:
        - name: {{ .Chart.Name }}
          image: "{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}"
          imagePullPolicy: {{ .Values.image.pullPolicy }}
          ports:
            - name: http
              containerPort: {{ .Values.service.port }}
              protocol: TCP
          {{- if .Values.resources }}
          resources:
            limits:
              cpu: {{ .Values.resources.limits.cpu }}
              memory: {{ .Values.resources.limits.memory }}
          {{- end }}
          env:
          {{- range .Values.env }}
            - name: {{ .name }}
              value: {{ printf "%q" .value }}
          {{- end }}
""",
    "service": """apiVersion: v1
kind: Service
metadata:
  name: {{ template "app.fullname" . }}
  labels:
    {{- template "app.labels" . }}
spec:
  type: {{ .Values.service.type }}
  ports:
    - port: {{ .Values.service.port }}
      targetPort: http
      protocol: TCP
      name: http
""",
    "range_big_list": """apiVersion: v1
kind: ConfigMap
metadata:
  name: range-list
data:
  out: |
    {{- range $i, $e := .Values.items }}
    {{ $i }} {{ $e.name }} {{ $e.size }} {{ if $e.on }}on{{ else }}off{{ end }}
    {{- end }}
""",
    "range_big_map": """apiVersion: v1
kind: ConfigMap
metadata:
  name: range-map
data:
  {{- range $k, $v := .Values.table }}
  {{ $k }}: {{ printf "%q" $v }}
  {{- end }}
""",
    "nested_defines": """apiVersion: v1
kind: ConfigMap
metadata:
  name: nested
data:
  out: |
    {{- range .Values.small }}
    {{ template "level1" . }}
    {{- end }}
""",
    "printf_heavy": """apiVersion: v1
kind: ConfigMap
metadata:
  name: printf
data:
  out: |
    {{- range .Values.items }}
    {{ printf "%s-%05d-%x-%q" .name (len .name) .name .name }} {{ printf "%v %.2f %T" .size .size .on }}
    {{- end }}
""",
    "conditionals": """apiVersion: v1
kind: ConfigMap
metadata:
  name: cond
data:
  out: |
    {{- range .Values.items }}
    {{- if and .on (gt .size 50.0) }}
    big {{ .name }}
    {{- else if or (not .on) (eq .name "item-3") }}
    off {{ .name }}
    {{- else }}
    small {{ .name }}
    {{- end }}
    {{- end }}
""",
    "variables_with": """apiVersion: v1
kind: ConfigMap
metadata:
  name: vars
data:
  out: |
    {{- $root := . }}
    {{- range $i, $e := .Values.items }}
    {{- $n := $e.name }}
    {{- with $e.meta }}
    {{ $n }} {{ .a }} {{ .b.c }} {{ $root.Release.Name }} {{ $i }}
    {{- end }}
    {{- end }}
""",
    "text_heavy": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: text\ndata:\n  out: |\n"
    + "".join(
        f"    line {i} of a long static configuration file {{{{ .Release.Name }}}}\n"
        for i in range(400)
    ),
    "index_len": """apiVersion: v1
kind: ConfigMap
metadata:
  name: idx
data:
  out: |
    {{- range $i, $e := .Values.items }}
    {{ index $.Values.items $i "name" }} {{ len $e.name }} {{ index $.Values.table (printf "key-%d" $i) }}
    {{- end }}
""",
}


ALL_TEMPLATES = {**TEMPLATES, **SPRIG_TEMPLATES}


def make_values() -> dict[str, Any]:
    """values.yaml (numbers are float64, as Helm loads them)."""
    return {
        "replicaCount": 3.0,
        "fullnameOverride": "",
        "nameOverride": "",
        "autoscaling": {"enabled": False},
        "podAnnotations": {f"note/{i}": f"v{i}" for i in range(10)},
        "serviceAccount": {"name": "sa"},
        "image": {"repository": "nginx", "tag": "1.27", "pullPolicy": "IfNotPresent"},
        "service": {"type": "ClusterIP", "port": 80.0},
        "resources": {"limits": {"cpu": "100m", "memory": "128Mi"}},
        "env": [{"name": f"ENV_{i}", "value": f"value {i}"} for i in range(20)],
        "items": [
            {
                "name": f"item-{i}",
                "size": float(i % 100),
                "on": i % 3 != 0,
                "meta": {"a": i * 1.5, "b": {"c": f"c{i}"}},
            }
            for i in range(500)
        ],
        "table": {f"key-{i}": f"value-{i}" for i in range(500)},
        "small": [f"s{i}" for i in range(100)],
    }


def make_data(values: dict[str, Any]) -> dict[str, Any]:
    return {
        "Values": values,
        "Release": {"Name": "bench", "Namespace": "default", "Service": "Helm", "Revision": 1},
        "Chart": {"Name": "bench", "AppVersion": "1.0.0", "Version": "0.1.0"},
        "Template": {"Name": "bench/templates/x.yaml", "BasePath": "bench/templates"},
    }


def _funcs() -> dict[str, Any]:
    from steersman.sprig import sprig_funcs

    return dict(sprig_funcs())


def new_set(funcs: dict[str, Any]) -> TemplateSet:
    """A TemplateSet with an `include` that runs a named template, as Helm's does."""
    from steersman.golang.types import GoFunc

    ts = TemplateSet(funcs)
    ts.add_funcs({"include": GoFunc(ts.execute, ("string", "interface {}"), can_error=True)})
    return ts


def best_us(fn: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1e6


def helm_template_ms(values: dict[str, Any], rounds: int) -> float | None:
    if not HELM.exists():
        return None
    tmp = Path(tempfile.mkdtemp(prefix="render-micro-"))
    try:
        (tmp / "templates").mkdir()
        (tmp / "Chart.yaml").write_text(
            "apiVersion: v2\nname: bench\nversion: 0.1.0\nappVersion: 1.0.0\n"
        )
        (tmp / "values.yaml").write_text(json.dumps(values))
        (tmp / "templates" / "_helpers.tpl").write_text(HELPERS)
        for name, text in ALL_TEMPLATES.items():
            (tmp / "templates" / f"{name}.yaml").write_text(text)
        cmd = [str(HELM), "template", "bench", str(tmp)]
        subprocess.run(cmd, check=True, capture_output=True)  # warm the page cache
        times = []
        for _ in range(rounds):
            t0 = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ))
            times.append(time.perf_counter() - t0)
        return min(times) * 1e3
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> None:
    values = make_values()
    data = make_data(values)
    funcs = _funcs()
    rounds = 30
    print(f"{'template':<16} {'cold us':>10} {'warm us':>10} {'out bytes':>10}")
    total_cold = total_warm = 0.0
    for name, text in ALL_TEMPLATES.items():

        def cold(name: str = name, text: str = text) -> str:
            clear_parse_cache()
            ts = new_set(funcs)
            ts.parse("bench/templates/_helpers.tpl", HELPERS)
            ts.parse(name, text)
            return ts.execute(name, data)

        warm_set = new_set(funcs)
        warm_set.parse("bench/templates/_helpers.tpl", HELPERS)
        warm_set.parse(name, text)
        out = warm_set.execute(name, data)
        c = best_us(cold, rounds)
        w = best_us(functools.partial(warm_set.execute, name, data), rounds)
        total_cold += c
        total_warm += w
        print(f"{name:<16} {c:>10.0f} {w:>10.0f} {len(out):>10}")
    print(f"{'total':<16} {total_cold:>10.0f} {total_warm:>10.0f}")
    helm_ms = helm_template_ms(values, rounds=5)
    if helm_ms is None:
        print("helm v4 not found; no comparison")
        return
    print(
        f"helm template (same templates, whole process): {helm_ms:.1f} ms; "
        f"ratio helm/ours cold {helm_ms * 1e3 / total_cold:.1f}x, "
        f"warm {helm_ms * 1e3 / total_warm:.1f}x"
    )


if __name__ == "__main__":
    main()
