"""A chart from a classic HTTPS chart repository (index.yaml) served locally with a certificate
from a private CA and basic auth; the CA and credentials come from the HelmRelease's secretRef."""

from __future__ import annotations

import asyncio
import base64
import secrets
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web

from hack.operatorkit import SAMPLE_CHART
from hack.testenv.parts import free_port
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]

USER, PASSWORD = "reader", "pw-" + secrets.token_hex(8)


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def _certificates(d: Path) -> None:
    """ca.crt, and srv.crt/srv.key for 127.0.0.1 signed by it."""
    _openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
             "ca.crt", "-days", "1", "-subj", "/CN=steersman-test-ca", cwd=d)  # fmt: skip
    _openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key", "-out", "srv.csr",
             "-subj", "/CN=127.0.0.1", cwd=d)  # fmt: skip
    (d / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
             "-CAcreateserial", "-out", "srv.crt", "-days", "1", "-extfile", "san.ext",
             cwd=d)  # fmt: skip


def _prepare(tmp_path: Path, helm: Path, env: dict[str, str]) -> Path:
    """The repository directory (chart archive + index.yaml) and the certificates."""
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([str(helm), "package", str(SAMPLE_CHART), "--version", "0.3.0", "-d",
                    str(repo)], env=env, check=True, capture_output=True)  # fmt: skip
    subprocess.run([str(helm), "repo", "index", str(repo)], env=env, check=True)
    _certificates(tmp_path)
    return repo


@pytest.fixture
async def https_repo(
    tmp_path: Path, helm_v4: Path, helm_env: dict[str, str]
) -> AsyncIterator[tuple[str, bytes]]:
    """(repository URL, CA certificate PEM) of a repository holding demo 0.3.0."""
    repo = await asyncio.to_thread(_prepare, tmp_path, helm_v4, helm_env)
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    async def serve(request: web.Request) -> web.StreamResponse:
        if request.headers.get("Authorization") != expected:
            return web.Response(status=401, headers={"WWW-Authenticate": "Basic"})
        path = repo / request.match_info["name"]
        if not path.is_file():
            return web.Response(status=404)
        return web.FileResponse(path)

    app = web.Application()
    app.router.add_get("/{name}", serve)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(tmp_path / "srv.crt", tmp_path / "srv.key")
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, ssl_context=ctx).start()
    try:
        yield f"https://127.0.0.1:{port}", (tmp_path / "ca.crt").read_bytes()
    finally:
        await runner.cleanup()


async def test_chart_from_https_repository_with_private_ca_and_basic_auth(
    e2e_kube: KubeClient,
    namespace: str,
    https_repo: tuple[str, bytes],
    start_operator: StartOperator,
) -> None:
    url, ca = https_repo
    await e2e_kube.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "repo-auth"},
            "stringData": {"username": USER, "password": PASSWORD, "ca.crt": ca.decode()},
        },
        namespace=namespace,
    )
    op = start_operator(namespace)
    await op.wait_ready()
    chart = {"repository": url, "name": "demo", "version": ">=0.3.0"}
    await create(
        e2e_kube, namespace, "web", {"chart": {**chart, "secretRef": {"name": "repo-auth"}}}
    )
    await create(e2e_kube, namespace, "untrusted", {"chart": chart})

    hr = await wait_condition(e2e_kube, namespace, "web")
    assert hr["status"]["history"][0]["chartVersion"] == "0.3.0"
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"]["chartVersion"] == "0.3.0"

    hr = await wait_condition(
        e2e_kube, namespace, "untrusted", "Ready", "False", "ArtifactFailed", current=False
    )
    ready = condition(hr, "Ready")
    assert ready is not None and "failed to fetch chart demo" in ready["message"]
    assert PASSWORD not in op.log()
