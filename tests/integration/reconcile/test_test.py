"""test.run: the chart's test hook runs (the test plays the kubelet for its Pod); a pass sets
TestSuccess and records the phase, a failure also counts against the install's retries."""

from __future__ import annotations

import asyncio

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import install, test
from tests.integration.engine.support import finish_pod
from tests.integration.reconcile.conftest import Harness, counted

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("passes", [True, False])
async def test_the_test_hook_result_goes_to_test_success(harness: Harness, passes: bool) -> None:
    await harness.create({"timeout": "20s", "test": {"enable": True}})
    req, rec = await harness.step()
    assert await install.run(req, rec) is None
    await rec.write()  # as the reconcile's end does: the status remembers the install
    harness.events.clear()

    req, rec = await harness.step()
    kubelet = asyncio.ensure_future(
        finish_pod(harness.ctx.kube, harness.namespace, "web-check", succeed=passes)
    )
    assert await test.run(req, rec) is None
    await kubelet

    tested = rec.draft.condition(ConditionType.TEST_SUCCESS)
    assert tested is not None and tested.status == ("True" if passes else "False")
    head = (await harness.history(req))[-1]
    assert [h.last_run.phase for h in head.hooks if "test" in h.events] == [
        "Succeeded" if passes else "Failed"
    ]
    if passes:
        assert tested.reason == Reason.TEST_SUCCEEDED
        assert tested.message.startswith("Helm test succeeded for release ")
        assert harness.reasons() == [Reason.TEST_SUCCEEDED]
        assert rec.draft.install_failures == 0
        assert counted(harness.ctx, "test", "succeeded") == 1
    else:
        assert tested.reason == Reason.TEST_FAILED
        assert tested.message.startswith("Helm test failed: ")
        assert harness.reasons() == [Reason.TEST_FAILED]
        ready = rec.draft.condition(ConditionType.READY)
        assert ready is not None and ready.reason == Reason.TEST_FAILED
        assert rec.draft.install_failures == 1  # the last release action was the install
        assert counted(harness.ctx, "test", "failed") == 1
