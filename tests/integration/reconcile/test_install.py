"""install.run: the first revision is written as Helm writes it, Released says so, an Event is
posted and the action is counted; a render failure writes nothing and is retried."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason, ReleaseAction
from steersman.controller.reconcile import install
from tests.integration.reconcile.conftest import Harness, condition, counted, states

pytestmark = pytest.mark.integration


async def test_install_writes_the_first_revision_and_says_so(harness: Harness) -> None:
    await harness.create({"interval": "5m", "timeout": "20s"})
    req, rec = await harness.step({"greeting": "hi"})

    assert await install.run(req, rec) is None  # the loop decides again

    history = await harness.history(req)
    assert states(history) == [(1, "deployed")]
    assert history[0].config == {"greeting": "hi"}
    cm = await harness.ctx.kube.get("v1", "ConfigMap", "web-config", harness.namespace)
    assert cm["data"]["greeting"] == "hi"
    released = rec.draft.condition(ConditionType.RELEASED)
    assert released is not None and released.reason == Reason.INSTALL_SUCCEEDED
    assert f"{harness.namespace}/web.v1 with chart demo@0.1.0" in released.message
    assert rec.draft.last_attempted_release_action is ReleaseAction.INSTALL
    assert [v.version for v in rec.draft.history] == [1]
    assert harness.reasons() == [Reason.INSTALL_SUCCEEDED]
    assert counted(harness.ctx, "install", "succeeded") == 1
    # Written before the action ran: Reconciling while the install was in progress.
    reconciling = condition(await harness.status(), "Reconciling")
    assert reconciling is not None and reconciling["reason"] == Reason.PROGRESSING

    outcome = await rec.ready("unused: Released is already set")
    assert (outcome.result, outcome.requeue_after) == ("ok", 300.0)
    ready = condition(await harness.status(), "Ready")
    assert ready is not None and ready["status"] == "True"
    assert ready["reason"] == Reason.INSTALL_SUCCEEDED


async def test_a_chart_that_does_not_render_writes_nothing_and_is_retried(
    harness: Harness,
) -> None:
    await harness.create({"timeout": "20s"})
    req, rec = await harness.step({"deployment": "not a table"})

    outcome = await install.run(req, rec)

    assert outcome is not None and outcome.result == "failed"
    assert await harness.history(req) == []
    status = await harness.status()
    ready = condition(status, "Ready")
    assert ready is not None and ready["status"] == "False"
    assert ready["reason"] == Reason.INSTALL_FAILED
    assert ready["message"].startswith("Helm install failed: ")
    assert status["failures"] == 1
    assert status.get("installFailures", 0) == 0  # no record written: not a remediation retry
    assert harness.reasons() == [Reason.INSTALL_FAILED]
    assert counted(harness.ctx, "install", "error") == 1
