"""Install, upgrade on values/valuesFrom/chart changes, no-op reconciles, delete -> uninstall."""

from __future__ import annotations

import asyncio

import pytest

from hack.operatorkit import wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    create,
    event_reasons,
    events,
    get,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_install_then_upgrade_on_values_and_chart_change(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "web", spec(chart_repo, values={"greeting": "hi"}))

    hr = await wait_condition(e2e_kube, namespace, "web")
    status = hr["status"]
    assert status["history"][0]["version"] == 1
    assert status["history"][0]["status"] == "deployed"
    assert status["storage"] == {"driver": "secret", "namespace": namespace}
    assert status["lastAttemptedReleaseAction"] == "install"
    assert status["observedGeneration"] == hr["metadata"]["generation"]
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"] == {"greeting": "hi", "chartVersion": "0.1.0"}
    assert record_states(await records(e2e_kube, namespace, "web")) == [(1, "deployed")]
    assert "InstallSucceeded" in await event_reasons(e2e_kube, namespace, "web")
    posted = await events(e2e_kube, namespace, "web")
    assert {e["source"]["component"] for e in posted} == {"steersman"}  # not kopf's "kopf"
    assert all(e["reportingComponent"] == "steersman" for e in posted)
    assert all(e["reportingInstance"] not in ("", "dev") for e in posted)
    installed = next(e for e in posted if e["reason"] == "InstallSucceeded")
    notes = installed["metadata"]["annotations"]  # as Flux's Events: what was released
    assert notes["helm.steersman.dev/revision"] == "0.1.0"
    assert notes["helm.steersman.dev/app-version"] == "1.0"
    assert notes["helm.steersman.dev/token"] == status["lastAttemptedValuesDigest"]

    await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "bonjour"}})
    hr = await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded")
    assert hr["status"]["history"][0]["version"] == 2
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"]["greeting"] == "bonjour"

    await patch_spec(e2e_kube, namespace, "web", {"chart": {"version": "0.2.0"}})
    hr = await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded")
    assert hr["status"]["history"][0]["chartVersion"] == "0.2.0"
    assert hr["status"]["lastAttemptedChartVersion"] == "0.2.0"
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"] == {"greeting": "bonjour", "chartVersion": "0.2.0"}
    assert record_states(await records(e2e_kube, namespace, "web")) == [
        (1, "superseded"),
        (2, "superseded"),
        (3, "deployed"),
    ]
    metrics = op.metrics()
    assert 'steersman_actions_total{action="install",result="succeeded"} 1.0' in metrics
    assert 'steersman_actions_total{action="upgrade",result="succeeded"} 2.0' in metrics
    assert 'steersman_releases{ready="True"} 1.0' in metrics
    assert 'steersman_storage_operation_duration_seconds_count{driver="secret",' in metrics
    web = f'kind="HelmRelease",name="web",namespace="{namespace}"'
    assert f'steersman_reconcile_condition{{{web},status="True",type="Ready"}} 1.0' in metrics
    assert f"steersman_suspend_status{{{web}}} 0.0" in metrics
    assert f"steersman_reconcile_duration_seconds_count{{{web}}}" in metrics


async def test_unchanged_spec_reconciles_without_writes(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "quiet", spec(chart_repo, interval="1s"))
    await wait_condition(e2e_kube, namespace, "quiet")
    await asyncio.sleep(2)  # let kopf's own one-time bookkeeping settle

    before = await get(e2e_kube, namespace, "quiet")
    secrets_before = [
        r["metadata"]["resourceVersion"] for r in await records(e2e_kube, namespace, "quiet")
    ]
    reconciles_before = _reconciles(op.metrics())
    await asyncio.sleep(5)  # five intervals
    after = await get(e2e_kube, namespace, "quiet")
    secrets_after = [
        r["metadata"]["resourceVersion"] for r in await records(e2e_kube, namespace, "quiet")
    ]

    assert _reconciles(op.metrics()) >= reconciles_before + 2  # it did reconcile...
    assert after["metadata"]["resourceVersion"] == before["metadata"]["resourceVersion"]
    assert secrets_after == secrets_before  # ...and wrote nothing


def _reconciles(metrics: str) -> float:
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith('steersman_reconciles_total{result="ok"}'):
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_upgrade_when_a_values_from_configmap_changes(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    await e2e_kube.create(
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "web-values"},
            "data": {"values.yaml": "greeting: from-configmap\n"},
        },
        namespace=namespace,
    )
    op = start_operator(namespace)
    await op.wait_ready()
    body = spec(
        chart_repo,
        interval="2s",
        valuesFrom=[{"kind": "ConfigMap", "name": "web-values"}],
    )
    await create(e2e_kube, namespace, "web", body)
    await wait_condition(e2e_kube, namespace, "web")
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"]["greeting"] == "from-configmap"

    await e2e_kube.merge_patch(
        "v1", "ConfigMap", "web-values", namespace, {"data": {"values.yaml": "greeting: changed\n"}}
    )

    async def upgraded() -> bool:
        live = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
        return bool(live["data"]["greeting"] == "changed")

    await wait_until(upgraded, 30, "the upgrade with the new ConfigMap values")
    hr = await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded")
    assert hr["status"]["history"][0]["version"] == 2


async def test_delete_uninstalls_the_release(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "gone", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "gone")
    hr = await get(e2e_kube, namespace, "gone")
    assert "helm.steersman.dev/finalizer" in hr["metadata"]["finalizers"]

    await e2e_kube.delete(API_VERSION, KIND, "gone", namespace)

    async def deleted() -> bool:
        return await e2e_kube.get_or_none(API_VERSION, KIND, "gone", namespace) is None

    await wait_until(deleted, 30, "the HelmRelease to be deleted")
    assert await records(e2e_kube, namespace, "gone") == []
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "gone-config", namespace) is None
    assert "UninstallSucceeded" in await event_reasons(e2e_kube, namespace, "gone")


async def test_delete_cancels_a_stuck_install_and_uninstalls(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    # The Deployment never becomes ready on the bench: the install waits up to 10 minutes.
    body = spec(chart_repo, timeout="10m", values={"deployment": {"enabled": True}})
    await create(e2e_kube, namespace, "stuck", body)

    async def installing() -> bool:
        return record_states(await records(e2e_kube, namespace, "stuck")) == [
            (1, "pending-install")
        ]

    await wait_until(installing, 30, "the install to be under way")
    await e2e_kube.delete(API_VERSION, KIND, "stuck", namespace)

    async def deleted() -> bool:
        return await e2e_kube.get_or_none(API_VERSION, KIND, "stuck", namespace) is None

    await wait_until(deleted, 30, "the HelmRelease to be deleted long before the timeout")
    assert await records(e2e_kube, namespace, "stuck") == []
    assert await e2e_kube.get_or_none("apps/v1", "Deployment", "stuck", namespace) is None
    assert "reconcile cancelled: the HelmRelease is being deleted" in op.log()
