"""Steersman and the real helm (v3.17.3, v4.1.4) take turns on the same releases, with secret
and sql storage: revisions continue, and every step leaves the same live objects as the same
step taken by the other tool."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from steersman.chart.loader import load
from steersman.engine.actions import (
    InstallOptions,
    RollbackOptions,
    UninstallOptions,
    UpgradeOptions,
    install,
    rollback,
    uninstall,
    upgrade,
)
from steersman.engine.context import Engine
from steersman.kube import KubeClient
from steersman.storage import DriverKind, StorageBackend
from steersman.storage.sql import SqlDsn, SqlPools
from tests.integration.engine.support import CHARTS
from tests.integration.storage.conftest import fresh_database
from tests.integration.storage.helmcli import Helm

pytestmark = [pytest.mark.integration, pytest.mark.interop]

KINDS = [("v1", "ConfigMap"), ("v1", "Secret"), ("v1", "Service"), ("apps/v1", "Deployment")]
ALL_KINDS = [*KINDS, ("v1", "ServiceAccount"), ("v1", "Pod"), ("batch/v1", "Job")]
# Fields the apiserver picks per object, not the chart: never equal between two namespaces.
VOLATILE_SPEC = ("clusterIP", "clusterIPs")


@dataclass
class Side:
    engine: Engine
    helm: Helm
    namespace: str


@pytest.fixture(params=[("v3", "secret"), ("v3", "sql"), ("v4", "secret"), ("v4", "sql")],
                ids=lambda p: f"helm{p[0]}-{p[1]}")  # fmt: skip
async def sides(
    request: pytest.FixtureRequest,
    kube: KubeClient,
    kube_api: client.ApiClient,
    helm_v3: Path,
    helm_v4: Path,
    helm_env: dict[str, str],
    postgres_dsn: str,
    namespace: str,
) -> AsyncIterator[tuple[Side, Side]]:
    """Two namespaces (one per ordering of the tools) sharing one storage backend."""
    version, kind = request.param
    binary = helm_v3 if version == "v3" else helm_v4
    core = client.CoreV1Api(kube_api)
    other = f"{namespace}-b"
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=other)))
    try:
        if kind == "secret":
            engine = Engine(kube, StorageBackend(DriverKind.SECRET, api_client=kube_api))
            yield (
                Side(engine, Helm.for_driver(binary, helm_env, namespace, kind), namespace),
                Side(engine, Helm.for_driver(binary, helm_env, other, kind), other),
            )
        else:
            async with fresh_database(postgres_dsn) as dsn:
                pools = SqlPools(SqlDsn(dsn))
                engine = Engine(kube, StorageBackend(DriverKind.SQL, sql_pools=pools))
                try:
                    yield (
                        Side(
                            engine,
                            Helm.for_driver(binary, helm_env, namespace, kind, dsn),
                            namespace,
                        ),
                        Side(engine, Helm.for_driver(binary, helm_env, other, kind, dsn), other),
                    )
                finally:
                    await pools.close()
    finally:
        await core.delete_namespace(other)


async def snapshot(
    kube: KubeClient, ns: str, kinds: list[tuple[str, str]] = KINDS
) -> dict[str, Any]:
    """What the chart controls of every object in `ns`: labels, annotations, spec and data."""
    out: dict[str, Any] = {}
    for api_version, kind in kinds:
        for obj in await kube.list(api_version, kind, ns):
            meta = obj["metadata"]
            if kind == "ConfigMap" and meta["name"] == "kube-root-ca.crt":
                continue
            if kind == "Secret" and meta["name"].startswith("sh.helm.release."):
                continue  # release records
            annotations = dict(meta.get("annotations") or {})
            if annotations.get("meta.helm.sh/release-namespace") == ns:
                annotations["meta.helm.sh/release-namespace"] = "<ns>"
            spec = {k: v for k, v in (obj.get("spec") or {}).items() if k not in VOLATILE_SPEC}
            out[f"{kind}/{meta['name']}"] = {
                "labels": meta.get("labels") or {},
                "annotations": annotations,
                "spec": spec,
                "data": obj.get("data"),
            }
    return out


def comparable(record: dict[str, Any], ns: str, v4: bool) -> dict[str, Any]:
    """A release record minus the times of the operation, and for helm v3 minus the v4-only
    keys (apply_method, chart and file modtimes) that v3 does not write."""
    out: dict[str, Any] = json.loads(json.dumps(record))
    out["namespace"] = "<ns>" if out["namespace"] == ns else out["namespace"]
    out["info"] = {k: v for k, v in out["info"].items() if k in ("status", "description", "notes")}
    if "notes" in out["info"]:
        out["info"]["notes"] = out["info"]["notes"].replace(ns, "<ns>")
    chart = out["chart"]
    for item in [chart, *(chart.get("templates") or []), *(chart.get("files") or [])]:
        if not v4:
            item.pop("modtime", None)
            item.pop("schemamodtime", None)
        elif "modtime" in item:  # the chart loader rounds file times to the microsecond
            item["modtime"] = _seconds(item["modtime"])
    if not v4:
        out.pop("apply_method", None)
    return out


def _seconds(stamp: str) -> str:
    return stamp.partition(".")[0].rstrip("Z") + "Z"


async def helm_history(side: Side) -> list[tuple[int, str, str]]:
    rows = await side.helm.json("history", "app")
    return [(h["revision"], h["status"], h["description"]) for h in rows]


def without_kept(tmp: Path, name: str) -> str:
    """The chart minus its `resource-policy: keep` object: helm (v3 and v4) cannot roll back
    to a revision holding an object it kept earlier ("no ConfigMap with the name ... found"),
    whoever installed the release, so that case is tested without helm."""
    dest = tmp / name
    shutil.copytree(CHARTS / name, dest, ignore=shutil.ignore_patterns("kept.yaml"))
    return str(dest)


async def test_helm_and_steersman_take_turns(
    sides: tuple[Side, Side], kube: KubeClient, tmp_path: Path
) -> None:
    a, b = sides
    v1, v2 = without_kept(tmp_path, "app-v1"), without_kept(tmp_path, "app-v2")
    values = {"greeting": "hi"}

    # A: Steersman installs, helm upgrades and rolls back, Steersman upgrades, helm uninstalls.
    # B: helm installs, Steersman upgrades and rolls back, helm upgrades, Steersman uninstalls.
    await install(a.engine, load(v1), values, InstallOptions(namespace=a.namespace, name="app"))
    await b.helm.run("install", "app", v1, "--set", "greeting=hi")
    assert await snapshot(kube, a.namespace) == await snapshot(kube, b.namespace)
    ours = await a.engine.storage(a.namespace).get("app", 1)
    theirs = await b.engine.storage(b.namespace).get("app", 1)
    v4 = a.helm.binary.name.endswith("v4")
    assert comparable(ours.to_json(), a.namespace, v4) == comparable(
        theirs.to_json(), b.namespace, v4
    )

    await a.helm.run("upgrade", "app", v2)
    await upgrade(b.engine, load(v2), {}, UpgradeOptions(namespace=b.namespace, name="app"))
    step2 = await snapshot(kube, a.namespace)
    assert step2 == await snapshot(kube, b.namespace)
    assert "ConfigMap/app-legacy" not in step2 and "Secret/app-extra" in step2
    assert step2["ConfigMap/app-config"]["data"]["revision"] == "two"

    await a.helm.run("rollback", "app", "1")
    await rollback(b.engine, RollbackOptions(namespace=b.namespace, name="app", version=1))
    step3 = await snapshot(kube, a.namespace)
    assert step3 == await snapshot(kube, b.namespace)
    assert "Secret/app-extra" not in step3 and "ConfigMap/app-legacy" in step3

    await upgrade(a.engine, load(v2), {}, UpgradeOptions(namespace=a.namespace, name="app"))
    await b.helm.run("upgrade", "app", v2)
    assert await snapshot(kube, a.namespace) == await snapshot(kube, b.namespace)
    if a.helm.binary.name.endswith("v4"):  # both tools apply server-side, as one manager
        for side in (a, b):
            live = await kube.get("v1", "ConfigMap", "app-config", side.namespace)
            managers = {m["manager"] for m in live["metadata"]["managedFields"]}
            assert managers == {"helm"}, managers

    for side in (a, b):
        history = await helm_history(side)
        assert [(r, s) for r, s, _ in history] == [
            (1, "superseded"),
            (2, "superseded"),
            (3, "superseded"),
            (4, "deployed"),
        ]
        assert history[2][2] == "Rollback to 1"
        assert (await side.helm.json("get", "values", "app")) == values

    await a.helm.run("uninstall", "app")
    await uninstall(b.engine, UninstallOptions(namespace=b.namespace, name="app"))
    for side in (a, b):
        left = await snapshot(kube, side.namespace)
        assert left == {}, left  # nothing orphaned
        code, _, err = await side.helm.run("history", "app", check=False)
        assert code != 0 and "release: not found" in err
        assert await side.engine.storage(side.namespace).history("app") == []


async def test_lookup_and_capabilities_render_as_helm_renders_them(
    kube: KubeClient,
    kube_api: client.ApiClient,
    helm_v4: Path,
    helm_env: dict[str, str],
    namespace: str,
) -> None:
    """Against the same cluster, `lookup` and `.Capabilities` give our renderer what helm's
    gets: the probe ConfigMap comes out identical."""
    core = client.CoreV1Api(kube_api)
    other = f"{namespace}-b"
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=other)))
    try:
        for ns in (namespace, other):
            await kube.apply(
                {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "seed"},
                 "data": {"token": "from-the-cluster"}},
                namespace=ns,
            )  # fmt: skip
        engine = Engine(kube, StorageBackend(DriverKind.SECRET, api_client=kube_api))
        await install(engine, load(CHARTS / "cluster-aware"), {},
                      InstallOptions(namespace=namespace, name="probe"))  # fmt: skip
        helm = Helm.for_driver(helm_v4, helm_env, other, "secret")
        await helm.run("install", "probe", str(CHARTS / "cluster-aware"))
        ours = (await kube.get("v1", "ConfigMap", "probe", namespace))["data"]
        theirs = (await kube.get("v1", "ConfigMap", "probe", other))["data"]
        assert ours == theirs
        assert ours["seed"] == "from-the-cluster" and ours["missing"] == "0"
        assert ours["hasDeployments"] == "true" and ours["hasMadeUp"] == "false"
        version = await kube.request("GET", "/version")
        assert ours["kube"] == f"{version['major']}.{version['minor']} {version['gitVersion']}"
    finally:
        await core.delete_namespace(other)


async def test_helm_create_chart_lands_as_helm_v4_lands_it(
    kube: KubeClient,
    kube_api: client.ApiClient,
    helm_v4: Path,
    helm_env: dict[str, str],
    namespace: str,
    tmp_path: Path,
) -> None:
    """The chart `helm create` makes, installed and upgraded by each tool, then handed over:
    same objects, same records (times aside)."""
    core = client.CoreV1Api(kube_api)
    other = f"{namespace}-b"
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=other)))
    try:
        ours_helm = Helm.for_driver(helm_v4, helm_env, namespace, "secret")
        theirs = Helm.for_driver(helm_v4, helm_env, other, "secret")
        await theirs.run("create", str(tmp_path / "web"))
        web = load(tmp_path / "web")
        engine = Engine(kube, StorageBackend(DriverKind.SECRET, api_client=kube_api))

        await install(engine, web, {}, InstallOptions(namespace=namespace, name="web"))
        await theirs.run("install", "web", str(tmp_path / "web"))
        assert await snapshot(kube, namespace, ALL_KINDS) == await snapshot(kube, other, ALL_KINDS)
        mine = await engine.storage(namespace).get("web", 1)
        helms = await engine.storage(other).get("web", 1)
        assert comparable(mine.to_json(), namespace, True) == comparable(
            helms.to_json(), other, True
        )

        values = {"replicaCount": 3, "service": {"port": 8080}}
        await upgrade(engine, web, values, UpgradeOptions(namespace=namespace, name="web"))
        await theirs.run("upgrade", "web", str(tmp_path / "web"),
                         "--set", "replicaCount=3,service.port=8080")  # fmt: skip
        assert await snapshot(kube, namespace, ALL_KINDS) == await snapshot(kube, other, ALL_KINDS)
        dep = await kube.get("apps/v1", "Deployment", "web", namespace)
        assert dep["spec"]["replicas"] == 3

        # hand over: helm upgrades ours, we upgrade helm's
        await ours_helm.run("upgrade", "web", str(tmp_path / "web"), "--reuse-values",
                            "--set", "replicaCount=1")  # fmt: skip
        await upgrade(engine, web, {**values, "replicaCount": 1},
                      UpgradeOptions(namespace=other, name="web"))  # fmt: skip
        assert await snapshot(kube, namespace, ALL_KINDS) == await snapshot(kube, other, ALL_KINDS)
        for helm in (ours_helm, theirs):
            history = await helm.json("history", "web")
            assert [h["status"] for h in history] == ["superseded", "superseded", "deployed"]
    finally:
        await core.delete_namespace(other)
