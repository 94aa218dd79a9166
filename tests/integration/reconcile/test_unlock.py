"""unlock.run: a newest record left pending by an interrupted action is marked failed."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import unlock
from steersman.storage import Status
from tests.integration.reconcile.conftest import Harness, counted, installed, states

pytestmark = pytest.mark.integration


async def test_a_pending_record_is_marked_failed(harness: Harness) -> None:
    await harness.create({"timeout": "20s"})
    await installed(harness)
    req, rec = await harness.step()
    storage = req.storage()
    (head,) = await storage.history(req.release_name)
    head.info.status = Status.PENDING_INSTALL  # as a killed operator leaves it
    await storage.update(head)

    assert await unlock.run(req, rec) is None

    assert states(await harness.history(req)) == [(1, "failed")]
    released = rec.draft.condition(ConditionType.RELEASED)
    assert released is not None and released.reason == Reason.PENDING_RELEASE
    assert f"{harness.namespace}/web.v1 was stuck in a pending state" in released.message
    assert rec.draft.history[0].status == "failed"
    assert harness.reasons()[-1] == Reason.PENDING_RELEASE


async def test_nothing_pending_changes_nothing(harness: Harness) -> None:
    await harness.create({"timeout": "20s"})
    await installed(harness)
    req, rec = await harness.step()
    before = list(harness.events)

    assert await unlock.run(req, rec) is None

    assert states(await harness.history(req)) == [(1, "deployed")]
    assert rec.draft.condition(ConditionType.RELEASED) is None
    assert harness.events == before
    assert counted(harness.ctx, "unlock", "succeeded") == 1
