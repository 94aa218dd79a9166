"""Fixtures for the real test bench: kube-apiserver + etcd, PostgreSQL, helm v3/v4.

The bench starts once per pytest session, only when a test asks for one of its fixtures, and is
stopped at the end. Everything listens on loopback with random ports in temp dirs.
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import asyncpg
import pytest
from kubernetes_asyncio import client, config

from hack.testenv import OciRegistry, TestBench, helm_binary
from hack.testenv import helm_env as helm_env_for
from steersman.kube import KubeClient

# The template engine's disk parse cache: one private directory for the whole session (the
# operator subprocesses inherit it), never the user's ~/.cache.
_PARSE_CACHE_DIR = tempfile.mkdtemp(prefix="steersman-parse-cache-")
os.environ["STEERSMAN_PARSE_CACHE_DIR"] = _PARSE_CACHE_DIR


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    shutil.rmtree(_PARSE_CACHE_DIR, ignore_errors=True)


@pytest.fixture(scope="session")
def bench() -> Iterator[TestBench]:
    started = TestBench.start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def kubeconfig(bench: TestBench) -> Path:
    return bench.control_plane.kubeconfig


@pytest.fixture(scope="session")
async def kube_api(kubeconfig: Path) -> AsyncIterator[client.ApiClient]:
    """An async ApiClient for the bench apiserver (the one our kube facade and drivers use)."""
    cfg = client.Configuration()
    await config.load_kube_config(config_file=str(kubeconfig), client_configuration=cfg)
    api = client.ApiClient(configuration=cfg)
    try:
        yield api
    finally:
        await api.close()


@pytest.fixture(scope="session")
def kube(kube_api: client.ApiClient) -> KubeClient:
    """Our own facade (steersman.kube) on the bench apiserver."""
    return KubeClient(kube_api)


@pytest.fixture
async def namespace(kube_api: client.ApiClient) -> AsyncIterator[str]:
    """A fresh namespace per test. No controller-manager runs, so deletion only starts it."""
    name = f"t-{secrets.token_hex(4)}"
    core = client.CoreV1Api(kube_api)
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    await core.delete_namespace(name)


@pytest.fixture(scope="session")
def postgres_dsn(bench: TestBench) -> str:
    if not bench.postgres_dsn:
        raise RuntimeError("the bench has no PostgreSQL server")
    return bench.postgres_dsn


@pytest.fixture
async def pg_database(postgres_dsn: str) -> AsyncIterator[str]:
    """The DSN of a fresh empty database, dropped after the test."""
    name = f"t_{secrets.token_hex(6)}"
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    base, _, _ = postgres_dsn.rpartition("/")
    yield f"{base}/{name}"
    admin = await asyncpg.connect(postgres_dsn)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture(scope="session")
def helm_v3() -> Path:
    """The helm v3 CLI; needs no running bench."""
    return helm_binary(3)


@pytest.fixture(scope="session")
def helm_v4() -> Path:
    """The helm v4 CLI; needs no running bench."""
    return helm_binary(4)


@pytest.fixture(scope="module")
def helm_home_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for helm without a cluster, with config/cache dirs of the module's own."""
    return helm_env_for(tmp_path_factory.mktemp("helm-home"))


@pytest.fixture(scope="session")
def helm_env(bench: TestBench, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment for running helm against the bench: its own config/cache dirs, our kubeconfig."""
    return helm_env_for(tmp_path_factory.mktemp("helm-home"), bench.control_plane.kubeconfig)


@pytest.fixture(scope="session")
def oci_registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An anonymous OCI registry (Debian's docker-registry) on loopback; returns host:port."""
    registry = OciRegistry(tmp_path_factory.mktemp("oci-registry"))
    registry.start()
    try:
        yield registry.address
    finally:
        registry.stop()
