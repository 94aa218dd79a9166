"""Chart sources Flux users have (issue 13.2), through the operator: a plain `http://`
repository that answers 503 twice first (retried, `--http-retry`), `chart.valuesFiles`, a chart
pushed within `--helm-index-cache-ttl` found at once by a requested reconcile, HTTP_PROXY and
NO_PROXY in the operator's environment, and an OCI chart pinned by digest, pulled with
credentials from a kubernetes.io/dockerconfigjson Secret."""

from __future__ import annotations

import asyncio
import base64
import json
import re
import secrets
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import bcrypt
import pytest

from hack.operatorkit import SAMPLE_CHART, wait_until
from hack.testenv import OciRegistry
from hack.testkit.chart_servers import FlakyRepo, helm, helm_package
from hack.testkit.proxy import ForwardProxy
from steersman.api import annotation_names
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    annotate,
    condition,
    create,
    event_reasons,
    patch_spec,
    wait_condition,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

FAKE_HOST = "charts.proxied.test"  # only the proxy knows it is 127.0.0.1
PROD_VALUES = "greeting: from-values-prod\n"


def _chart_with_values_files(tmp: Path) -> Path:
    chart = tmp / "demo"
    shutil.copytree(SAMPLE_CHART, chart)
    (chart / "values-prod.yaml").write_text(PROD_VALUES)
    return chart


def _publish(helm_v4: Path, env: dict[str, str], chart: Path, version: str, repo: Path) -> None:
    helm_package(helm_v4, env, chart, version, repo)
    helm(helm_v4, env, "repo", "index", str(repo))


@pytest.fixture
async def http_repo(
    tmp_path: Path, helm_v4: Path, helm_env: dict[str, str]
) -> AsyncIterator[tuple[FlakyRepo, Path]]:
    chart = await asyncio.to_thread(_chart_with_values_files, tmp_path)
    repo = tmp_path / "repo"
    await asyncio.to_thread(_publish, helm_v4, helm_env, chart, "0.1.0", repo)
    server = FlakyRepo(repo)
    await server.start()
    try:
        yield server, chart
    finally:
        await server.stop()


async def test_plain_http_repo_retries_values_files_and_requested_refresh(
    e2e_kube: KubeClient,
    namespace: str,
    http_repo: tuple[FlakyRepo, Path],
    helm_v4: Path,
    helm_env: dict[str, str],
    start_operator: StartOperator,
) -> None:
    server, chart_dir = http_repo
    server.failures = {"/index.yaml": [503, 503], "/broken/index.yaml": [503] * 1000}
    op = start_operator(namespace, "--helm-index-cache-ttl", "1h")
    await op.wait_ready()
    broken = {"repository": f"{server.url}/broken", "name": "demo"}
    await create(e2e_kube, namespace, "broken", {"chart": broken, "timeout": "4s"})
    chart = {
        "repository": server.url,  # http://127.0.0.1:<port>
        "name": "demo",
        "valuesFiles": ["values.yaml", "values-prod.yaml"],
    }
    await create(e2e_kube, namespace, "web", {"chart": chart, "interval": "1h", "timeout": "60s"})

    hr = await wait_condition(e2e_kube, namespace, "web")
    version = hr["status"]["history"][0]["chartVersion"]
    assert re.fullmatch(r"0\.1\.0\+[0-9a-f]{12}", version), version
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"] == {"greeting": "from-values-prod", "chartVersion": version}
    index_statuses = [s.status for s in server.seen if s.path == "/index.yaml"]
    assert index_statuses == [503, 503, 200]  # retried, no failure reported
    assert "ArtifactFailed" not in await event_reasons(e2e_kube, namespace, "web")
    # Retries that do not fit in spec.timeout: the condition says what kept failing.
    hr = await wait_condition(e2e_kube, namespace, "broken", "Ready", "False", "ArtifactFailed")
    ready = condition(hr, "Ready")
    assert ready is not None, hr
    assert "within the HelmRelease's timeout of 4s" in ready["message"], ready
    assert "retrying after: fetching the index of" in ready["message"], ready
    assert "503 Service Unavailable" in ready["message"], ready

    # 0.2.0 is pushed while the index is cached for an hour: asking for it fails ...
    await asyncio.to_thread(_publish, helm_v4, helm_env, chart_dir, "0.2.0", server.root)
    await patch_spec(e2e_kube, namespace, "web", {"chart": {**chart, "version": "0.2.0"}})
    hr = await wait_condition(e2e_kube, namespace, "web", "Ready", "False", "ArtifactFailed")
    ready = condition(hr, "Ready")
    assert ready is not None and '"0.2.0" not found' in ready["message"], ready
    assert [s.path for s in server.seen].count("/index.yaml") == 3
    # ... until a requested reconcile, which revalidates the index at once.
    await annotate(e2e_kube, namespace, "web", annotation_names.RECONCILE)
    hr = await wait_condition(e2e_kube, namespace, "web")
    assert hr["status"]["history"][0]["chartVersion"].startswith("0.2.0+")
    assert [s.path for s in server.seen].count("/index.yaml") == 4

    # Dropping values-prod.yaml is an upgrade back to the chart's own defaults.
    await patch_spec(
        e2e_kube, namespace, "web", {"chart": {**chart, "version": "0.2.0", "valuesFiles": []}}
    )

    async def plain_greeting() -> bool:
        cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
        return bool(cm["data"] == {"greeting": "hello", "chartVersion": "0.2.0"})

    await wait_until(plain_greeting, 60, "the chart's own values after valuesFiles: []")


