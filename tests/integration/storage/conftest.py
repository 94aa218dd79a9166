"""Fixtures for storage integration tests: a driver of each kind on the real bench servers."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator

import asyncpg
import pytest
from kubernetes_asyncio import client

from steersman.storage import Driver
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools

KINDS = ["secret", "configmap", "sql"]


@contextlib.asynccontextmanager
async def fresh_database(postgres_dsn: str) -> AsyncIterator[str]:
    """DSN of a new empty database on the shared server, dropped afterwards."""
    name = f"s_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield f"{postgres_dsn.rpartition('/')[0]}/{name}"
    finally:
        admin = await asyncpg.connect(postgres_dsn)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@pytest.fixture
async def sql_pools(pg_database: str) -> AsyncIterator[SqlPools]:
    pools = SqlPools(SqlDsn(pg_database), max_pools=4, pool_size=4)
    try:
        yield pools
    finally:
        await pools.close()


@pytest.fixture(params=KINDS)
async def driver(
    request: pytest.FixtureRequest, kube_api: client.ApiClient, namespace: str, postgres_dsn: str
) -> AsyncIterator[Driver]:
    """One driver per kind, bound to the test's fresh namespace (and a fresh database)."""
    kind = request.param
    if kind == "secret":
        yield SecretDriver(kube_api, namespace)
    elif kind == "configmap":
        yield ConfigMapDriver(kube_api, namespace)
    else:
        async with fresh_database(postgres_dsn) as dsn:
            pools = SqlPools(SqlDsn(dsn))
            try:
                yield SqlDriver(pools, namespace)
            finally:
                await pools.close()
