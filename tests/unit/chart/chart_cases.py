"""Charts for the loader tests: name -> {"files": {path: content}, "packed": bool}.

Every chart (and subchart) that should load carries the probe template, which prints what
helm's loader produced; see helm_chart_oracle.py.
"""

from __future__ import annotations

import io
import tarfile
from typing import Any

PROBE_NAME = "templates/zz_probe.yaml"
PROBE = (
    '{{- $f := "" }}{{ range $k, $_ := .Files }}{{ $f = print $f $k "," }}{{ end -}}\n'
    "# probe {{ .Template.BasePath }} {{ toJson .Chart | b64enc }} {{ toJson .Values | b64enc }}"
    " x{{ $f | b64enc }}\n"
)


def _tgz(top: str, files: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def _chart(meta: str, **files: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Chart.yaml": meta, PROBE_NAME: PROBE}
    out.update(files)
    return out


_SUB = {
    "Chart.yaml": "apiVersion: v2\nname: packed\nversion: 1.2.3\nappVersion: 2.0\n",
    "values.yaml": "fromPacked: 1\n",
    PROBE_NAME: PROBE,
}

CASES: dict[str, dict[str, Any]] = {
    "basic": {
        "files": _chart(
            "apiVersion: v2\nname: basic\nversion: 0.1.0\nappVersion: 1.10\n"
            "description: A  chart\twith\ttabs\nkeywords: [web, 1, true]\n"
            "annotations: {a: 1, b: yes, c: x}\nmaintainers:\n- name: me\n  email: m@x.io\n"
            "home: https://x.io\nsources: [https://s.io]\nkubeVersion: '>=1.20'\n"
            "deprecated: yes\ntype: application\nicon: https://i.io/x.png\n",
            **{
                "values.yaml": "replicas: 1\nname: web\nflags: [on, off]\nnested: {a: 017}\n",
                "README.md": "# readme\n",
                "crds/crd.yaml": "kind: CustomResourceDefinition\n",
                "files/a.txt": "a\n",
                "files/sub/b.txt": "b\n",
                "templates/.hidden": "x",
                ".helmignore": "# comment\n*.bak\nsecret/\n/top.txt\nfiles/sub/*\n",
                "x.bak": "ignored",
                "secret/key": "ignored",
                "top.txt": "ignored",
                "keep/top.txt": "kept",
                "templates/cm.yaml": "# {{ .Values.name }}\n",
            },
        )
    },
    "numbers_in_metadata": {
        "files": _chart("apiVersion: v2\nname: num\nversion: 1.0\nappVersion: 20240101\n")
    },
    "v1_requirements": {
        "files": _chart(
            "name: legacy\nversion: 0.1.0\n",
            **{
                "requirements.yaml": "dependencies:\n- name: sub\n  version: 0.1.0\n"
                "  repository: file://charts/sub\n",
                "requirements.lock": "dependencies: []\ndigest: sha256:abc\n"
                "generated: 2024-01-02T03:04:05Z\n",
                "charts/sub/Chart.yaml": "apiVersion: v1\nname: sub\nversion: 0.1.0\n",
                "charts/sub/values.yaml": "s: 1\n",
                "charts/sub/" + PROBE_NAME: PROBE,
            },
        )
    },
    "subcharts": {
        "files": _chart(
            "apiVersion: v2\nname: parent\nversion: 0.1.0\n",
            **{
                "values.yaml": "top: 1\nchild:\n  fromParent: 2\n",
                "Chart.lock": "dependencies:\n- name: child\n  version: 0.1.0\n  repository: ''\n"
                "digest: sha256:0\ngenerated: '2024-01-02T03:04:05Z'\n",
                "charts/child/Chart.yaml": "apiVersion: v2\nname: child\nversion: 0.1.0\n",
                "charts/child/values.yaml": "own: x\n",
                "charts/child/" + PROBE_NAME: PROBE,
                "charts/child/charts/grand/Chart.yaml": "apiVersion: v2\nname: grand\n"
                "version: 0.0.1\n",
                "charts/child/charts/grand/" + PROBE_NAME: PROBE,
                "charts/packed-1.2.3.tgz": _tgz("packed", _SUB),
                "charts/packed-1.2.3.tgz.prov": "signature",
                "charts/.hidden/Chart.yaml": "broken: [",
                "charts/_skipped/Chart.yaml": "broken: [",
            },
        )
    },
    "packed_root": {"packed": True, "files": _chart("apiVersion: v2\nname: tgz\nversion: 0.3.0\n")},
    "multidoc_values": {
        "files": _chart(
            "apiVersion: v2\nname: multi\nversion: 0.1.0\n",
            **{"values.yaml": "a: 1\nm: {x: 1}\n---\nb: 2\nm: {y: 2}\n--- # c\n# only\n"},
        )
    },
    "utf16_values": {
        "files": _chart(
            "apiVersion: v2\nname: u16\nversion: 0.1.0\n",
            **{"values.yaml": "a: 1\nb: é\n".encode("utf-16")},
        )
    },
    "err_bad_utf8_values": {
        "files": _chart(
            "apiVersion: v2\nname: u8\nversion: 0.1.0\n", **{"values.yaml": b"a: \xff\n"}
        )
    },
    "err_truncated_utf8_values": {
        "files": _chart(
            "apiVersion: v2\nname: u8\nversion: 0.1.0\n", **{"values.yaml": b'a: "\xe9"\n'}
        )
    },
    "err_control_char_values": {
        "files": _chart(
            "apiVersion: v2\nname: cc\nversion: 0.1.0\n", **{"values.yaml": b"a: 1\n\x7f"}
        )
    },
    "crlf_values": {
        "files": _chart(
            "apiVersion: v2\r\nname: crlf\r\nversion: 0.1.0\r\n",
            **{"values.yaml": "a: 1\r\n---\r\nb:\r\n  - x\r\n", "notes.txt": "a: 1\r--- x\r"},
        )
    },
    "bom_values": {
        "files": _chart(
            "apiVersion: v2\nname: bom\nversion: 0.1.0\n", **{"values.yaml": "\ufeffa: 1\n"}
        )
    },
    "case_insensitive_keys": {
        "files": _chart("apiVersion: v2\nNAME: upper\nVersion: 0.1.0\nunknown: field\n")
    },
    "helmignore_rules": {
        "files": _chart(
            "apiVersion: v2\nname: ign\nversion: 0.1.0\n",
            **{
                ".helmignore": "\ufeff*.log\ndocs/\n[ab].md\n/rootonly.md\nsub/*.yaml\n"
                "?.cfg\n  # indented comment\nback\\slash\n",
                "app.log": "x",
                "deep/app.log": "x",
                "docs/readme": "x",
                "deep/docs/readme": "x",
                "a.md": "x",
                "c.md": "x",
                "rootonly.md": "x",
                "deep/rootonly.md": "x",
                "sub/x.yaml": "x",
                "sub/inner/x.yaml": "x",
                "x.cfg": "x",
                "xx.cfg": "x",
                "keep.txt": "x",
            },
        )
    },
    "helmignore_negation": {
        "files": _chart(
            "apiVersion: v2\nname: neg\nversion: 0.1.0\n",
            **{".helmignore": "!keep.txt\n", "keep.txt": "x", "other.txt": "x"},
        )
    },
    "err_missing_chart_yaml": {"files": {PROBE_NAME: PROBE}},
    "err_bad_chart_yaml": {"files": _chart("apiVersion: v2\nname: [bad\nversion: 0.1.0\n")},
    "err_no_name": {"files": _chart("apiVersion: v2\nversion: 0.1.0\n")},
    "err_no_version": {"files": _chart("apiVersion: v2\nname: nover\n")},
    "err_bad_version": {"files": _chart("apiVersion: v2\nname: badver\nversion: abc\n")},
    "err_api_version": {"files": _chart("apiVersion: v9\nname: api\nversion: 0.1.0\n")},
    "err_type": {"files": _chart("apiVersion: v2\nname: t\nversion: 0.1.0\ntype: foo\n")},
    "err_name_slash": {"files": _chart("apiVersion: v2\nname: a/b\nversion: 0.1.0\n")},
    "err_deprecated_type": {
        "files": _chart("apiVersion: v2\nname: d\nversion: 0.1.0\ndeprecated: maybe\n")
    },
    "err_keywords_type": {
        "files": _chart("apiVersion: v2\nname: k\nversion: 0.1.0\nkeywords: {a: b}\n")
    },
    "err_bad_values": {
        "files": _chart("apiVersion: v2\nname: v\nversion: 0.1.0\n", **{"values.yaml": "a: b: c\n"})
    },
    "err_values_list": {
        "files": _chart("apiVersion: v2\nname: v\nversion: 0.1.0\n", **{"values.yaml": "- a\n"})
    },
    "err_values_separator": {
        "files": _chart(
            "apiVersion: v2\nname: v\nversion: 0.1.0\n", **{"values.yaml": "a: 1\n--- b\n"}
        )
    },
    "err_duplicate_alias": {
        "files": _chart(
            "apiVersion: v2\nname: dup\nversion: 0.1.0\ndependencies:\n- name: a\n  alias: x\n"
            "  repository: ''\n- name: b\n  alias: x\n  repository: ''\n"
        )
    },
    "err_bad_alias": {
        "files": _chart(
            "apiVersion: v2\nname: al\nversion: 0.1.0\ndependencies:\n- name: a\n  alias: x.y\n"
            "  repository: ''\n"
        )
    },
    "err_stray_file_in_charts": {
        "files": _chart("apiVersion: v2\nname: stray\nversion: 0.1.0\n", **{"charts/README": "x"})
    },
    "err_subchart_bad_yaml": {
        "files": _chart(
            "apiVersion: v2\nname: p\nversion: 0.1.0\n",
            **{
                "charts/s/Chart.yaml": "apiVersion: v2\nname: s\nversion: 0.1.0\n",
                "charts/s/values.yaml": "x: [\n",
            },
        )
    },
    "err_null_maintainer": {
        "files": _chart("apiVersion: v2\nname: m\nversion: 0.1.0\nmaintainers: [~]\n")
    },
}
