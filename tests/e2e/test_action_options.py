"""Flux's action options through the operator: existing objects adopted (or not), client-side
apply installs a Service port without `protocol` that 1.20's server-side apply refuses, and an
action's own timeout ends a wait long before `spec.timeout`."""

from __future__ import annotations

import base64
import time
from pathlib import Path

import pytest

from hack.operatorkit import push_chart
from steersman.kube import KubeClient
from steersman.storage import decode_release
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, records, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHART_YAML = "apiVersion: v2\nname: portless\nversion: 0.1.0\n"
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: 80
"""
# Never becomes available on the bench (no controller-manager): a wait can only time out.
DEPLOYMENT = """{{- if .Values.deployment }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: web
          image: example.invalid/web:1
{{- end }}
"""


@pytest.fixture
def portless_repo(
    tmp_path: Path, helm_v4: Path, helm_env: dict[str, str], oci_registry: str
) -> str:
    chart = tmp_path / "portless"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "values.yaml").write_text("deployment: false\n")
    (chart / "templates" / "service.yaml").write_text(SERVICE)
    (chart / "templates" / "deployment.yaml").write_text(DEPLOYMENT)
    return push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"], chart_dir=chart)


def portless(repo: str, **extra: object) -> dict[str, object]:
    chart = {"repository": repo, "name": "portless", "version": "0.1.0", "insecure": True}
    return {"chart": chart, "interval": "1m", "timeout": "5m", **extra}


async def test_client_side_apply_and_a_per_action_timeout(
    e2e_kube: KubeClient, namespace: str, portless_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "ssa", portless(portless_repo))
    await create(
        e2e_kube, namespace, "csa", portless(portless_repo, install={"serverSideApply": False})
    )

    hr = await wait_condition(e2e_kube, namespace, "csa")
    stored = [
        decode_release(base64.b64decode(r["data"]["release"]))
        for r in await records(e2e_kube, namespace, "csa")
    ]
    assert [r.apply_method for r in stored] == ["csa"]
    svc = await e2e_kube.get("v1", "Service", "csa-web", namespace)
    assert [(p["port"], p["protocol"]) for p in svc["spec"]["ports"]] == [(80, "TCP")]
    assert hr["status"]["conditions"]

    hr = await wait_condition(e2e_kube, namespace, "ssa", "Ready", "False")
    ready = condition(hr, "Ready")
    assert ready is not None and "protocol" in ready["message"]

    started = time.monotonic()
    timed = portless(
        portless_repo,
        values={"deployment": True},
        install={"timeout": "3s", "serverSideApply": False},
    )
    await create(e2e_kube, namespace, "slow", timed)
    hr = await wait_condition(e2e_kube, namespace, "slow", "Released", "False", "InstallFailed")
    assert time.monotonic() - started < 60  # spec.timeout is 5m
    released = condition(hr, "Released")
    assert released is not None and "context deadline exceeded" in released["message"]
    assert "Deployment/" in released["message"]


async def test_existing_objects_are_adopted_unless_take_ownership_is_disabled(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    for name in ("adopts", "refuses"):
        body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"{name}-config"}}
        await e2e_kube.create(body, namespace=namespace)
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "adopts", spec(chart_repo))
    await create(
        e2e_kube, namespace, "refuses", spec(chart_repo, install={"disableTakeOwnership": True})
    )

    await wait_condition(e2e_kube, namespace, "adopts")
    cm = await e2e_kube.get("v1", "ConfigMap", "adopts-config", namespace)
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-name"] == "adopts"
    assert cm["data"]["greeting"] == "hello"

    hr = await wait_condition(e2e_kube, namespace, "refuses", "Ready", "False")
    ready = condition(hr, "Ready")
    assert ready is not None and "exists and cannot be imported" in ready["message"]
    cm = await e2e_kube.get("v1", "ConfigMap", "refuses-config", namespace)
    assert "data" not in cm
