"""Failed upgrades and their remediation (rollback, uninstall), retries running out (Stalled and
the way out), and recovery from a pending record left by an operator killed mid-upgrade.

The bench runs no controller-manager, so a Deployment never becomes ready by itself: enabling
the sample chart's Deployment makes `wait` time out (a failed release), and patching the
Deployment's status plays the controller when a test needs it to succeed.
"""

from __future__ import annotations

from typing import Any

import pytest

from hack.operatorkit import wait_until
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    annotate,
    create,
    event_reasons,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BROKEN = {"greeting": "v2", "deployment": {"enabled": True}}


async def test_failed_upgrade_is_rolled_back_then_stalls_until_the_spec_is_fixed(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    body = spec(
        chart_repo,
        timeout="3s",
        values={"greeting": "v1"},
        upgrade={"remediation": {"retries": 1, "strategy": "rollback"}},
    )
    await create(e2e_kube, namespace, "app", body)
    await wait_condition(e2e_kube, namespace, "app")

    await patch_spec(e2e_kube, namespace, "app", {"values": BROKEN})
    hr = await wait_condition(
        e2e_kube, namespace, "app", "Stalled", "True", "RetriesExceeded", within=90
    )
    ready = next(c for c in hr["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False"
    # STATUS in `kubectl get hr` shows the actual failure first, on one line, then the advice.
    assert ready["message"].startswith("Helm upgrade failed: "), ready["message"]
    assert "\n" not in ready["message"]
    assert "upgrade retries exhausted" in ready["message"]
    assert "helm.steersman.dev/reset" in ready["message"]  # the way out is named
    assert hr["status"]["upgradeFailures"] == 2
    # v2 failed, v3 rolled back to v1, v4 (the retry) failed, and that last failure was rolled
    # back too (v5), like Flux's remediateLastFailure when retries are configured.
    found = await records(e2e_kube, namespace, "app")
    assert record_states(found) == [
        (1, "superseded"),
        (2, "failed"),
        (3, "superseded"),
        (4, "failed"),
        (5, "deployed"),
    ]
    reasons = await event_reasons(e2e_kube, namespace, "app")
    assert {"UpgradeFailed", "RollbackSucceeded", "RetriesExceeded"} <= set(reasons)
    cm = await e2e_kube.get("v1", "ConfigMap", "app-config", namespace)
    assert cm["data"]["greeting"] == "v1"  # the cluster is back on the last good release

    # The way out: a fixed spec resets the counters and upgrades.
    fixed = {"greeting": "v3", "deployment": {"enabled": False}}
    await patch_spec(e2e_kube, namespace, "app", {"values": fixed})
    hr = await wait_condition(e2e_kube, namespace, "app", reason="UpgradeSucceeded", within=60)
    assert hr["status"]["upgradeFailures"] == 0
    assert all(c["type"] != "Stalled" for c in hr["status"]["conditions"])
    assert hr["status"]["history"][0]["version"] == 6


async def test_failed_upgrade_is_remediated_by_uninstall(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    body = spec(
        chart_repo,
        timeout="3s",
        upgrade={"remediation": {"retries": 1, "strategy": "uninstall"}},
    )
    await create(e2e_kube, namespace, "app", body)
    await wait_condition(e2e_kube, namespace, "app")

    await patch_spec(e2e_kube, namespace, "app", {"values": BROKEN})
    # Upgrade fails -> uninstall -> a fresh install (with the broken values) fails -> out of
    # install retries (0 by default): Stalled, the failed install left for inspection.
    hr = await wait_condition(
        e2e_kube, namespace, "app", "Stalled", "True", "RetriesExceeded", within=90
    )
    reasons = await event_reasons(e2e_kube, namespace, "app")
    assert {"UpgradeFailed", "UninstallSucceeded", "InstallFailed"} <= set(reasons)
    assert record_states(await records(e2e_kube, namespace, "app")) == [(1, "failed")]
    assert hr["status"]["lastAttemptedReleaseAction"] == "install"


async def make_deployment_ready(kube: KubeClient, ns: str, name: str) -> None:
    """Play the Deployment controller for one Deployment."""
    live = await kube.get("apps/v1", "Deployment", name, ns)
    status: dict[str, Any] = {
        "observedGeneration": live["metadata"]["generation"],
        "replicas": 1,
        "updatedReplicas": 1,
        "readyReplicas": 1,
        "availableReplicas": 1,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
        ],
    }
    await kube.patch_status("apps/v1", "Deployment", name, ns, status)


async def test_pending_release_of_a_killed_operator_is_unlocked(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    first = start_operator(namespace)
    await first.wait_ready()
    await create(e2e_kube, namespace, "app", spec(chart_repo, timeout="5m"))
    await wait_condition(e2e_kube, namespace, "app")

    await patch_spec(e2e_kube, namespace, "app", {"values": BROKEN})

    async def pending() -> bool:
        return (2, "pending-upgrade") in record_states(await records(e2e_kube, namespace, "app"))

    await wait_until(pending, 30, "the upgrade to be under way")
    first.kill()  # mid-upgrade, like an OOM kill: the record stays pending-upgrade
    assert record_states(await records(e2e_kube, namespace, "app"))[-1] == (2, "pending-upgrade")

    second = start_operator(namespace)
    await second.wait_ready()

    async def retried() -> bool:
        states = record_states(await records(e2e_kube, namespace, "app"))
        return states[1:] == [(2, "failed"), (3, "pending-upgrade")]

    await wait_until(retried, 30, "the stale record to be unlocked and the upgrade retried")
    assert "PendingRelease" in await event_reasons(e2e_kube, namespace, "app")
    await make_deployment_ready(e2e_kube, namespace, "app")
    hr = await wait_condition(e2e_kube, namespace, "app", reason="UpgradeSucceeded", within=60)
    assert hr["status"]["history"][0]["version"] == 3
    assert record_states(await records(e2e_kube, namespace, "app"))[-1] == (3, "deployed")


@pytest.mark.parametrize("annotation", ["helm.steersman.dev/reset", "helm.steersman.dev/force"])
async def test_stalled_release_retries_after_reset_or_force_annotation(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    annotation: str,
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "app", spec(chart_repo, timeout="3s", values=BROKEN))
    hr = await wait_condition(e2e_kube, namespace, "app", "Stalled", "True", "RetriesExceeded")
    assert hr["status"]["installFailures"] == 1
    assert record_states(await records(e2e_kube, namespace, "app")) == [(1, "failed")]

    # The cause is fixed outside the spec (here: the Deployment becomes available), then the
    # user asks for another try.
    await make_deployment_ready(e2e_kube, namespace, "app")
    token = await annotate(e2e_kube, namespace, "app", annotation)
    hr = await wait_condition(e2e_kube, namespace, "app", reason="UpgradeSucceeded", within=60)
    handled = "lastHandledResetAt" if annotation.endswith("reset") else "lastHandledForceAt"
    assert hr["status"][handled] == token
    assert all(c["type"] != "Stalled" for c in hr["status"]["conditions"])
    # As with helm, upgrading from a failed revision supersedes it.
    assert record_states(await records(e2e_kube, namespace, "app")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]
