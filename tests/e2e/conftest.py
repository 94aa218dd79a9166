"""Fixtures for the end-to-end tests: the CRD on the bench apiserver, the sample chart in the
local OCI registry, and `steersman run` subprocesses (one per test, watching the test's
namespace only, so tests never see each other's HelmReleases)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest
from kubernetes_asyncio import client

from hack import testenv
from hack.operatorkit import OperatorProcess, install_crd, push_chart
from steersman.kube import KubeClient

StartOperator = Callable[..., OperatorProcess]


@pytest.fixture(scope="session")
def e2e_kube(kube_api: client.ApiClient) -> KubeClient:
    """A client that writes as a user would (its own field manager)."""
    return KubeClient(kube_api, field_manager="e2e-user")


@pytest.fixture(scope="session")
async def crd(e2e_kube: KubeClient) -> None:
    await install_crd(e2e_kube)


@pytest.fixture(scope="session")
def chart_repo(helm_v4: Path, helm_env: dict[str, str], oci_registry: str) -> str:
    """oci://<registry>/charts holding demo 0.1.0 and 0.2.0 (plain HTTP: `insecure: true`)."""
    return push_chart(helm_v4, helm_env, oci_registry, ["0.1.0", "0.2.0"])


@pytest.fixture(scope="module")
def remote_plane() -> Iterator[testenv.ControlPlane]:
    """A second etcd + kube-apiserver (own dir, ports and certificates): the remote cluster a
    HelmRelease's spec.kubeConfig points at. `inline_kubeconfig()` is what its Secret holds."""
    root = Path(tempfile.mkdtemp(prefix="steersman-remote-"))
    plane = testenv.ControlPlane(testenv.find_binaries(), root / "kube")
    try:
        plane.start()
        yield plane
    finally:
        plane.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
async def remote_kube(remote_plane: testenv.ControlPlane) -> AsyncIterator[KubeClient]:
    """The remote cluster as its admin sees it."""
    kube = await KubeClient.from_kubeconfig_data(remote_plane.inline_kubeconfig().encode())
    try:
        yield kube
    finally:
        await kube.close()


@pytest.fixture
def start_operator(kubeconfig: Path, crd: None, tmp_path: Path) -> Iterator[StartOperator]:
    started: list[OperatorProcess] = []

    def start(namespace: str, *args: str, env: Mapping[str, str] | None = None) -> OperatorProcess:
        argv: Sequence[str] = ["--namespace", namespace, "--log-format", "json", *args]
        # A test that ends with an action still waiting (a Deployment never gets ready here)
        # should not hold its teardown for the production grace period; flags still win.
        env = {"STEERSMAN_GRACEFUL_SHUTDOWN_TIMEOUT": "5s", **(env or {})}
        op = OperatorProcess(
            kubeconfig, argv, env, log_path=tmp_path / f"operator-{len(started)}.log"
        )
        op.start()
        started.append(op)
        return op

    yield start
    for op in started:
        op.stop()
        print(f"--- operator log ({op.log_path}) ---\n{op.log()[-6000:]}")
