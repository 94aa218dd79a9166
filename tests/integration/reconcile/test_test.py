"""test.run: the chart's test hook runs against the deployed revision. On the bench its Pod
never runs (no kubelet), so the test times out: a failure that counts against the retries of
the install, unless spec.test.ignoreFailures."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import install, test
from tests.integration.reconcile.conftest import Harness, counted, states

pytestmark = pytest.mark.integration


async def test_a_failed_test_marks_the_release_not_ready(harness: Harness) -> None:
    await harness.create({"timeout": "2s", "test": {"enable": True}})
    req, rec = await harness.step()
    assert await install.run(req, rec) is None

    assert await test.run(req, rec) is None

    tested = rec.draft.condition(ConditionType.TEST_SUCCESS)
    ready = rec.draft.condition(ConditionType.READY)
    assert tested is not None and tested.status == "False"
    assert tested.reason == Reason.TEST_FAILED
    assert ready is not None and ready.reason == Reason.TEST_FAILED
    assert rec.draft.install_failures == 1  # counted against the action that deployed it
    history = await harness.history(req)
    assert states(history) == [(1, "deployed")]
    assert [h.last_run.phase for h in history[0].hooks if "test" in h.events] == ["Failed"]
    assert harness.reasons() == [Reason.INSTALL_SUCCEEDED, Reason.TEST_FAILED]
    assert counted(harness.ctx, "test", "failed") == 1


async def test_ignored_test_failures_leave_ready_alone(harness: Harness) -> None:
    await harness.create({"timeout": "2s", "test": {"enable": True, "ignoreFailures": True}})
    req, rec = await harness.step()
    assert await install.run(req, rec) is None

    assert await test.run(req, rec) is None

    tested = rec.draft.condition(ConditionType.TEST_SUCCESS)
    assert tested is not None and tested.reason == Reason.TEST_FAILED
    ready = rec.draft.condition(ConditionType.READY)
    assert ready is not None and ready.reason == Reason.PROGRESSING  # as install left it
    assert rec.draft.install_failures == 0
