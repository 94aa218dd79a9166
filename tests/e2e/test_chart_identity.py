"""Chart caches never cross identities (issue 11 point 2).

A repository over HTTPS with a private CA that demands a client certificate (mutual TLS) and
basic auth; once a HelmRelease in namespace A holding all of them has installed its chart (and
so filled the operator's index and archive caches), HelmReleases in namespace B that lack any
one of them must still fail, and one in B with its own full credentials installs. Both for a
classic HTTP chart repository and for an OCI registry.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from kubernetes_asyncio import client

from hack.operatorkit import SAMPLE_CHART, push_chart
from hack.testkit.chart_servers import (
    RepoServer,
    TlsMaterial,
    make_tls_material,
    mutual_tls_registries,
)
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]

USER, PASSWORD = "reader", "pw-" + secrets.token_hex(8)


@pytest.fixture
async def other_namespace(kube_api: client.ApiClient) -> AsyncIterator[str]:
    name = f"t-{secrets.token_hex(4)}"
    core = client.CoreV1Api(kube_api)
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    yield name
    await core.delete_namespace(name)


def _http_repo_dir(tmp_path: Path, helm: Path, env: dict[str, str]) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    subprocess.run([str(helm), "package", str(SAMPLE_CHART), "--version", "0.3.0", "-d",
                    str(repo)], env=env, check=True, capture_output=True)  # fmt: skip
    subprocess.run([str(helm), "repo", "index", str(repo)], env=env, check=True)
    return repo


@pytest.fixture(params=["http", "oci"])
async def guarded_repo(
    request: pytest.FixtureRequest, tmp_path: Path, helm_v4: Path, helm_env: dict[str, str]
) -> AsyncIterator[tuple[str, TlsMaterial]]:
    """(spec.chart.repository, TLS material) of a repository wanting CA + client cert + auth."""
    tls = make_tls_material()
    if request.param == "http":
        repo_dir = await asyncio.to_thread(_http_repo_dir, tmp_path, helm_v4, helm_env)
        server = RepoServer(
            repo_dir,
            username=USER,
            password=PASSWORD,
            ssl_context=tls.server_context(tmp_path, require_client_cert=True),
        )
        await server.start()
        try:
            yield server.url, tls
        finally:
            await server.stop()
        return
    async with mutual_tls_registries(tmp_path, tls, {USER: PASSWORD}) as (open_one, guarded):
        url = await asyncio.to_thread(push_chart, helm_v4, helm_env, open_one.address, ["0.3.0"])
        yield url.replace(open_one.address, guarded.address), tls


async def _secret(kube: KubeClient, namespace: str, name: str, data: dict[str, str]) -> None:
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "stringData": data}
    await kube.create(body, namespace=namespace)


async def test_a_chart_fetched_with_credentials_is_never_lent_to_another_namespace(
    e2e_kube: KubeClient,
    namespace: str,
    other_namespace: str,
    guarded_repo: tuple[str, TlsMaterial],
    start_operator: StartOperator,
) -> None:
    url, tls = guarded_repo
    full = {
        "username": USER,
        "password": PASSWORD,
        "ca.crt": tls.ca_pem.decode(),
        "tls.crt": tls.client_cert_pem.decode(),
        "tls.key": tls.client_key_pem.decode(),
    }
    lacking = {
        "no-cert": {k: v for k, v in full.items() if k not in ("tls.crt", "tls.key")},
        "no-ca": {k: v for k, v in full.items() if k != "ca.crt"},
        "wrong-password": {**full, "password": "not-" + PASSWORD},
        "no-auth": {k: v for k, v in full.items() if k not in ("username", "password")},
    }
    await _secret(e2e_kube, namespace, "full", full)
    for name, data in lacking.items():
        await _secret(e2e_kube, other_namespace, name, data)
    await _secret(e2e_kube, other_namespace, "full", full)
    # A TLS 1.3 server that refuses a missing client certificate just disconnects, which is
    # retried as any dropped connection is (as Flux does); one retry keeps this test about
    # identities rather than about --http-retry's backoff (tested in test_flux_sources.py).
    op = start_operator(namespace, "--namespace", other_namespace, "--http-retry", "1")
    await op.wait_ready()

    def chart(secret: str | None) -> dict[str, object]:
        found: dict[str, object] = {"repository": url, "name": "demo", "version": "0.3.0"}
        return {**found, "secretRef": {"name": secret}} if secret else found

    await create(e2e_kube, namespace, "owner", {"chart": chart("full")})
    hr = await wait_condition(e2e_kube, namespace, "owner")
    assert hr["status"]["history"][0]["chartVersion"] == "0.3.0"

    # The caches now hold the index and the archive; B's lacking HelmReleases must still fail.
    for name in lacking:
        await create(e2e_kube, other_namespace, name, {"chart": chart(name)})
    await create(e2e_kube, other_namespace, "nothing", {"chart": chart(None)})
    for name in [*lacking, "nothing"]:
        hr = await wait_condition(
            e2e_kube, other_namespace, name, "Ready", "False", "ArtifactFailed", current=False
        )
        ready = condition(hr, "Ready")
        assert ready is not None and "failed to fetch chart demo" in ready["message"], name
        cms = await e2e_kube.list("v1", "ConfigMap", other_namespace)
        assert f"{name}-config" not in {c["metadata"]["name"] for c in cms}, name

    # With its own full credentials, B installs: the failures were the missing credentials.
    await create(e2e_kube, other_namespace, "own-full", {"chart": chart("full")})
    await wait_condition(e2e_kube, other_namespace, "own-full")

    for ns in (namespace, other_namespace):
        everything = json.dumps(await e2e_kube.list(API_VERSION, KIND, ns))
        events = json.dumps(await e2e_kube.list("v1", "Event", ns))
        assert PASSWORD not in everything and PASSWORD not in events
    assert PASSWORD not in op.log()
