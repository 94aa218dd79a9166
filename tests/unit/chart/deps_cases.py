"""Charts with subcharts for the values pipeline: globals, conditions, tags, aliases, imports.

Every chart carries a probe that dumps its `.Values` (Go types included); the root defines the
dump template. RUNS pairs a chart with helm value flags.
"""

from __future__ import annotations

from typing import Any

from tests.unit.chart.helm_strvals_oracle import WALK

_DEFINE = WALK.split("# {{")[0]
PROBE = '# probe {{ .Template.BasePath }} {{ include "walk" .Values | b64enc }}\n'


def _sub(name: str, values: str = "", extra: str = "", **files: str) -> dict[str, str]:
    out = {
        f"charts/{name}/Chart.yaml": f"apiVersion: v2\nname: {name}\nversion: 0.1.0\n{extra}",
        f"charts/{name}/templates/probe.yaml": PROBE,
    }
    if values:
        out[f"charts/{name}/values.yaml"] = values
    for rel, content in files.items():
        out[f"charts/{name}/{rel.replace('__', '/')}"] = content
    return out


def _root(meta: str, values: str, *subs: dict[str, str]) -> dict[str, str]:
    out = {
        "Chart.yaml": "apiVersion: v2\nname: root\nversion: 0.1.0\n" + meta,
        "values.yaml": values,
        "templates/_walk.tpl": _DEFINE,
        "templates/probe.yaml": PROBE,
    }
    for s in subs:
        out.update(s)
    return out


