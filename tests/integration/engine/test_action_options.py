"""The Flux action options' effects on the bench: ownership, force, preserveValues, replace,
recreate, waiting for Jobs, per-action timeouts, test filters, uninstall without waiting,
schema validation, and client-side apply where 1.20's server-side apply fails."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from steersman.chart.loader import load
from steersman.chart.model import Chart
from steersman.engine.actions import (
    ActionFailed,
    EngineError,
    InstallOptions,
    NameInUse,
    OwnershipConflict,
    RenderError,
    RollbackOptions,
    TestOptions,
    UninstallOptions,
    UpgradeOptions,
    install,
    rollback,
    run_tests,
    uninstall,
    upgrade,
)
from steersman.engine.context import Engine
from steersman.kube import KubeClient
from steersman.storage import Status
from tests.integration.engine.support import NOW, appeared, finish_pod
from tests.integration.storage.helmcli import Helm

pytestmark = pytest.mark.integration

CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  a: {{ .Values.a | quote }}
"""
IMMUTABLE_CONFIGMAP = """apiVersion: v1
kind: ConfigMap
metadata:
  name: frozen-{{ .Release.Name }}
immutable: true
data:
  version: {{ .Values.version | quote }}
"""
# No `protocol`: the apiserver defaults it, but 1.20's server-side apply refuses the list entry.
SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector:
    app: web
  ports:
    - name: http
      port: {{ .Values.port }}
{{- if .Values.extra }}
    - name: extra
      port: 9000
{{- end }}
"""
DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    rev: {{ .Values.rev | quote }}
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
"""
JOB = """apiVersion: batch/v1
kind: Job
metadata:
  name: migrate
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: migrate
          image: example.invalid/migrate:1
"""
TEST_POD = """apiVersion: v1
kind: Pod
metadata:
  name: {name}
  annotations:
    helm.sh/hook: test
spec:
  restartPolicy: Never
  containers:
    - name: t
      image: example.invalid/test:1
"""
FINALIZED = """apiVersion: v1
kind: ConfigMap
metadata:
  name: held-{{ .Release.Name }}
  finalizers: ["example.com/hold"]
data: {}
"""


def make_chart(root: Path, templates: dict[str, str], schema: str | None = None) -> Chart:
    (root / "templates").mkdir(parents=True)
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: opts\nversion: 1.0.0\n")
    (root / "values.yaml").write_text("a: one\nversion: one\nport: 80\nextra: false\nrev: one\n")
    if schema is not None:
        (root / "values.schema.json").write_text(schema)
    for name, text in templates.items():
        (root / "templates" / name).write_text(text)
    return load(root)


def opts(namespace: str, name: str = "r", **kw: object) -> InstallOptions:
    return InstallOptions(namespace=namespace, name=name, **kw)  # type: ignore[arg-type]


async def test_take_ownership_adopts_an_existing_object(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"cm.yaml": CONFIGMAP})
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"}}
    await kube.create(body, namespace=namespace)

    with pytest.raises(OwnershipConflict, match="exists and cannot be imported"):
        await install(secret_engine, ch, {}, opts(namespace, take_ownership=False))
    rel = await install(secret_engine, ch, {}, opts(namespace, take_ownership=True))

    assert rel.info.status == Status.DEPLOYED
    live = await kube.get("v1", "ConfigMap", "settings", namespace)
    assert live["data"] == {"a": "one"}
    assert live["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "Helm"
    assert live["metadata"]["annotations"]["meta.helm.sh/release-name"] == "r"


async def test_force_recreates_an_object_with_an_immutable_change(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"cm.yaml": IMMUTABLE_CONFIGMAP})
    await install(secret_engine, ch, {}, opts(namespace, name="plain"))
    await install(secret_engine, ch, {}, opts(namespace, name="forced"))
    before = await kube.get("v1", "ConfigMap", "frozen-forced", namespace)

    up = UpgradeOptions(namespace=namespace, name="plain")
    with pytest.raises(ActionFailed, match="immutable"):
        await upgrade(secret_engine, ch, {"version": "two"}, up)

    forced = UpgradeOptions(namespace=namespace, name="forced", force=True)
    rel = await upgrade(secret_engine, ch, {"version": "two"}, forced)

    assert rel.info.status == Status.DEPLOYED
    after = await kube.get("v1", "ConfigMap", "frozen-forced", namespace)
    assert after["data"] == {"version": "two"}
    assert after["metadata"]["uid"] != before["metadata"]["uid"]  # deleted and created again


async def test_preserve_values_merges_over_the_last_release(
    secret_engine: Engine, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"cm.yaml": CONFIGMAP})
    await install(secret_engine, ch, {"a": "first", "keep": {"x": 1, "y": 1}}, opts(namespace))

    reused = UpgradeOptions(namespace=namespace, name="r", reuse_values=True)
    rel = await upgrade(secret_engine, ch, {"keep": {"y": 2}}, reused)
    assert rel.config == {"a": "first", "keep": {"x": 1, "y": 2}}

    reset = UpgradeOptions(namespace=namespace, name="r", reset_values=True)
    rel = await upgrade(secret_engine, ch, {"keep": {"y": 3}}, reset)
    assert rel.config == {"keep": {"y": 3}}


