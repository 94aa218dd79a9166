"""suspend, dependsOn, per-release storage (allowed and refused), drift detection/correction,
and the `kubectl get helmreleases` columns."""

from __future__ import annotations

import asyncio

import pytest

from hack.operatorkit import format_table, table, wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    condition,
    create,
    event_reasons,
    get,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
    wait_drift_checked,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_suspended_release_is_left_alone_and_kept_on_delete(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "paused", spec(chart_repo, interval="1s"))
    await wait_condition(e2e_kube, namespace, "paused")

    await patch_spec(e2e_kube, namespace, "paused", {"suspend": True, "values": {"greeting": "x"}})
    await asyncio.sleep(4)  # several intervals
    assert record_states(await records(e2e_kube, namespace, "paused")) == [(1, "deployed")]
    cm = await e2e_kube.get("v1", "ConfigMap", "paused-config", namespace)
    assert cm["data"]["greeting"] == "hello"

    await e2e_kube.delete(API_VERSION, KIND, "paused", namespace)

    async def deleted() -> bool:
        return await e2e_kube.get_or_none(API_VERSION, KIND, "paused", namespace) is None

    await wait_until(deleted, 30, "the suspended HelmRelease to be deleted")
    assert record_states(await records(e2e_kube, namespace, "paused")) == [(1, "deployed")]
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "paused-config", namespace) is not None


