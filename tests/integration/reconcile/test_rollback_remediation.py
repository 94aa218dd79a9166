"""rollback_remediation.run: a failed upgrade is rolled back to the newest successful revision
as a new revision; with none to go back to, the release stalls."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import install, rollback_remediation, upgrade
from tests.integration.reconcile.conftest import (
    FAILING,
    Harness,
    condition,
    counted,
    installed,
    states,
)

pytestmark = pytest.mark.integration


async def test_a_failed_upgrade_is_rolled_back(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    await installed(harness)
    req, rec = await harness.step(FAILING)
    assert await upgrade.run(req, rec) is None

    outcome = await rollback_remediation.run(req, rec)

    assert (outcome.result, outcome.requeue_after) == ("requeued", 1.0)
    assert states(await harness.history(req)) == [
        (1, "superseded"),
        (2, "failed"),
        (3, "deployed"),
    ]
    status = await harness.status()
    remediated = condition(status, "Remediated")
    assert remediated is not None and remediated["status"] == "True"
    assert remediated["reason"] == Reason.ROLLBACK_SUCCEEDED
    assert remediated["message"].startswith("Helm rollback to v1 succeeded: ")
    assert condition(status, "Reconciling") is None
    assert [h["version"] for h in status["history"]] == [3, 2, 1]
    assert harness.reasons()[-1] == Reason.ROLLBACK_SUCCEEDED
    assert counted(harness.ctx, "rollback", "succeeded") == 1


async def test_no_successful_revision_to_return_to_stalls(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    req, rec = await harness.step(FAILING)
    assert await install.run(req, rec) is None

    outcome = await rollback_remediation.run(req, rec)

    assert outcome.result == "stalled"
    assert states(await harness.history(req)) == [(1, "failed")]
    stalled = rec.draft.condition(ConditionType.STALLED)
    assert stalled is not None and stalled.reason == Reason.MISSING_ROLLBACK_TARGET
    assert counted(harness.ctx, "rollback", "succeeded") == 0
