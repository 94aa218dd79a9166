"""Post-rendering against the oracle, `kubectl kustomize` (kubectl 1.33, kustomize v5.6): the same
rendered manifest and the same `patches`/`images` go to both (kustomize with `sortOptions: fifo`,
as Flux keeps the rendered order); the objects must come out equal and in the same order.

Our merge keys come from the built-in table here (kubectl uses its own compiled-in schema)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack.testenv import kubectl_binary
from steersman.postrender import Image, Kustomize, Patch, PostRender, Selector, post_render

pytestmark = pytest.mark.interop

RENDERED = """---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
  labels: {app: web, tier: front}
  annotations: {team: blue}
  finalizers: [a, b]
spec:
  replicas: 1
  template:
    metadata:
      labels: {app: web}
    spec:
      initContainers:
        - name: init
          image: busybox:1.36
      containers:
        - name: app
          image: nginx:1.25
          ports:
            - containerPort: 80
            - containerPort: 9090
          env:
            - {name: A, value: "1"}
            - {name: B, value: "2"}
          volumeMounts:
            - {name: data, mountPath: /data}
        - name: side
          image: registry.example.com:5000/tools/side@sha256:0123
      volumes:
        - {name: data, emptyDir: {}}
        - {name: cache, emptyDir: {}}
---
# Source: web/templates/service.yaml
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: apps
  labels: {app: web}
spec:
  ports:
    - {port: 80, targetPort: 80, name: http}
    - {port: 443, targetPort: 443, name: https}
---
# Source: web/templates/configmaps.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: apps
  labels: {app: web, tier: back}
data: {a: "1"}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  namespace: apps
data: {b: "2"}
---
apiVersion: example.com/v1
kind: Widget
metadata:
  name: w
  namespace: apps
spec:
  items: [{name: one}, {name: two}]
"""

SMP_CONTAINERS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: apps
spec:
  template:
    spec:
      containers:
      - name: app
        env:
        - {name: B, value: changed}
        - {name: C, value: "3"}
        ports:
        - {containerPort: 9090, name: metrics}
      - name: extra
        image: extra:1
      volumes:
      - name: cache
        $patch: delete
"""

CASES: dict[str, list[dict[str, Any]]] = {
    "strategic merge by identity": [{"patch": SMP_CONTAINERS}],
    "strategic merge with a label-selected target": [
        {
            "patch": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ignored\n"
            "  labels: {patched: 'yes'}\ndata: {z: '9'}\n",
            "target": {"kind": "ConfigMap", "labelSelector": "tier in (back,front)"},
        }
    ],
    "replace and delete directives, nulls, scalar lists": [
        {
            "patch": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
            "  namespace: apps\n  finalizers: [c, a]\n  annotations: {team: null}\nspec:\n"
            "  replicas: null\n  template:\n    spec:\n      initContainers:\n"
            "      - $patch: replace\n      - {name: only, image: only:1}\n",
        }
    ],
    "custom resource lists are replaced": [
        {
            "patch": "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
            "spec:\n  items: [{name: three}]\n",
            "target": {"group": "example.com", "kind": "Widget"},
        }
    ],
    "json 6902 with regex targets": [
        {
            "patch": "- op: replace\n  path: /spec/ports/0/port\n  value: 8080\n"
            "- op: add\n  path: /metadata/labels/extra\n  value: x\n",
            "target": {"version": "v1", "kind": "Serv.*", "name": "w.b", "namespace": "apps"},
        },
        {
            "patch": '[{"op": "add", "path": "/data/new", "value": "n"}]',
            "target": {"kind": "ConfigMap", "annotationSelector": "!team", "name": ".*"},
        },
    ],
    "json 6902 after a strategic merge": [
        {"patch": SMP_CONTAINERS},
        {
            "patch": "- op: remove\n  path: /spec/template/spec/containers/1\n",
            "target": {"kind": "Deployment"},
        },
    ],
}

IMAGES = [
    {"name": "nginx", "newName": "mirror.example.com/nginx", "newTag": "1.27"},
    {"name": "busybox", "digest": "sha256:feed"},
    {"name": "registry.example.com:5000/tools/side", "newTag": "v2"},
]


def kustomize(tmp: Path, patches: list[dict[str, Any]], images: list[dict[str, Any]]) -> str:
    (tmp / "rendered.yaml").write_text(RENDERED)
    kustomization = {
        "resources": ["rendered.yaml"],
        "sortOptions": {"order": "fifo"},
        "patches": patches,
        "images": images,
    }
    (tmp / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
    proc = subprocess.run(
        [str(kubectl_binary()), "kustomize", str(tmp)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def ours(patches: list[dict[str, Any]], images: list[dict[str, Any]]) -> str:
    def selector(t: dict[str, Any] | None) -> Selector | None:
        if t is None:
            return None
        return Selector(
            group=t.get("group", ""),
            version=t.get("version", ""),
            kind=t.get("kind", ""),
            name=t.get("name", ""),
            namespace=t.get("namespace", ""),
            label_selector=t.get("labelSelector", ""),
            annotation_selector=t.get("annotationSelector", ""),
        )

    step = Kustomize(
        patches=tuple(Patch(p["patch"], selector(p.get("target"))) for p in patches),
        images=tuple(
            Image(i["name"], i.get("newName", ""), i.get("newTag", ""), i.get("digest", ""))
            for i in images
        ),
    )
    return post_render(RENDERED, PostRender((step,)))


@pytest.mark.parametrize("with_images", [False, True], ids=["patches", "patches+images"])
@pytest.mark.parametrize("case", list(CASES))
def test_same_objects_as_kubectl_kustomize(tmp_path: Path, case: str, with_images: bool) -> None:
    images = IMAGES if with_images else []
    expected = [d for d in yaml.safe_load_all(kustomize(tmp_path, CASES[case], images)) if d]
    got = [d for d in yaml.safe_load_all(ours(CASES[case], images)) if d]
    assert got == expected


def test_same_text_as_kubectl_kustomize_for_plain_objects(tmp_path: Path) -> None:
    """Beyond equal objects: the written YAML is kustomize's too (sorted keys, compact lists)."""
    patches = CASES["strategic merge by identity"]
    assert ours(patches, IMAGES) == kustomize(tmp_path, patches, IMAGES)
