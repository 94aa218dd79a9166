"""Tenant isolation (issue 11 point 1) and the service-account conditions (issue 10 point 2).

The operator runs as a service account with only the shipped ClusterRole
(`manifests/clusterrole.yaml`); tenants A and B each have their own namespace and service
account. Tenant B's release `victim` is installed first; tenant A then tries, in each way that
was seen to work before, to write B's release history, take over B's release, or create objects
in B. Every attempt must be refused with a condition that says why, and B's release must be
left exactly as it was.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hack.operatorkit import push_chart, wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, records, spec, wait_condition
from tests.e2e.tenancy_support import (
    REACH_CHART,
    grant,
    new_namespace,
    operator_kubeconfig,
    resource_version,
    service_account,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


@dataclass
class Tenants:
    a: str
    b: str
    victim_records: list[tuple[str, str]]  # (name, resourceVersion) of B's release records
    victim_config: str | None  # resourceVersion of B's ConfigMap


@pytest.fixture(scope="module")
def reach_repo(helm_v4: Path, helm_env: dict[str, str], oci_registry: str) -> str:
    return push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"], chart_dir=REACH_CHART)


@pytest.fixture
async def restricted(e2e_kube: KubeClient, kubeconfig: Path, tmp_path: Path) -> Path:
    return await operator_kubeconfig(e2e_kube, kubeconfig, tmp_path / "steersman.kubeconfig")


async def _snapshot(kube: KubeClient, ns: str) -> list[tuple[str, str]]:
    found = await records(kube, ns, "victim")
    return [(o["metadata"]["name"], o["metadata"]["resourceVersion"]) for o in found]


@pytest.fixture
async def tenants(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    restricted: Path,
    start_operator: StartOperator,
) -> AsyncIterator[Tenants]:
    a, b = namespace, await new_namespace(e2e_kube)
    for ns in (a, b):
        await service_account(e2e_kube, ns, "tenant")
        await grant(e2e_kube, ns, "tenant", ns, "tenant")
    op = start_operator(a, "--namespace", b, "--kubeconfig", str(restricted))
    await op.wait_ready()
    await create(e2e_kube, b, "victim", spec(chart_repo, serviceAccountName="tenant"))
    await wait_condition(e2e_kube, b, "victim")
    found = await records(e2e_kube, b, "victim")
    assert [o["metadata"]["labels"]["helm.steersman.dev/namespace"] for o in found] == [b]
    yield Tenants(
        a,
        b,
        await _snapshot(e2e_kube, b),
        await resource_version(e2e_kube, "ConfigMap", "victim-config", b),
    )


async def _untouched(kube: KubeClient, t: Tenants) -> None:
    assert await _snapshot(kube, t.b) == t.victim_records
    assert await resource_version(kube, "ConfigMap", "victim-config", t.b) == t.victim_config
    victim = await kube.get(API_VERSION, KIND, "victim", t.b)
    ready = condition(victim, "Ready")
    assert ready is not None and ready["status"] == "True"


async def _stalled(kube: KubeClient, ns: str, name: str, reason: str) -> str:
    hr = await wait_condition(kube, ns, name, "Stalled", "True", reason)
    ready = condition(hr, "Ready")
    assert ready is not None and ready["status"] == "False" and ready["reason"] == reason
    return str(ready["message"])


async def test_storage_namespace_of_another_tenant_is_refused(
    e2e_kube: KubeClient, tenants: Tenants, chart_repo: str
) -> None:
    a, b = tenants.a, tenants.b
    # Without a service account the records would be written with the operator's rights.
    await create(e2e_kube, a, "forger", spec(chart_repo, storageNamespace=b, releaseName="victim"))
    message = await _stalled(e2e_kube, a, "forger", "AccessDenied")
    assert f"spec.storageNamespace '{b}'" in message
    assert "--allow-cross-namespace-releases" in message
    # With A's service account, which has no rights in B: refused for that account.
    await create(
        e2e_kube,
        a,
        "forger-sa",
        spec(chart_repo, storageNamespace=b, releaseName="victim", serviceAccountName="tenant"),
    )
    message = await _stalled(e2e_kube, a, "forger-sa", "AccessDenied")
    assert f"service account {a}/tenant may not get secrets in namespace '{b}'" in message
    await _untouched(e2e_kube, tenants)


async def test_release_of_another_helmrelease_is_never_taken_over(
    e2e_kube: KubeClient, tenants: Tenants, chart_repo: str
) -> None:
    a, b = tenants.a, tenants.b
    # The case seen: no service account, targetNamespace B, releaseName victim.
    await create(e2e_kube, a, "taker", spec(chart_repo, targetNamespace=b, releaseName="victim"))
    message = await _stalled(e2e_kube, a, "taker", "AccessDenied")
    assert f"spec.targetNamespace '{b}'" in message

    # Even an account that B's admin did allow into B may not take over B's HelmRelease's
    # release: neither through B's storage nor by keeping a second history in A.
    await grant(e2e_kube, b, "from-a", a, "tenant")
    await create(
        e2e_kube,
        a,
        "taker-sa",
        spec(
            chart_repo,
            targetNamespace=b,
            releaseName="victim",
            serviceAccountName="tenant",
            storageNamespace=b,
        ),
    )
    message = await _stalled(e2e_kube, a, "taker-sa", "OwnedByOtherHelmRelease")
    assert f"belongs to HelmRelease {b}/victim" in message
    await create(
        e2e_kube,
        a,
        "taker-two",
        spec(chart_repo, targetNamespace=b, releaseName="victim", serviceAccountName="tenant"),
    )
    message = await _stalled(e2e_kube, a, "taker-two", "OwnedByOtherHelmRelease")
    assert f"release {b}/victim belongs to HelmRelease {b}/victim" in message

    # Deleting them uninstalls nothing of B's.
    for name in ("taker", "taker-sa", "taker-two"):
        await e2e_kube.delete(API_VERSION, KIND, name, a)

    async def gone() -> bool:
        left = [await e2e_kube.get_or_none(API_VERSION, KIND, n, a) for n in ("taker", "taker-sa")]
        return all(hr is None for hr in left) and (
            await e2e_kube.get_or_none(API_VERSION, KIND, "taker-two", a) is None
        )

    await wait_until(gone, 30, "the refused HelmReleases to be deleted")
    await _untouched(e2e_kube, tenants)


async def test_chart_objects_in_another_namespace_need_a_service_account(
    e2e_kube: KubeClient, tenants: Tenants, reach_repo: str
) -> None:
    a, b = tenants.a, tenants.b
    chart = {"repository": reach_repo, "name": "reach", "version": "0.1.0", "insecure": True}
    body = {"chart": chart, "interval": "1m", "timeout": "30s", "values": {"namespace": b}}
    await create(e2e_kube, a, "reacher", body)
    hr = await wait_condition(e2e_kube, a, "reacher", "Ready", "False", "InstallFailed")
    ready = condition(hr, "Ready")
    assert ready is not None
    assert "outside the namespaces this release may use" in ready["message"]
    assert f'ConfigMap "reacher-reach" in namespace "{b}"' in ready["message"]
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "reacher-reach", b) is None
    assert await records(e2e_kube, a, "reacher") == []  # refused before anything was stored

    # The same chart in its own namespace installs (the operator's rights, its own namespace).
    await create(e2e_kube, a, "homebody", {**body, "values": {}})
    await wait_condition(e2e_kube, a, "homebody")
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "homebody-reach", a) is not None
    await _untouched(e2e_kube, tenants)


async def test_missing_or_unauthorised_service_account_is_named(
    e2e_kube: KubeClient, tenants: Tenants, chart_repo: str
) -> None:
    a = tenants.a
    await create(e2e_kube, a, "ghost", spec(chart_repo, serviceAccountName="nobody"))
    hr = await wait_condition(e2e_kube, a, "ghost", "Ready", "False", "ServiceAccountNotFound")
    ready = condition(hr, "Ready")
    assert ready is not None
    assert ready["message"].startswith(f"service account {a}/nobody not found")

    await service_account(e2e_kube, a, "powerless")
    await create(e2e_kube, a, "weak", spec(chart_repo, serviceAccountName="powerless"))
    hr = await wait_condition(e2e_kube, a, "weak", "Ready", "False", "AccessDenied")
    ready = condition(hr, "Ready")
    assert ready is not None
    assert f"service account {a}/powerless" in ready["message"]
    assert "forbidden" in ready["message"] and "configmaps" in ready["message"]

    # Creating the missing account (with rights) is picked up by the retry.
    await service_account(e2e_kube, a, "nobody")
    await grant(e2e_kube, a, "nobody", a, "nobody")
    await wait_condition(e2e_kube, a, "ghost", within=90)


async def test_missing_default_service_account_is_named(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--default-service-account", "fallback")
    await op.wait_ready()
    await create(e2e_kube, namespace, "plain", spec(chart_repo))
    hr = await wait_condition(
        e2e_kube, namespace, "plain", "Ready", "False", "ServiceAccountNotFound"
    )
    ready = condition(hr, "Ready")
    assert ready is not None
    assert ready["message"].startswith(f"service account {namespace}/fallback not found")
    assert await records(e2e_kube, namespace, "plain") == []

    await service_account(e2e_kube, namespace, "fallback")
    hr = await wait_condition(
        e2e_kube, namespace, "plain", "Ready", "False", "AccessDenied", within=90
    )
    ready = condition(hr, "Ready")
    assert ready is not None and f"service account {namespace}/fallback" in ready["message"]
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "plain-config", namespace) is None
