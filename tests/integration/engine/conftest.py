"""Fixtures for engine tests: an Engine on each storage driver, records kept in a namespace of
their own (not the release namespace)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator

import pytest
from kubernetes_asyncio import client

from steersman.engine.context import Engine
from steersman.kube import KubeClient
from steersman.storage import DriverKind, StorageBackend
from steersman.storage.sql import SqlDsn, SqlPools

DRIVERS = ["secret", "configmap", "memory", "sql"]


@pytest.fixture
async def storage_ns(kube_api: client.ApiClient) -> AsyncIterator[str]:
    name = f"rec-{secrets.token_hex(4)}"
    core = client.CoreV1Api(kube_api)
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    await core.delete_namespace(name)


@pytest.fixture(params=DRIVERS)
async def engine(
    request: pytest.FixtureRequest, kube: KubeClient, kube_api: client.ApiClient, postgres_dsn: str
) -> AsyncIterator[Engine]:
    kind = DriverKind(request.param)
    if kind is DriverKind.SQL:
        # One database per test: schema migrations run on first use.
        import asyncpg

        name = f"e_{secrets.token_hex(6)}"
        admin = await asyncpg.connect(postgres_dsn)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        pools = SqlPools(SqlDsn(f"{postgres_dsn.rpartition('/')[0]}/{name}"))
        yield Engine(kube, StorageBackend(kind, sql_pools=pools))
        await pools.close()
        admin = await asyncpg.connect(postgres_dsn)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
    else:
        yield Engine(kube, StorageBackend(kind, api_client=kube_api))


@pytest.fixture
def secret_engine(kube: KubeClient, kube_api: client.ApiClient) -> Engine:
    """For tests about the cluster side, where the driver does not matter."""
    return Engine(kube, StorageBackend(DriverKind.SECRET, api_client=kube_api))