async def test_replace_reuses_an_uninstalled_name_kept_with_history(
    secret_engine: Engine, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"cm.yaml": CONFIGMAP})
    await install(secret_engine, ch, {}, opts(namespace))
    kept = UninstallOptions(namespace=namespace, name="r", keep_history=True)
    await uninstall(secret_engine, kept)

    with pytest.raises(NameInUse):
        await install(secret_engine, ch, {}, opts(namespace, replace=False))
    rel = await install(secret_engine, ch, {}, opts(namespace, replace=True))

    assert (rel.version, rel.info.status) == (2, Status.DEPLOYED)
    history = await secret_engine.storage(namespace).history("r")
    assert [r.info.status for r in history] == [Status.SUPERSEDED, Status.DEPLOYED]


async def _workload_pod(kube: KubeClient, namespace: str, name: str) -> None:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "web", "image": "example.invalid/web:1"}]},
    }
    await kube.create(pod, namespace=namespace)


async def test_rollback_recreate_deletes_the_workloads_pods(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"deploy.yaml": DEPLOYMENT})
    await install(secret_engine, ch, {}, opts(namespace))
    await upgrade(secret_engine, ch, {"rev": "two"}, UpgradeOptions(namespace=namespace, name="r"))
    # The bench runs no ReplicaSet controller: these Pods stand in for the Deployment's.
    await _workload_pod(kube, namespace, "web-a")

    await rollback(secret_engine, RollbackOptions(namespace=namespace, name="r", version=1))
    assert await kube.get_or_none("v1", "Pod", "web-a", namespace) is not None

    again = RollbackOptions(namespace=namespace, name="r", version=2, recreate=True)
    rel = await rollback(secret_engine, again)

    assert rel.info.status == Status.DEPLOYED
    assert await kube.get_or_none("v1", "Pod", "web-a", namespace) is None
    live = await kube.get("apps/v1", "Deployment", "web", namespace)
    assert live["metadata"]["labels"]["rev"] == "two"


async def _start_job(kube: KubeClient, namespace: str) -> None:
    """Play the Job controller as far as starting the Job; it never completes."""
    await appeared(kube, "batch/v1", "Job", "migrate", namespace)
    status = {"startTime": NOW, "active": 1}
    await kube.patch_status("batch/v1", "Job", "migrate", namespace, status)


async def test_wait_for_jobs_and_the_install_timeout(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"job.yaml": JOB})
    waits = opts(namespace, name="waits", wait=True, wait_for_jobs=True, timeout=1.5)
    starter = asyncio.create_task(_start_job(kube, namespace))
    started = time.monotonic()
    with pytest.raises(ActionFailed) as err:
        await install(secret_engine, ch, {}, waits)
    waited = time.monotonic() - started
    await starter
    assert "Job/" in str(err.value) and "context deadline exceeded" in str(err.value)
    assert 1.5 <= waited < 10  # the action's own timeout, not the 5m default

    # Not waiting for Jobs: a started Job that never completes is ready enough (Helm 4).
    await kube.delete("batch/v1", "Job", "migrate", namespace)
    assert await kube.get_or_none("batch/v1", "Job", "migrate", namespace) is None
    nowait = opts(namespace, name="nowait", wait=True, wait_for_jobs=False, timeout=30.0)
    starter = asyncio.create_task(_start_job(kube, namespace))
    rel = await install(secret_engine, ch, {}, nowait)
    await starter
    assert rel.info.status == Status.DEPLOYED


async def test_test_filters_choose_which_tests_run(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    templates = {f"{n}.yaml": TEST_POD.format(name=n) for n in ("t-a", "t-b")}
    ch = make_chart(tmp_path, templates)
    await install(secret_engine, ch, {}, opts(namespace))

    only_a = TestOptions("r", namespace, timeout=30, include=["t-a"])
    finisher = asyncio.create_task(finish_pod(kube, namespace, "t-a"))
    rel = await run_tests(secret_engine, only_a)
    await finisher
    ran = {h.name: h.last_run.phase for h in rel.hooks}
    assert ran == {"t-a": "Succeeded", "t-b": ""}
    assert await kube.get_or_none("v1", "Pod", "t-b", namespace) is None

    not_a = TestOptions("r", namespace, timeout=30, exclude=["t-a"])
    finisher = asyncio.create_task(finish_pod(kube, namespace, "t-b"))
    rel = await run_tests(secret_engine, not_a)
    await finisher
    assert {h.name: h.last_run.phase for h in rel.hooks} == {"t-a": "Succeeded", "t-b": "Succeeded"}


async def test_test_timeout_is_its_own(
    secret_engine: Engine, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"t.yaml": TEST_POD.format(name="t-slow")})
    await install(secret_engine, ch, {}, opts(namespace))
    started = time.monotonic()
    with pytest.raises(EngineError, match="context deadline exceeded"):
        await run_tests(secret_engine, TestOptions("r", namespace, timeout=1.0))
    assert 1.0 <= time.monotonic() - started < 10


