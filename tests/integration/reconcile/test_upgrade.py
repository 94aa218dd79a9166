"""upgrade.run: a new revision from the current values supersedes the last; one that fails
after writing its record counts against the upgrade retries."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason, ReleaseAction
from steersman.controller.reconcile import upgrade
from tests.integration.reconcile.conftest import (
    FAILING,
    Harness,
    condition,
    counted,
    installed,
    states,
)

pytestmark = pytest.mark.integration


async def test_upgrade_supersedes_the_deployed_revision(harness: Harness) -> None:
    await harness.create({"timeout": "20s"})
    await installed(harness)
    req, rec = await harness.step({"greeting": "bonjour"})

    assert await upgrade.run(req, rec) is None

    assert states(await harness.history(req)) == [(1, "superseded"), (2, "deployed")]
    cm = await harness.ctx.kube.get("v1", "ConfigMap", "web-config", harness.namespace)
    assert cm["data"]["greeting"] == "bonjour"
    released = rec.draft.condition(ConditionType.RELEASED)
    assert released is not None and released.reason == Reason.UPGRADE_SUCCEEDED
    assert rec.draft.last_attempted_release_action is ReleaseAction.UPGRADE
    assert [v.version for v in rec.draft.history] == [2, 1]
    assert harness.reasons()[-1] == Reason.UPGRADE_SUCCEEDED
    assert counted(harness.ctx, "upgrade", "succeeded") == 1


async def test_a_failed_upgrade_records_failed_and_counts_a_retry(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    await installed(harness)
    req, rec = await harness.step(FAILING)

    assert await upgrade.run(req, rec) is None  # the loop decides: remediate or stall

    # As helm: the previous revision stays deployed beside the failed one.
    assert states(await harness.history(req)) == [(1, "deployed"), (2, "failed")]
    assert (rec.draft.upgrade_failures, rec.draft.failures) == (1, 1)
    released = rec.draft.condition(ConditionType.RELEASED)
    ready = rec.draft.condition(ConditionType.READY)
    assert released is not None and released.reason == Reason.UPGRADE_FAILED
    assert ready is not None and ready.reason == Reason.UPGRADE_FAILED
    assert ready.message.startswith("Helm upgrade failed: ")
    assert harness.reasons()[-1] == Reason.UPGRADE_FAILED
    assert counted(harness.ctx, "upgrade", "failed") == 1
    # The progress write went out before the wait: Ready=Unknown while upgrading.
    written = condition(await harness.status(), "Ready")
    assert written is not None and written["status"] == "Unknown"
