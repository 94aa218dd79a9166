"""upgrade.run: a new revision from the current values (the old one superseded), Released and
the Event say so; a failed wait leaves a failed record and counts against upgrade retries."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason, ReleaseAction
from steersman.controller.reconcile import install, upgrade
from tests.integration.reconcile.conftest import Harness, counted, states

pytestmark = pytest.mark.integration


async def test_upgrade_writes_a_new_revision_from_the_current_values(harness: Harness) -> None:
    await harness.create({"timeout": "20s"})
    req, rec = await harness.step({"greeting": "v1"})
    assert await install.run(req, rec) is None
    harness.events.clear()

    req, rec = await harness.step({"greeting": "v2"})
    assert await upgrade.run(req, rec) is None

    history = await harness.history(req)
    assert states(history) == [(1, "superseded"), (2, "deployed")]
    assert history[-1].config == {"greeting": "v2"}
    cm = await harness.ctx.kube.get("v1", "ConfigMap", "web-config", harness.namespace)
    assert cm["data"]["greeting"] == "v2"
    released = rec.draft.condition(ConditionType.RELEASED)
    assert released is not None and released.reason == Reason.UPGRADE_SUCCEEDED
    assert f"{harness.namespace}/web.v2 with chart demo@0.1.0" in released.message
    assert rec.draft.last_attempted_release_action is ReleaseAction.UPGRADE
    assert [v.version for v in rec.draft.history] == [2, 1]
    assert harness.reasons() == [Reason.UPGRADE_SUCCEEDED]
    assert counted(harness.ctx, "upgrade", "succeeded") == 1


async def test_a_failed_upgrade_keeps_its_record_and_counts_a_retry(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    req, rec = await harness.step()
    assert await install.run(req, rec) is None
    harness.events.clear()

    # The bench runs no Deployment controller: waiting on the Deployment times out.
    req, rec = await harness.step({"deployment": {"enabled": True}})
    assert await upgrade.run(req, rec) is None  # the loop decides on remediation

    assert states(await harness.history(req)) == [(1, "deployed"), (2, "failed")]
    assert (rec.draft.upgrade_failures, rec.draft.failures) == (1, 1)
    ready = rec.draft.condition(ConditionType.READY)
    assert ready is not None and ready.reason == Reason.UPGRADE_FAILED
    assert ready.message.startswith("Helm upgrade failed: ")
    assert harness.reasons() == [Reason.UPGRADE_FAILED]
    assert counted(harness.ctx, "upgrade", "failed") == 1
