"""Test: run the chart's test hooks against the deployed revision (Flux's `test.go`). A failure
counts against the retries of the action that deployed it, unless spec.test.ignoreFailures."""

from __future__ import annotations

from steersman.api import ConditionType, Reason
from steersman.controller.options import release_test_options
from steersman.controller.reconcile.messages import release_text
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.request import Request
from steersman.engine import FAILURES, run_tests
from steersman.errors import describe


async def run(req: Request, rec: Recorder) -> Step:
    draft = rec.draft
    await rec.progress("test")
    opts = release_test_options(req.hr, req.where())
    try:
        rel = await run_tests(req.engine, opts)
    except FAILURES as err:
        rec.count("test", "failed")
        message = f"Helm test failed: {describe(err)}"
        draft.set(ConditionType.TEST_SUCCESS, False, Reason.TEST_FAILED, message)
        rec.emit("Warning", Reason.TEST_FAILED, message)
        if not req.hr.spec.test.ignore_failures:
            draft.count_release_failure(draft.last_attempted_release_action)
            draft.set(ConditionType.READY, False, Reason.TEST_FAILED, message)
        await rec.observe(req.storage(), req.release_name)
        return None
    rec.count("test", "succeeded")
    message = f"Helm test succeeded for release {release_text(rel)}"
    draft.set(ConditionType.TEST_SUCCESS, True, Reason.TEST_SUCCEEDED, message)
    rec.emit("Normal", Reason.TEST_SUCCEEDED, message)
    await rec.observe(req.storage(), req.release_name)
    return None
