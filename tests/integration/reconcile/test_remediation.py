"""rollback_remediation.run and uninstall_remediation.run after a failed upgrade/install (the
bench runs no Deployment controller, so waiting on an enabled Deployment fails): the records,
Remediated and Ready, the Event, the count, and the short requeue that ends the reconcile."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import (
    install,
    rollback_remediation,
    uninstall_remediation,
    upgrade,
)
from steersman.controller.reconcile.outcomes import REQUEUE_AFTER_REMEDIATION
from tests.integration.reconcile.conftest import Harness, condition, counted, states

pytestmark = pytest.mark.integration
STUCK = {"deployment": {"enabled": True}}


async def test_a_failed_upgrade_is_rolled_back_to_the_last_deployed_revision(
    harness: Harness,
) -> None:
    await harness.create({"timeout": "2s"})
    req, rec = await harness.step({"greeting": "v1"})
    assert await install.run(req, rec) is None
    req, rec = await harness.step({**STUCK, "greeting": "v2"})
    assert await upgrade.run(req, rec) is None  # failed, with a record: remediation decides
    assert states(await harness.history(req)) == [(1, "deployed"), (2, "failed")]
    assert rec.draft.upgrade_failures == 1

    harness.events.clear()
    req, rec = await harness.step({**STUCK, "greeting": "v2"})
    outcome = await rollback_remediation.run(req, rec)

    assert (outcome.result, outcome.requeue_after) == ("requeued", REQUEUE_AFTER_REMEDIATION)
    history = await harness.history(req)
    # As Helm: the failed revision stays failed, the one rolled back from is superseded.
    assert states(history) == [(1, "superseded"), (2, "failed"), (3, "deployed")]
    assert history[-1].config == {"greeting": "v1"}
    cm = await harness.ctx.kube.get("v1", "ConfigMap", "web-config", harness.namespace)
    assert cm["data"]["greeting"] == "v1"
    status = await harness.status()
    remediated = condition(status, "Remediated")
    assert remediated is not None and remediated["status"] == "True"
    assert remediated["reason"] == Reason.ROLLBACK_SUCCEEDED
    assert remediated["message"].startswith("Helm rollback to v1 succeeded: ")
    ready = condition(status, "Ready")
    assert ready is not None and ready["reason"] == Reason.ROLLBACK_SUCCEEDED
    assert condition(status, "Reconciling") is None
    assert [h["version"] for h in status["history"]][:1] == [3]
    assert harness.reasons() == [Reason.ROLLBACK_SUCCEEDED]
    assert counted(harness.ctx, "rollback", "succeeded") == 1


async def test_without_an_earlier_good_revision_rollback_stalls(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    req, rec = await harness.step(STUCK)
    assert await install.run(req, rec) is None
    assert states(await harness.history(req)) == [(1, "failed")]

    req, rec = await harness.step(STUCK)
    outcome = await rollback_remediation.run(req, rec)

    assert outcome.result == "stalled"
    stalled = condition(await harness.status(), "Stalled")
    assert stalled is not None and stalled["reason"] == Reason.MISSING_ROLLBACK_TARGET
    assert stalled["message"] == "no successful revision of web to roll back to"
    assert states(await harness.history(req)) == [(1, "failed")]


async def test_a_failed_install_is_uninstalled_and_its_records_go(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    req, rec = await harness.step(STUCK)
    assert await install.run(req, rec) is None
    assert rec.draft.install_failures == 1
    assert states(await harness.history(req)) == [(1, "failed")]

    harness.events.clear()
    req, rec = await harness.step(STUCK)
    outcome = await uninstall_remediation.run(req, rec)

    assert (outcome.result, outcome.requeue_after) == ("requeued", REQUEUE_AFTER_REMEDIATION)
    assert await harness.history(req) == []  # keepHistory is false
    kube, ns = harness.ctx.kube, harness.namespace
    assert await kube.get_or_none("v1", "ConfigMap", "web-config", ns) is None
    remediated = rec.draft.condition(ConditionType.REMEDIATED)
    assert remediated is not None and remediated.reason == Reason.UNINSTALL_SUCCEEDED
    assert remediated.message == f"Helm uninstall of failed release {ns}/web succeeded"
    assert rec.draft.history == []
    assert harness.reasons() == [Reason.UNINSTALL_SUCCEEDED]
    assert counted(harness.ctx, "uninstall", "succeeded") == 1