async def test_operator_honours_http_proxy_and_no_proxy(
    e2e_kube: KubeClient,
    namespace: str,
    http_repo: tuple[FlakyRepo, Path],
    start_operator: StartOperator,
) -> None:
    server, _ = http_repo
    proxy = ForwardProxy(hosts={FAKE_HOST: "127.0.0.1"})
    await proxy.start()
    try:
        # The apiserver is on 127.0.0.1 (loopback: never proxied, as in Go); NO_PROXY names a
        # second made-up host, which therefore is not reachable at all.
        env = {"HTTP_PROXY": proxy.url, "NO_PROXY": "bypassed.test"}
        op = start_operator(namespace, "--http-retry", "0", env=env)
        await op.wait_ready()
        via_proxy = {"repository": f"http://{FAKE_HOST}:{server.port}", "name": "demo"}
        bypassed = {"repository": f"http://bypassed.test:{server.port}", "name": "demo"}
        await create(e2e_kube, namespace, "proxied", {"chart": via_proxy, "timeout": "30s"})
        await create(e2e_kube, namespace, "direct", {"chart": bypassed, "timeout": "30s"})
        hr = await wait_condition(e2e_kube, namespace, "proxied")
        assert hr["status"]["history"][0]["chartVersion"] == "0.1.0"
        base = via_proxy["repository"]
        assert f"{base}/index.yaml" in proxy.targets("GET")
        assert f"{base}/demo-0.1.0.tgz" in proxy.targets("GET")
        hr = await wait_condition(e2e_kube, namespace, "direct", "Ready", "False", "ArtifactFailed")
        ready = condition(hr, "Ready")
        assert ready is not None and "cannot reach http://bypassed.test" in ready["message"]
        assert not any("bypassed.test" in t for t in proxy.targets())
    finally:
        await proxy.stop()


@pytest.fixture
async def protected_registry(
    tmp_path: Path, helm_v4: Path, helm_env: dict[str, str]
) -> AsyncIterator[tuple[str, str, dict[str, str]]]:
    """(address of an htpasswd registry, its password, version -> manifest digest)."""
    password = "pw-" + secrets.token_hex(8)
    htpasswd = tmp_path / "htpasswd"
    hashed = bcrypt.hashpw(password.encode(), bcrypt.gensalt(rounds=4)).decode()
    htpasswd.write_text(f"puller:{hashed}\n")
    storage = tmp_path / "storage"
    open_reg = OciRegistry(tmp_path / "open", storage=storage)
    basic = OciRegistry(tmp_path / "basic", storage=storage, htpasswd=htpasswd)
    digests: dict[str, str] = {}
    try:
        for registry in (open_reg, basic):
            await asyncio.to_thread(registry.start)
        for version in ("0.1.0", "0.2.0"):
            tgz = await asyncio.to_thread(
                helm_package, helm_v4, helm_env, SAMPLE_CHART, version, tmp_path / "out"
            )
            out = await asyncio.to_thread(
                helm, helm_v4, helm_env, "push", str(tgz), f"oci://{open_reg.address}/charts",
                "--plain-http",
            )  # fmt: skip
            match = re.search(r"Digest: (sha256:[0-9a-f]{64})", out)
            assert match, out
            digests[version] = match.group(1)
        yield basic.address, password, digests
    finally:
        for registry in (open_reg, basic):
            await asyncio.to_thread(registry.stop)


async def test_oci_digest_pin_with_dockerconfigjson_credentials(
    e2e_kube: KubeClient,
    namespace: str,
    protected_registry: tuple[str, str, dict[str, str]],
    start_operator: StartOperator,
) -> None:
    address, password, digests = protected_registry
    auth = base64.b64encode(f"puller:{password}".encode()).decode()
    config = {"auths": {f"http://{address}": {"auth": auth}, "other.io": {"auth": "eDp5"}}}
    await e2e_kube.create(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "regcred"},
            "type": "kubernetes.io/dockerconfigjson",
            "stringData": {".dockerconfigjson": json.dumps(config)},
        },
        namespace=namespace,
    )
    op = start_operator(namespace)
    await op.wait_ready()
    chart = {"repository": f"oci://{address}/charts", "name": "demo", "insecure": True}
    pinned = {**chart, "digest": digests["0.1.0"], "secretRef": {"name": "regcred"}}
    await create(e2e_kube, namespace, "pinned", {"chart": pinned, "timeout": "30s"})
    await create(e2e_kube, namespace, "anonymous", {"chart": chart, "timeout": "30s"})

    hr = await wait_condition(e2e_kube, namespace, "pinned")
    assert hr["status"]["history"][0]["chartVersion"] == "0.1.0"  # not the newer 0.2.0
    hr = await wait_condition(
        e2e_kube, namespace, "anonymous", "Ready", "False", "ArtifactFailed", current=False
    )
    ready = condition(hr, "Ready")
    assert ready is not None and "credentials" in ready["message"], ready

    # Re-pinned to 0.2.0's manifest: an upgrade to exactly that chart.
    await patch_spec(
        e2e_kube, namespace, "pinned", {"chart": {**pinned, "digest": digests["0.2.0"]}}
    )
    hr = await wait_condition(e2e_kube, namespace, "pinned")
    assert hr["status"]["history"][0]["chartVersion"] == "0.2.0"
    assert password not in op.log() and auth not in op.log()
