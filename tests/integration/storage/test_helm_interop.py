"""Interop with the real helm v3 and v4 CLIs, for the secret, configmap and sql drivers.

Records Steersman writes must show correctly in `helm list/history/status/get` and be
uninstallable by helm; records helm writes must read correctly through our Storage, survive our
re-encoding, and still be read by helm afterwards.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from kubernetes_asyncio import client

from hack.testkit.storage_samples import TINY_CHART, make_release
from steersman.storage import Driver, Release, Status, Storage, record_key
from steersman.storage.codec import decode_payload, release_to_bytes
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools
from tests.integration.storage.conftest import fresh_database
from tests.integration.storage.helmcli import Helm, normalise

pytestmark = [pytest.mark.integration, pytest.mark.interop]


@dataclass
class Setup:
    kind: str
    helm: Helm
    driver: Driver
    namespace: str
    kube_api: client.ApiClient
    dsn: str = ""

    @property
    def storage(self) -> Storage:
        return Storage(self.driver)

    async def raw_json(self, name: str, version: int) -> dict[str, Any]:
        """The stored release JSON exactly as the backend holds it."""
        key = record_key(name, version)
        core = client.CoreV1Api(self.kube_api)
        if self.kind == "secret":
            secret = await core.read_namespaced_secret(key, self.namespace)
            return decode_payload(base64.b64decode(secret.data["release"]))
        if self.kind == "configmap":
            cm = await core.read_namespaced_config_map(key, self.namespace)
            return decode_payload(cm.data["release"])
        conn = await asyncpg.connect(self.dsn)
        try:
            body = await conn.fetchval(
                "SELECT body FROM releases_v1 WHERE key = $1 AND namespace = $2",
                key, self.namespace,
            )  # fmt: skip
        finally:
            await conn.close()
        return decode_payload(body)


@pytest.fixture(params=[(k, v) for k in ("secret", "configmap", "sql") for v in ("v3", "v4")],
                ids=lambda p: f"{p[0]}-helm{p[1]}")  # fmt: skip
async def setup(
    request: pytest.FixtureRequest,
    kube_api: client.ApiClient,
    namespace: str,
    postgres_dsn: str,
    helm_v3: Path,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> AsyncIterator[Setup]:
    kind, version = request.param
    binary = helm_v3 if version == "v3" else helm_v4
    if kind != "sql":
        driver: Driver = (SecretDriver if kind == "secret" else ConfigMapDriver)(
            kube_api, namespace
        )
        yield Setup(kind, Helm.for_driver(binary, helm_env, namespace, kind), driver, namespace,
                    kube_api)  # fmt: skip
        return
    async with fresh_database(postgres_dsn) as dsn:
        pools = SqlPools(SqlDsn(dsn))
        try:
            helm = Helm.for_driver(binary, helm_env, namespace, kind, dsn)
            yield Setup(kind, helm, SqlDriver(pools, namespace), namespace, kube_api, dsn)
        finally:
            await pools.close()


async def test_helm_reads_what_steersman_writes(setup: Setup) -> None:
    ns, helm, storage = setup.namespace, setup.helm, setup.storage
    labels = {"team": "payments"}
    await storage.create(make_release("web", 1, "superseded", ns, greeting="one", labels=labels,
                                      description="Install complete"))  # fmt: skip
    await storage.create(make_release("web", 2, "deployed", ns, greeting="two", labels=labels,
                                      description="Upgrade complete"))  # fmt: skip
    await storage.create(make_release("web", 3, "failed", ns, greeting="three", labels=labels,
                                      description='Upgrade "web" failed: boom'))  # fmt: skip

    listed = await helm.json("list")
    assert [(r["name"], r["namespace"], r["revision"], r["status"], r["chart"], r["app_version"])
            for r in listed] == [("web", ns, "3", "failed", "tiny-0.1.0", "1.0")]  # fmt: skip

    history = await helm.json("history", "web")
    assert [(h["revision"], h["status"], h["description"]) for h in history] == [
        (1, "superseded", "Install complete"),
        (2, "deployed", "Upgrade complete"),
        (3, "failed", 'Upgrade "web" failed: boom'),
    ]
    assert {h["chart"] for h in history} == {"tiny-0.1.0"}

    status = await helm.json("status", "web")
    assert status["version"] == 3 and status["namespace"] == ns
    assert status["info"]["status"] == "failed"
    assert status["info"]["notes"] == "Visit http://tiny.example\n"
    assert status["info"]["last_deployed"].startswith("2025-03-04T")
    assert status["config"] == {"greeting": "three"}
    assert [h["name"] for h in status["hooks"]] == ["web-test"]  # status omits the chart

    assert await helm.json("get", "values", "web") == {"greeting": "three"}
    assert await helm.json("get", "values", "web", "--revision", "2") == {"greeting": "two"}
    assert await helm.json("get", "values", "web", "--all") == {"greeting": "three"}
    manifest = await helm.text("get", "manifest", "web")
    assert "name: web-tiny" in manifest and 'greeting: "three"' in manifest
    hooks = await helm.text("get", "hooks", "web")
    assert "# Source: tiny/templates/tests/test.yaml" in hooks and "kind: Pod" in hooks

    if setup.kind != "sql":  # helm's --selector works only for the kube drivers
        assert [r["name"] for r in await helm.json("list", "--selector", "team=payments")] == [
            "web"
        ]
        assert await helm.json("list", "--selector", "team=other") == []
    if helm.binary.name.endswith("v4"):
        meta = await helm.json("get", "metadata", "web")
        assert meta["labels"]["team"] == "payments" and meta["revision"] == 3

    await helm.run("uninstall", "web")
    assert await storage.history("web") == []
    assert await setup.driver.list() == []


async def test_steersman_reads_what_helm_writes(setup: Setup) -> None:
    ns, helm, storage = setup.namespace, setup.helm, setup.storage
    await helm.run("install", "web", str(TINY_CHART), "--labels", "team=x")
    await helm.run("upgrade", "web", str(TINY_CHART), "--set", "greeting=bye")

    history = await storage.history("web")
    assert [(r.version, r.info.status) for r in history] == [(1, "superseded"), (2, "deployed")]
    last, deployed = await storage.last("web"), await storage.deployed("web")
    assert last == deployed and last.version == 2
    assert last.namespace == ns and last.name == "web"
    assert last.config == {"greeting": "bye"}
    assert last.info.description == "Upgrade complete"
    assert last.info.first_deployed is not None and last.info.last_deployed is not None
    assert last.chart is not None and last.chart.metadata is not None
    assert (last.chart.metadata.name, last.chart.metadata.version) == ("tiny", "0.1.0")
    assert last.chart.values == {"greeting": "hello"}
    assert last.chart.templates is not None
    assert [t.name for t in last.chart.templates] == ["templates/configmap.yaml"]
    assert 'greeting: "bye"' in last.manifest
    assert last.labels.get("team") == "x"
    if helm.binary.name.endswith("v4"):
        assert history[0].apply_method in ("ssa", "csa")

    # Re-encode helm's record through our model: semantically the same JSON...
    original = await setup.raw_json("web", 2)
    await storage.update(last)
    rewritten = await setup.raw_json("web", 2)
    assert normalise(rewritten) == normalise(original)
    assert json.loads(release_to_bytes(Release.from_json(original))) == rewritten

    # ...and helm still reads it and can build on it.
    status = await helm.json("status", "web")
    assert (status["version"], status["info"]["status"]) == (2, "deployed")
    assert await helm.json("get", "values", "web") == {"greeting": "bye"}
    await helm.run("upgrade", "web", str(TINY_CHART), "--set", "greeting=third")
    history = await storage.history("web")
    assert [(r.version, r.info.status) for r in history] == [
        (1, "superseded"), (2, "superseded"), (3, "deployed"),
    ]  # fmt: skip
    assert (await storage.deployed("web")).config == {"greeting": "third"}
    await helm.run("uninstall", "web")
    assert await storage.history("web") == []


@pytest.mark.parametrize("version", ["v3", "v4"])
async def test_sql_database_initialised_by_either_side(
    version: str, postgres_dsn: str, namespace: str, helm_v3: Path, helm_v4: Path,
    helm_env: dict[str, str],
) -> None:  # fmt: skip
    binary = helm_v3 if version == "v3" else helm_v4
    # helm first: its migrations, then our driver on the same database.
    async with fresh_database(postgres_dsn) as dsn:
        helm = Helm.for_driver(binary, helm_env, namespace, "sql", dsn)
        await helm.run("install", "byhelm", str(TINY_CHART))
        helm_rows = await migration_rows(dsn)
        pools = SqlPools(SqlDsn(dsn))
        try:
            storage = Storage(SqlDriver(pools, namespace))
            assert (await storage.deployed("byhelm")).info.status == Status.DEPLOYED
            await storage.create(make_release("byus", 1, "deployed", namespace))
        finally:
            await pools.close()
        assert await migration_rows(dsn) == helm_rows  # we did not touch helm's bookkeeping
        names = {r["name"] for r in await helm.json("list")}
        assert names == {"byhelm", "byus"}
        await helm.run("uninstall", "byhelm")
    # Steersman first: our schema, then helm on it.
    async with fresh_database(postgres_dsn) as dsn:
        pools = SqlPools(SqlDsn(dsn))
        try:
            storage = Storage(SqlDriver(pools, namespace))
            await storage.create(make_release("byus", 1, "deployed", namespace,
                                              labels={"team": "a"}))  # fmt: skip
            helm = Helm.for_driver(binary, helm_env, namespace, "sql", dsn)
            await helm.run("install", "byhelm2", str(TINY_CHART), "--labels", "team=b")
            assert {r["name"] for r in await helm.json("list")} == {"byhelm2", "byus"}
            assert [r.version for r in await storage.history("byhelm2")] == [1]
            assert (await storage.last("byhelm2")).labels == {"team": "b"}
            assert [r[0] for r in await migration_rows(dsn)] == ["custom_labels", "init"]
            await helm.run("uninstall", "byhelm2")
        finally:
            await pools.close()


async def migration_rows(dsn: str) -> list[Any]:
    conn = await asyncpg.connect(dsn)
    try:
        return [tuple(r) for r in await conn.fetch("SELECT id, applied_at FROM gorp_migrations"
                                                   " ORDER BY id")]  # fmt: skip
    finally:
        await conn.close()


async def test_helm_honours_our_pending_record(setup: Setup) -> None:
    """A pending revision Steersman left behind blocks helm upgrade; helm rollback clears it."""
    ns, helm, storage = setup.namespace, setup.helm, setup.storage
    await storage.create(make_release("web", 1, "deployed", ns, description="Install complete"))
    await storage.create(make_release("web", 2, "pending-upgrade", ns,
                                      description="Preparing upgrade"))  # fmt: skip
    assert (pending := await storage.pending("web")) is not None and pending.version == 2
    code, _, err = await helm.run("upgrade", "web", str(TINY_CHART), check=False)
    assert code != 0
    assert "another operation (install/upgrade/rollback) is in progress" in err
    await helm.run("rollback", "web", "1")
    history = {r.version: r.info.status for r in await storage.history("web")}
    assert history[1] == "superseded" and history[3] == "deployed"
    assert (await storage.deployed("web")).info.description == "Rollback to 1"
    assert await storage.pending("web") is None
    await helm.run("uninstall", "web")
