"""unlock.run: an upgrade cancelled mid-wait leaves its record pending-upgrade; unlock marks it
failed, says so in Released and a Warning Event, and a second unlock finds nothing to do."""

from __future__ import annotations

import asyncio

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import install, unlock, upgrade
from tests.integration.reconcile.conftest import Harness, counted, states

pytestmark = pytest.mark.integration


async def test_a_pending_record_left_by_a_cancelled_upgrade_is_marked_failed(
    harness: Harness,
) -> None:
    await harness.create({"timeout": "60s"})
    req, rec = await harness.step()
    assert await install.run(req, rec) is None
    # The Deployment never becomes available on the bench: the upgrade waits until cancelled.
    req, rec = await harness.step({"deployment": {"enabled": True}})
    running = asyncio.ensure_future(upgrade.run(req, rec))
    for _ in range(200):
        if states(await harness.history(req))[-1] == (2, "pending-upgrade"):
            break
        await asyncio.sleep(0.05)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert states(await harness.history(req)) == [(1, "deployed"), (2, "pending-upgrade")]

    harness.events.clear()
    req, rec = await harness.step()
    assert await unlock.run(req, rec) is None

    assert states(await harness.history(req)) == [(1, "deployed"), (2, "failed")]
    released = rec.draft.condition(ConditionType.RELEASED)
    assert released is not None and released.reason == Reason.PENDING_RELEASE
    assert f"Release {harness.namespace}/web.v2 was stuck in a pending state" in released.message
    assert harness.reasons() == [Reason.PENDING_RELEASE]
    assert [(s.version, s.status) for s in rec.draft.history] == [(2, "failed"), (1, "deployed")]
    assert counted(harness.ctx, "unlock", "succeeded") == 1

    # Nothing pending any more: counted, but no condition change and no Event.
    harness.events.clear()
    req, rec = await harness.step()
    assert await unlock.run(req, rec) is None
    assert harness.reasons() == []
    assert states(await harness.history(req)) == [(1, "deployed"), (2, "failed")]