CHARTS: dict[str, dict[str, str]] = {
    "globals": _root(
        "",
        "global:\n  region: eu\n  nested: {a: 1, deep: {x: 1}}\n  list: [1, 2]\n"
        "child:\n  own: override\n  drop: null\n",
        _sub(
            "child",
            "own: default\ndrop: 1\nkeep: 2\nglobal:\n  region: local\n  childOnly: c\n"
            "  nested: {b: 2, deep: {y: 2}}\n",
            "",
            **{
                "charts__grand__Chart.yaml": "apiVersion: v2\nname: grand\nversion: 0.1.0\n",
                "charts__grand__values.yaml": "g: 1\nglobal: {grandOnly: true}\n",
                "charts__grand__templates__probe.yaml": PROBE,
            },
        ),
        _sub("other", "x: 1\n"),
    ),
    "conditions": _root(
        "dependencies:\n"
        "- name: a\n  version: 0.1.0\n  repository: ''\n  condition: a.enabled\n"
        "- name: b\n  version: 0.1.0\n  repository: ''\n  condition: missing.flag,b.enabled\n"
        "- name: c\n  version: 0.1.0\n  repository: ''\n  tags: [front]\n"
        "- name: d\n  version: 0.1.0\n  repository: ''\n  tags: [front, back]\n"
        "- name: e\n  version: '>=1.0.0'\n  repository: ''\n  condition: e.enabled\n",
        "a: {enabled: false}\nb: {enabled: true}\ntags: {front: false, back: true}\n",
        _sub("a", "enabled: true\n"),
        _sub("b", "enabled: false\n"),
        _sub("c"),
        _sub("d"),
        _sub("e", "enabled: false\n"),
    ),
    "aliases": _root(
        "dependencies:\n"
        "- name: web\n  version: ~0.1.0\n  repository: ''\n  alias: front\n"
        "- name: web\n  version: ~0.1.0\n  repository: ''\n  alias: back\n"
        "  condition: back.enabled\n",
        "front: {port: 80}\nback: {port: 81, enabled: true}\n",
        _sub("web", "port: 1\nname: web\n"),
    ),
    "imports": _root(
        "dependencies:\n"
        "- name: lib\n  version: 0.1.0\n  repository: ''\n"
        "  import-values: [defaults, {child: settings, parent: imported.settings},"
        " {child: missing, parent: x}]\n",
        "top: 1\nfromExport: parent-wins\n",
        _sub(
            "lib",
            "exports:\n  defaults:\n    fromExport: child\n    exported: yes\n"
            "settings:\n  level: 3\n  tags: [a]\n",
        ),
    ),
    "nested_conditions": _root(
        "dependencies:\n- name: mid\n  version: 0.1.0\n  repository: ''\n",
        "mid:\n  leaf:\n    enabled: false\n",
        _sub(
            "mid",
            "leaf: {enabled: true}\n",
            "dependencies:\n- name: leaf\n  version: 0.1.0\n  repository: ''\n"
            "  condition: leaf.enabled\n",
            **{
                "charts__leaf__Chart.yaml": "apiVersion: v2\nname: leaf\nversion: 0.1.0\n",
                "charts__leaf__templates__probe.yaml": PROBE,
            },
        ),
    ),
    "edge_conditions": _root(
        "dependencies:\n"
        "- name: s1\n  version: 0.1.0\n  repository: ''\n  condition: s1.flag, s1.enabled\n"
        "- name: s2\n  version: 0.1.0\n  repository: ''\n  condition: s2.enabled\n"
        "  tags: [t1]\n"
        "- name: s3\n  version: 0.1.0\n  repository: ''\n  condition: s3.str,s3.enabled\n"
        "- name: s4\n  version: ^0.1\n  repository: ''\n  alias: four\n  condition: four.on\n"
        "  import-values:\n  - child: data\n    parent: from.four\n",
        "s1: {flag: false, enabled: true}\ns3: {str: 'false', enabled: false}\n"
        "tags: {t1: 'no'}\nfour: {on: true}\n",
        _sub("s1"),
        _sub("s2", "enabled: true\n"),
        _sub("s3"),
        _sub("s4", "data: {x: 1, y: [1]}\n"),
    ),
    "empty_dependencies": _root(
        "dependencies: []\n",
        "mid:\n  leaf:\n    enabled: false\n",
        _sub(
            "mid",
            "leaf: {enabled: true}\n",
            "dependencies:\n- name: leaf\n  version: 0.1.0\n  repository: ''\n"
            "  condition: leaf.enabled\n",
            **{
                "charts__leaf__Chart.yaml": "apiVersion: v2\nname: leaf\nversion: 0.1.0\n",
                "charts__leaf__templates__probe.yaml": PROBE,
            },
        ),
    ),
    "undeclared_dependencies": _root(
        "",
        "mid:\n  leaf:\n    enabled: false\n",
        _sub(
            "mid",
            "leaf: {enabled: true}\n",
            "dependencies:\n- name: leaf\n  version: 0.1.0\n  repository: ''\n"
            "  condition: leaf.enabled\n",
            **{
                "charts__leaf__Chart.yaml": "apiVersion: v2\nname: leaf\nversion: 0.1.0\n",
                "charts__leaf__templates__probe.yaml": PROBE,
            },
        ),
    ),
    "coalesce_rules": _root(
        "",
        "map: {a: 1, b: {c: 2}}\nlist: [1, 2]\nscalar: s\nnulled: 1\ntableVsScalar: {x: 1}\n"
        "scalarVsTable: 3\ndefaultNull: null\nnestedNull: {keep: 1, gone: 2}\n",
    ),
}

RUNS: list[tuple[str, list[str]]] = [
    ("globals", []),
    ("globals", ["--set", "global.region=us,child.global.childOnly=set,other.x=2"]),
    ("globals", ["--set", "global.nested.deep.z=3"]),
    ("conditions", []),
    ("conditions", ["--set", "a.enabled=true,b.enabled=false,tags.front=true"]),
    ("conditions", ["--set", "tags.back=false"]),
    ("aliases", []),
    ("aliases", ["--set", "back.enabled=false,front.port=8080"]),
    ("imports", []),
    ("imports", ["--set", "imported.settings.level=9"]),
    ("nested_conditions", []),
    ("nested_conditions", ["--set", "mid.leaf.enabled=true"]),
    ("edge_conditions", []),
    ("edge_conditions", ["--set", "four.on=false,s3.enabled=true,tags.t1=false"]),
    ("edge_conditions", ["--set", "s1.flag=true,from.four.x=5"]),
    ("empty_dependencies", []),
    ("undeclared_dependencies", []),
    ("coalesce_rules", []),
    (
        "coalesce_rules",
        [
            "--set",
            "map.b.d=4,list={9},nulled=null,tableVsScalar=7,scalarVsTable.y=1,"
            "nestedNull.gone=null,extra=1",
        ],
    ),
]


def chart_files(name: str) -> dict[str, Any]:
    return dict(CHARTS[name])
