"""Proof that the bench is real: the apiserver stores objects, helm installs, PostgreSQL answers."""

from __future__ import annotations

import asyncio
import base64
import gzip
import json
import subprocess
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from kubernetes_asyncio import client

pytestmark = pytest.mark.integration

TINY_CHART = Path(__file__).parent.parent / "charts" / "tiny"


async def test_configmap_round_trip(kube_api: client.ApiClient, namespace: str) -> None:
    core = client.CoreV1Api(kube_api)
    body = client.V1ConfigMap(metadata=client.V1ObjectMeta(name="smoke"), data={"answer": "42"})
    await core.create_namespaced_config_map(namespace, body)
    got = await core.read_namespaced_config_map("smoke", namespace)
    assert got.data == {"answer": "42"}
    assert got.metadata.uid


async def test_custom_resource_round_trip(kube_api: client.ApiClient, namespace: str) -> None:
    ext = client.ApiextensionsV1Api(kube_api)
    crd: Any = {  # a plain dict: the client serialises it as is
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "widgets.smoke.steersman.dev"},
        "spec": {
            "group": "smoke.steersman.dev",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "properties": {
                                "spec": {
                                    "type": "object",
                                    "properties": {"size": {"type": "integer"}},
                                }
                            },
                        }
                    },
                }
            ],
        },
    }
    try:
        await ext.create_custom_resource_definition(crd)
    except client.ApiException as err:
        if err.status != 409:  # another test run in this session made it already
            raise
    custom = client.CustomObjectsApi(kube_api)
    widget = {
        "apiVersion": "smoke.steersman.dev/v1",
        "kind": "Widget",
        "metadata": {"name": "w1"},
        "spec": {"size": 3},
    }
    # The CRD becomes servable a moment after creation.
    for _ in range(100):
        try:
            await custom.create_namespaced_custom_object(
                "smoke.steersman.dev", "v1", namespace, "widgets", widget
            )
            break
        except client.ApiException as err:
            if err.status != 404:
                raise
            await asyncio.sleep(0.1)
    got = await custom.get_namespaced_custom_object(
        "smoke.steersman.dev", "v1", namespace, "widgets", "w1"
    )
    assert got["spec"] == {"size": 3}


@pytest.mark.interop
async def test_helm_v4_install_writes_release_secret(
    helm_v4: Path, helm_env: dict[str, str], kube_api: client.ApiClient, namespace: str
) -> None:
    res = await asyncio.to_thread(
        subprocess.run,
        [str(helm_v4), "install", "smoke", str(TINY_CHART), "-n", namespace],
        env=helm_env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    core = client.CoreV1Api(kube_api)
    secret = await core.read_namespaced_secret("sh.helm.release.v1.smoke.v1", namespace)
    assert secret.type == "helm.sh/release.v1"
    assert secret.metadata.labels["owner"] == "helm"
    assert secret.metadata.labels["status"] == "deployed"
    helm_string = base64.b64decode(secret.data["release"])
    record = json.loads(gzip.decompress(base64.b64decode(helm_string)))
    assert record["name"] == "smoke"
    assert record["version"] == 1
    assert record["info"]["status"] == "deployed"
    cm = await core.read_namespaced_config_map("smoke-tiny", namespace)
    assert cm.data == {"greeting": "hello"}


async def test_postgres_select_one(postgres_dsn: str) -> None:
    conn = await asyncpg.connect(postgres_dsn)
    try:
        assert await conn.fetchval("SELECT 1") == 1
        assert (await conn.fetchval("SHOW server_version")).startswith("15")
    finally:
        await conn.close()


async def test_pg_database_is_fresh_and_usable(pg_database: str) -> None:
    conn = await asyncpg.connect(pg_database)
    try:
        tables = await conn.fetchval(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        assert tables == 0
    finally:
        await conn.close()