async def test_uninstall_disable_wait_does_not_wait_for_deletion(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"held.yaml": FINALIZED})
    release_free = {"metadata": {"finalizers": None}}
    await install(secret_engine, ch, {}, opts(namespace, name="waits"))
    waiting = UninstallOptions(namespace=namespace, name="waits", wait=True, timeout=1.0)
    started = time.monotonic()
    with pytest.raises(EngineError, match="timed out waiting for the deletion"):
        await uninstall(secret_engine, waiting)
    assert 1.0 <= time.monotonic() - started < 10
    await kube.merge_patch("v1", "ConfigMap", "held-waits", namespace, release_free)

    await install(secret_engine, ch, {}, opts(namespace, name="quick"))
    quick = UninstallOptions(namespace=namespace, name="quick", wait=False, timeout=30.0)
    started = time.monotonic()
    await uninstall(secret_engine, quick)
    assert time.monotonic() - started < 5
    live = await kube.get("v1", "ConfigMap", "held-quick", namespace)
    assert live["metadata"]["deletionTimestamp"]  # still held by its finalizer: not waited for
    await kube.merge_patch("v1", "ConfigMap", "held-quick", namespace, release_free)


async def test_schema_validation_can_be_disabled(
    secret_engine: Engine, namespace: str, tmp_path: Path
) -> None:
    schema = '{"type": "object", "properties": {"a": {"type": "integer"}}}'
    ch = make_chart(tmp_path, {"cm.yaml": CONFIGMAP}, schema=schema)
    with pytest.raises(RenderError, match="a"):
        await install(secret_engine, ch, {"a": "text"}, opts(namespace))
    rel = await install(
        secret_engine, ch, {"a": "text"}, opts(namespace, skip_schema_validation=True)
    )
    assert rel.info.status == Status.DEPLOYED


async def test_client_side_apply_where_server_side_apply_fails(
    secret_engine: Engine, kube: KubeClient, namespace: str, tmp_path: Path
) -> None:
    ch = make_chart(tmp_path, {"svc.yaml": SERVICE})
    with pytest.raises(ActionFailed, match="protocol"):
        await install(secret_engine, ch, {}, opts(namespace, name="ssa"))

    rel = await install(secret_engine, ch, {"extra": True}, opts(namespace, server_side=False))
    assert (rel.info.status, rel.apply_method) == (Status.DEPLOYED, "csa")
    live = await kube.get("v1", "Service", "web", namespace)
    assert [(p["name"], p["port"], p["protocol"]) for p in live["spec"]["ports"]] == [
        ("http", 80, "TCP"),
        ("extra", 9000, "TCP"),
    ]
    # Somebody else's field survives the three-way merge; the chart's dropped port goes.
    await kube.merge_patch(
        "v1", "Service", "web", namespace, {"metadata": {"labels": {"team": "ops"}}}
    )
    up = UpgradeOptions(namespace=namespace, name="r", server_side=False)
    rel = await upgrade(secret_engine, ch, {"port": 81}, up)

    assert (rel.info.status, rel.apply_method) == (Status.DEPLOYED, "csa")
    live = await kube.get("v1", "Service", "web", namespace)
    assert [(p["name"], p["port"]) for p in live["spec"]["ports"]] == [("http", 81)]
    assert live["metadata"]["labels"]["team"] == "ops"
    assert live["spec"]["clusterIP"]  # defaulted by the apiserver, left alone


@pytest.mark.interop
async def test_client_side_releases_take_turns_with_helm(
    secret_engine: Engine,
    kube: KubeClient,
    namespace: str,
    tmp_path: Path,
    helm_v3: Path,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> None:
    """Our `csa` records are what helm writes: helm v3 upgrades our client-side release, we
    upgrade helm's revision, and helm v4 (`--server-side=auto`) keeps client-side apply, which
    it must: server-side, this Service fails on 1.20."""
    ch = make_chart(tmp_path / "portless", {"svc.yaml": SERVICE})
    chart_dir = str(tmp_path / "portless")

    async def port() -> int:
        live = await kube.get("v1", "Service", "web", namespace)
        return int(live["spec"]["ports"][0]["port"])

    await install(secret_engine, ch, {}, opts(namespace, server_side=False))
    v3 = Helm.for_driver(helm_v3, helm_env, namespace, "secret")
    await v3.run("upgrade", "r", chart_dir, "--set", "port=81")
    assert await port() == 81
    client_side = UpgradeOptions(namespace=namespace, name="r", server_side=False)
    await upgrade(secret_engine, ch, {"port": 82}, client_side)
    assert await port() == 82
    v4 = Helm.for_driver(helm_v4, helm_env, namespace, "secret")
    await v4.run("upgrade", "r", chart_dir, "--set", "port=83")
    assert await port() == 83

    history = await secret_engine.storage(namespace).history("r")
    assert [(r.info.status, r.apply_method) for r in history] == [
        (Status.SUPERSEDED, ""),  # rewritten by helm v3 (which has no apply method) when
        (Status.SUPERSEDED, ""),  # it superseded it; its own revision has none either
        (Status.SUPERSEDED, "csa"),
        (Status.DEPLOYED, "csa"),
    ]
