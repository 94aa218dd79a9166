"""What install and upgrade share: the progress and attempt bookkeeping, and the outcome of a
Helm release action (Released, Ready, the failure counters, the Event).

Failure accounting follows Flux: a failed install/upgrade that wrote a release record counts
against the remediation retries (`installFailures`/`upgradeFailures`); errors before any record
was written (render errors, refused names) only count in `failures` and are retried with backoff.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from steersman.api import ConditionType, Reason, ReleaseAction
from steersman.controller.reconcile.messages import denied, release_text, too_large_message
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.request import Request
from steersman.engine import FAILURES, ActionFailed
from steersman.errors import describe
from steersman.storage import RecordTooLarge, Release

OUTCOME_REASONS = {
    ReleaseAction.INSTALL: (Reason.INSTALL_SUCCEEDED, Reason.INSTALL_FAILED),
    ReleaseAction.UPGRADE: (Reason.UPGRADE_SUCCEEDED, Reason.UPGRADE_FAILED),
}


async def run_release(
    req: Request,
    rec: Recorder,
    action: ReleaseAction,
    perform: Callable[[Request], Awaitable[Release]],
) -> Step:
    """Run `perform` (the engine's install or upgrade) and record how it went."""
    name = action.value
    draft = rec.draft
    too_large = draft.condition(ConditionType.READY)
    if (
        too_large is not None
        and too_large.reason == Reason.RELEASE_TOO_LARGE
        and too_large.observed_generation == req.hr.generation
        and not req.inputs_changed
        and not rec.force_pending(req.force_token)
    ):
        # Same inputs, same size: trying again would only post the same Warning again.
        return await rec.stall(too_large.reason, too_large.message)
    await rec.progress(name)
    draft.last_attempted_release_action = action
    if rec.force_pending(req.force_token):
        draft.last_handled_force_at = req.force_token
    ok, failed = OUTCOME_REASONS[action]
    try:
        rel = await perform(req)
    except ActionFailed as err:
        rec.count(name, "failed")
        draft.count_release_failure(action)
        draft.failures += 1
        refused = denied(req.hr, req.default_service_account, err)
        message = f"Helm {name} failed: {refused or describe(err)}"
        reason = Reason.ACCESS_DENIED if refused else failed
        draft.set(ConditionType.RELEASED, False, failed, message)
        draft.set(ConditionType.READY, False, reason, message)
        rec.emit("Warning", reason, message)
        rec.log.warning("%s", message)
        await rec.observe(req.storage(), req.release_name)
        return None
    except RecordTooLarge as err:
        rec.count(name, "error")
        message = too_large_message(err)
        draft.set(ConditionType.RELEASED, False, failed, message)
        return await rec.stall(Reason.RELEASE_TOO_LARGE, message)
    except FAILURES as err:
        rec.count(name, "error")
        refused = denied(req.hr, req.default_service_account, err)
        message = f"Helm {name} failed: {refused or describe(err)}"
        draft.set(ConditionType.RELEASED, False, failed, message)
        return await rec.fail(Reason.ACCESS_DENIED if refused else failed, message, err)
    rec.count(name, "succeeded")
    message = f"Helm {name} succeeded for release {release_text(rel)}"
    draft.set(ConditionType.RELEASED, True, ok, message)
    draft.remove(ConditionType.REMEDIATED, ConditionType.TEST_SUCCESS)
    rec.emit("Normal", ok, message)
    rec.log.info("%s", message)
    await rec.observe(req.storage(), req.release_name)
    return None