async def test_depends_on_waits_for_the_dependency(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--requeue-dependency-seconds", "1")
    await op.wait_ready()
    await create(e2e_kube, namespace, "app", spec(chart_repo, dependsOn=[{"name": "db"}]))
    hr = await wait_condition(e2e_kube, namespace, "app", "Ready", "False", "DependencyNotFound")
    ready = condition(hr, "Ready")
    assert ready is not None
    assert ready["message"].startswith(f"dependency '{namespace}/db' does not exist")
    assert await records(e2e_kube, namespace, "app") == []

    await create(e2e_kube, namespace, "db", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "db")
    await wait_condition(e2e_kube, namespace, "app")
    assert record_states(await records(e2e_kube, namespace, "app")) == [(1, "deployed")]


async def test_per_release_storage_is_used_when_allowed_and_refused_otherwise(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--allowed-storage-drivers", "configmap")
    await op.wait_ready()
    await create(e2e_kube, namespace, "cm", spec(chart_repo, storage={"driver": "configmap"}))
    await create(e2e_kube, namespace, "db", spec(chart_repo, storage={"driver": "sql"}))

    hr = await wait_condition(e2e_kube, namespace, "cm")
    assert hr["status"]["storage"] == {"driver": "configmap", "namespace": namespace}
    assert record_states(await records(e2e_kube, namespace, "cm", "ConfigMap")) == [(1, "deployed")]
    assert await records(e2e_kube, namespace, "cm", "Secret") == []

    hr = await wait_condition(e2e_kube, namespace, "db", "Stalled", "True", "StorageNotAllowed")
    stalled = condition(hr, "Stalled")
    assert stalled is not None
    assert "storage driver 'sql' is not allowed" in stalled["message"]
    assert "--allowed-storage-drivers" in stalled["message"]
    assert "StorageNotAllowed" in await event_reasons(e2e_kube, namespace, "db")


async def test_drift_is_corrected_when_enabled_and_reported_in_warn_mode(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    for name, mode in (("fixed", "enabled"), ("watched", "warn")):
        body = spec(chart_repo, interval="1s", driftDetection={"mode": mode})
        await create(e2e_kube, namespace, name, body)
        await wait_condition(e2e_kube, namespace, name)
        await wait_drift_checked(e2e_kube, namespace, name)
        # Someone edits a field the release manages.
        await e2e_kube.merge_patch(
            "v1", "ConfigMap", f"{name}-config", namespace, {"data": {"greeting": "edited"}}
        )

    async def restored() -> bool:
        live = await e2e_kube.get("v1", "ConfigMap", "fixed-config", namespace)
        return bool(live["data"]["greeting"] == "hello")

    await wait_until(restored, 30, "the drifted ConfigMap to be restored")
    await wait_condition(e2e_kube, namespace, "fixed", "Drifted", "False", "DriftCorrected")
    assert "DriftCorrected" in await event_reasons(e2e_kube, namespace, "fixed")
    assert record_states(await records(e2e_kube, namespace, "fixed")) == [(1, "deployed")]

    hr = await wait_condition(e2e_kube, namespace, "watched", "Drifted", "True", "DriftDetected")
    drifted = condition(hr, "Drifted")
    assert drifted is not None and f"ConfigMap {namespace}/watched-config" in drifted["message"]
    ready = condition(hr, "Ready")
    assert ready is not None and ready["status"] == "True"  # warn mode: still Ready
    live = await e2e_kube.get("v1", "ConfigMap", "watched-config", namespace)
    assert live["data"]["greeting"] == "edited"  # warn mode leaves it alone
    assert "DriftDetected" in await event_reasons(e2e_kube, namespace, "watched")


async def test_kubectl_get_columns(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(
        e2e_kube,
        namespace,
        "shown",
        spec(
            chart_repo,
            chart={"repository": chart_repo, "name": "demo", "version": "0.2.0", "insecure": True},
        ),
    )
    await wait_condition(e2e_kube, namespace, "shown")
    data = await table(e2e_kube, namespace)
    columns = [c["name"] for c in data["columnDefinitions"]]
    assert columns == [
        "Name",
        "Chart",
        "Version",
        "Revision",
        "App Version",
        "Ready",
        "Status",
        "Suspended",
        "Age",
        "Storage",
    ]
    cells = dict(zip(columns, data["rows"][0]["cells"], strict=True))
    assert cells["Name"] == "shown"
    assert cells["Chart"] == "demo"
    assert cells["Version"] == "0.2.0"
    assert cells["Revision"] == 1
    assert cells["Storage"] == "secret"
    assert cells["Ready"] == "True"
    assert str(cells["Status"]).startswith("Helm install succeeded")
    assert cells["App Version"] == "1.0"
    assert cells["Suspended"] is False
    # STORAGE is a wide column (priority 1): `kubectl get` shows it only with -o wide.
    printed = format_table(data, wide=True)
    header = " ".join(c.upper() for c in columns).split()  # "APP VERSION" is two words
    assert printed.splitlines()[0].split() == ["NAMESPACE", *header]
    assert format_table(data).splitlines()[0].split() == ["NAMESPACE", *header[:-1]]
    hr = await get(e2e_kube, namespace, "shown")
    assert hr["metadata"]["name"] in printed.splitlines()[1]


async def test_watch_label_selector_shards_helmreleases(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--watch-label-selector", "shard in (a, c)")
    await op.wait_ready()
    await create(e2e_kube, namespace, "mine", spec(chart_repo), labels={"shard": "a"})
    await create(e2e_kube, namespace, "other", spec(chart_repo), labels={"shard": "b"})
    await wait_condition(e2e_kube, namespace, "mine")
    await asyncio.sleep(2)
    other = await get(e2e_kube, namespace, "other")
    assert not other.get("status")  # another shard's operator owns it
    assert "helm.steersman.dev/finalizer" not in (other["metadata"].get("finalizers") or [])
    assert await records(e2e_kube, namespace, "other") == []


async def test_service_account_impersonation_limits_what_the_release_may_touch(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "limited", spec(chart_repo, serviceAccountName="deployer"))
    hr = await wait_condition(
        e2e_kube, namespace, "limited", "Ready", "False", "ServiceAccountNotFound"
    )
    missing = condition(hr, "Ready")
    assert missing is not None
    assert missing["message"].startswith(f"service account {namespace}/deployer not found")
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "deployer"}}
    await e2e_kube.create(sa, namespace=namespace)
    hr = await wait_condition(
        e2e_kube, namespace, "limited", "Ready", "False", "AccessDenied", current=False
    )
    ready = condition(hr, "Ready")
    assert ready is not None
    assert f"service account {namespace}/deployer is not allowed" in ready["message"]
    assert f"system:serviceaccount:{namespace}:deployer" in ready["message"]
    assert "forbidden" in ready["message"]
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "limited-config", namespace) is None

    # Grant the account what the chart needs; the retry (with backoff) then installs.
    rbac = "rbac.authorization.k8s.io/v1"
    await e2e_kube.create(
        {
            "apiVersion": rbac,
            "kind": "Role",
            "metadata": {"name": "deployer"},
            "rules": [
                {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["*"]},
                {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]},
            ],
        },
        namespace=namespace,
    )
    await e2e_kube.create(
        {
            "apiVersion": rbac,
            "kind": "RoleBinding",
            "metadata": {"name": "deployer"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "deployer",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": namespace}],
        },
        namespace=namespace,
    )
    await wait_condition(e2e_kube, namespace, "limited", within=60)
    cm = await e2e_kube.get("v1", "ConfigMap", "limited-config", namespace)
    assert cm["metadata"]["annotations"]["meta.helm.sh/release-name"] == "limited"


async def test_changing_the_storage_moves_the_records_without_reinstalling(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--allowed-storage-drivers", "configmap")
    await op.wait_ready()
    await create(e2e_kube, namespace, "moving", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "moving")
    await patch_spec(e2e_kube, namespace, "moving", {"values": {"greeting": "two"}})
    await wait_condition(e2e_kube, namespace, "moving", reason="UpgradeSucceeded")
    uid = (await e2e_kube.get("v1", "ConfigMap", "moving-config", namespace))["metadata"]["uid"]

    await patch_spec(e2e_kube, namespace, "moving", {"storage": {"driver": "configmap"}})
    hr = await wait_condition(e2e_kube, namespace, "moving")
    assert hr["status"]["storage"] == {"driver": "configmap", "namespace": namespace}
    assert await records(e2e_kube, namespace, "moving", "Secret") == []
    assert record_states(await records(e2e_kube, namespace, "moving", "ConfigMap")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]
    # Not reinstalled: the workload's objects were never deleted.
    live = await e2e_kube.get("v1", "ConfigMap", "moving-config", namespace)
    assert live["metadata"]["uid"] == uid
    assert "StorageMigrated" in await event_reasons(e2e_kube, namespace, "moving")


async def test_new_release_name_uninstalls_the_old_release(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "renamed", spec(chart_repo, releaseName="first"))
    await wait_condition(e2e_kube, namespace, "renamed")
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "first-config", namespace) is not None

    await patch_spec(e2e_kube, namespace, "renamed", {"releaseName": "second"})
    hr = await wait_condition(e2e_kube, namespace, "renamed", reason="InstallSucceeded")
    assert [(s["name"], s["version"]) for s in hr["status"]["history"]] == [("second", 1)]
    assert await records(e2e_kube, namespace, "first") == []
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "first-config", namespace) is None
    assert record_states(await records(e2e_kube, namespace, "second")) == [(1, "deployed")]
