"""Byte-level round trip of records real helm wrote for a chart using every record feature.

The chart has maintainers, dependencies (a subchart with alias, tags, import-values), a lock,
a values schema, extra files and a hook that really runs, so the record carries every part of
the release v1 schema that helm fills. Decoding and re-encoding through our model must give
helm v4's JSON byte for byte and helm v3's up to its "" spelling of zero times, and helm must
still read the record after Steersman rewrote it.
"""

from __future__ import annotations

import base64
import gzip
import json
from pathlib import Path

import pytest
from kubernetes_asyncio import client

from steersman.storage import Release, Storage
from steersman.storage.codec import release_to_bytes
from steersman.storage.kube_drivers import SecretDriver
from tests.integration.storage.helmcli import Helm, normalise

pytestmark = [pytest.mark.integration, pytest.mark.interop]

CHART_YAML = """\
apiVersion: v2
name: rich
version: 1.2.3
appVersion: "2.0"
description: A chart that fills every field of the record
home: https://example.com/rich
sources: [https://example.com/src]
keywords: [a, b]
maintainers:
  - {name: Ann, email: ann@example.com, url: https://example.com/ann}
icon: https://example.com/icon.png
kubeVersion: ">=1.16.0-0"
annotations: {category: test, "example.com/x": "y"}
type: application
dependencies:
  - name: sub
    version: 0.1.0
    repository: file://charts/sub
    condition: sub.enabled
    tags: [backend]
    alias: child
    import-values: [{child: exported, parent: imported}]
"""
LOCK = """\
dependencies:
- name: sub
  repository: file://charts/sub
  version: 0.1.0
digest: sha256:0000000000000000000000000000000000000000000000000000000000000000
generated: "2025-01-02T03:04:05.123456789Z"
"""
SCHEMA = '{"type": "object", "properties": {"replicas": {"type": "integer"}}}\n'
VALUES = "replicas: 2\nratio: 1.5\nnested: {list: [1, two, {three: 3}], empty: {}}\n"
CONFIGMAP = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-rich
data:
  replicas: {{ .Values.replicas | quote }}
"""
HOOK = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-hook
  annotations:
    helm.sh/hook: post-install,post-upgrade
    helm.sh/hook-weight: "5"
    helm.sh/hook-delete-policy: before-hook-creation
data: {}
"""


def write_chart(root: Path) -> Path:
    chart = root / "rich"
    (chart / "templates").mkdir(parents=True)
    (chart / "charts" / "sub" / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "Chart.lock").write_text(LOCK)
    (chart / "values.yaml").write_text(VALUES)
    (chart / "values.schema.json").write_text(SCHEMA)
    (chart / "README.md").write_text("# rich <&> chart\n")
    (chart / ".helmignore").write_text("*.tgz\n")
    (chart / "templates" / "configmap.yaml").write_text(CONFIGMAP)
    (chart / "templates" / "hook.yaml").write_text(HOOK)
    (chart / "templates" / "NOTES.txt").write_text("Installed {{ .Release.Name }} <ok>\n")
    sub = chart / "charts" / "sub"
    (sub / "Chart.yaml").write_text("apiVersion: v2\nname: sub\nversion: 0.1.0\n")
    (sub / "values.yaml").write_text("exported: {x: 1}\n")
    (sub / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-sub\n"
    )
    return chart


@pytest.mark.parametrize("version", ["v3", "v4"])
async def test_rich_record_round_trip(
    version: str, kube_api: client.ApiClient, namespace: str, helm_v3: Path, helm_v4: Path,
    helm_env: dict[str, str], tmp_path: Path,
) -> None:  # fmt: skip
    chart = write_chart(tmp_path)
    helm = Helm.for_driver(helm_v3 if version == "v3" else helm_v4, helm_env, namespace, "secret")
    await helm.run("install", "rich", str(chart), "--set", "replicas=3", "--labels", "team=x")

    core = client.CoreV1Api(kube_api)
    secret = await core.read_namespaced_secret("sh.helm.release.v1.rich.v1", namespace)
    raw = gzip.decompress(base64.b64decode(base64.b64decode(secret.data["release"])))
    doc = json.loads(raw)
    rel = Release.from_json(doc)

    # Every part is typed, not left in `extra`.
    assert rel.chart is not None and rel.chart.metadata is not None and rel.chart.lock is not None
    meta = rel.chart.metadata
    maintainer, dependency = meta.maintainers[0], meta.dependencies[0]
    assert maintainer is not None and maintainer.email == "ann@example.com"
    assert dependency is not None and dependency.alias == "child"
    assert dependency.tags == ["backend"]
    assert dependency.import_values == [{"child": "exported", "parent": "imported"}]
    assert meta.annotations == {"category": "test", "example.com/x": "y"}
    assert rel.chart.lock.generated == "2025-01-02T03:04:05.123456789Z"
    assert rel.chart.schema == SCHEMA.encode()
    assert rel.chart.files is not None
    assert {f.name for f in rel.chart.files} >= {"README.md", ".helmignore"}
    hook = rel.hooks[0]
    assert (hook.events, hook.weight, hook.last_run.phase) == (
        ["post-install", "post-upgrade"], 5, "Succeeded",
    )  # fmt: skip
    assert hook.last_run.started_at is not None and hook.last_run.completed_at is not None
    assert rel.info.notes == "Installed rich <ok>\n"
    for part in (rel, rel.info, rel.chart, meta, rel.chart.lock, hook, hook.last_run):
        assert part.extra == {}, part

    ours = release_to_bytes(rel)
    if version == "v4":
        # Go escapes <, > and & in strings; that is the only byte difference allowed.
        go_style = (
            ours.replace(b"<", b"\\u003c").replace(b">", b"\\u003e").replace(b"&", b"\\u0026")
        )
        assert go_style == raw
    assert json.loads(ours) == normalise(doc)

    # Steersman rewrites the record; helm reads it and upgrades on top of it.
    storage = Storage(SecretDriver(kube_api, namespace))
    stored = await storage.get("rich", 1)
    assert stored.labels == {"team": "x"}
    await storage.update(stored)
    status = await helm.json("status", "rich")
    assert status["info"]["status"] == "deployed" and status["config"] == {"replicas": 3}
    await helm.run("upgrade", "rich", str(chart), "--reuse-values")
    last = await storage.last("rich")
    assert (last.version, last.config, last.labels) == (2, {"replicas": 3}, {"team": "x"})
    await helm.run("uninstall", "rich")
