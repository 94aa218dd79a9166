"""Fixtures of the chaos suite (`pytest -m chaos`): operators that can be killed and restarted,
a control plane of the module's own whose kube-apiserver can be killed or frozen, a PostgreSQL
of the module's own that can be stopped, and a database whose password is a marker.

The figures (recovery time after each fault) are printed at the end of the run.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import pytest
from kubernetes_asyncio import client, config

import hack.testenv as testenv
from hack.operatorkit import OperatorProcess, install_crd, push_chart
from steersman.kube import KubeClient
from tests.chaos.fleet import FIGURES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if FIGURES:
        terminalreporter.section("chaos figures (recovery: from the end of the fault to all Ready)")
        for line in FIGURES:
            terminalreporter.write_line(line)


@dataclass
class Operators:
    """`steersman run` processes for one test, one after the other (a kill, then a restart),
    all logging into one file."""

    kubeconfig: Path
    log_path: Path
    argv: list[str]
    env: dict[str, str]
    current: OperatorProcess | None = None

    async def start(self) -> OperatorProcess:
        op = OperatorProcess(self.kubeconfig, self.argv, self.env, log_path=self.log_path)
        op.start()
        self.current = op
        await op.wait_ready(60)
        return op

    def kill(self) -> None:
        assert self.current is not None
        self.current.kill()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self) -> None:
        """At the end of a test: SIGKILL, the graceful shutdown is tested elsewhere."""
        if self.current is not None:
            self.current.kill()


StartOperators = Callable[..., Operators]


@pytest.fixture
def operators(tmp_path: Path) -> Iterator[StartOperators]:
    made: list[Operators] = []

    def make(
        kubeconfig: Path, namespace: str, *args: str, env: Mapping[str, str] | None = None
    ) -> Operators:
        argv = ["--namespace", namespace, "--log-format", "json", *args]
        ops = Operators(kubeconfig, tmp_path / f"operator-{len(made)}.log", argv, dict(env or {}))
        made.append(ops)
        return ops

    yield make
    for ops in made:
        ops.stop()
        print(f"--- operator log ({ops.log_path}) ---\n{ops.log()[-4000:]}")


@pytest.fixture(scope="module")
def chaos_repo(helm_v4: Path, helm_home_env: dict[str, str], oci_registry: str) -> str:
    return push_chart(helm_v4, helm_home_env, oci_registry, ["0.1.0"])


@pytest.fixture(scope="session")
async def shared_crd(kube: KubeClient) -> None:
    """The HelmRelease CRD on the session bench (for faults that leave the apiserver alone)."""
    await install_crd(kube)


@pytest.fixture(scope="module")
def private_bench() -> Iterator[testenv.TestBench]:
    """etcd + kube-apiserver of this module only: its faults never touch the session bench."""
    started = testenv.TestBench.start(with_postgres=False)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
async def private_kube(private_bench: testenv.TestBench) -> AsyncIterator[KubeClient]:
    cfg = client.Configuration()
    await config.load_kube_config(
        config_file=str(private_bench.control_plane.kubeconfig), client_configuration=cfg
    )
    api = client.ApiClient(configuration=cfg)
    kube = KubeClient(api, field_manager="chaos-user")
    await install_crd(kube)
    try:
        yield kube
    finally:
        await api.close()


@pytest.fixture(scope="module")
def private_postgres(bench: testenv.TestBench) -> Iterator[testenv.Postgres]:
    """A PostgreSQL of this module only, so stopping it disturbs no other test."""
    if bench.binaries.pg_bin is None:
        pytest.fail("the chaos suite needs a local PostgreSQL it can stop and start (pg_bin)")
    root = Path(tempfile.mkdtemp(prefix="steersman-chaos-pg-"))
    root.chmod(0o755)  # the postgres system user must reach its data dir
    pg = testenv.Postgres(bench.binaries.pg_bin, root / "pg")
    pg.start()
    try:
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class MarkedDatabase:
    dsn: str  # for the operator and helm: the password is the marker
    marker: str


async def marked_database(admin_dsn: str) -> MarkedDatabase:
    """A fresh database owned by a fresh role whose password is a unique marker."""
    marker = "Pw" + secrets.token_hex(12)
    role, db = f"chaos_{secrets.token_hex(4)}", f"chaos_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{marker}'")
        await admin.execute(f"CREATE DATABASE {db} OWNER {role}")
    finally:
        await admin.close()
    host = admin_dsn.split("@", 1)[1].rsplit("/", 1)[0]
    return MarkedDatabase(f"postgresql://{role}:{marker}@{host}/{db}", marker)
