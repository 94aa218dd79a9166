"""The atomic loop (Flux's `atomic_release.go`): observe -> decide -> act -> repeat, until
`state.decide` says NONE (ready) or STALL, or an action ends the reconcile. Each kind of action
runs at most once per reconcile; a second one of the same kind waits for the next reconcile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from steersman.api import ConditionStatus, ConditionType, Reason, annotation_names
from steersman.controller.reconcile import (
    correct_drift,
    detect_drift,
    install,
    rollback_remediation,
    test,
    uninstall_remediation,
    unlock,
    upgrade,
)
from steersman.controller.reconcile.drift import DriftedObject
from steersman.controller.reconcile.outcomes import Outcome, Recorder, Step
from steersman.controller.reconcile.request import Request
from steersman.controller.reconcile.state import Action, Desired, Memory, Policy, State, decide

REQUEUE_SOON = 1.0
# Actions of one kind run at most once per reconcile (install and upgrade are one kind).
ACTION_KIND = {
    Action.INSTALL: "release",
    Action.UPGRADE: "release",
    Action.TEST: "test",
    Action.UNLOCK: "unlock",
    Action.ROLLBACK: "remediate",
    Action.UNINSTALL: "remediate",
    Action.CORRECT_DRIFT: "drift",
}


async def act(
    action: Action, req: Request, rec: Recorder, drifted: Sequence[DriftedObject]
) -> Step:
    """Run one action; None to decide again, an Outcome to stop."""
    match action:
        case Action.INSTALL:
            return await install.run(req, rec)
        case Action.UPGRADE:
            return await upgrade.run(req, rec)
        case Action.TEST:
            return await test.run(req, rec)
        case Action.UNLOCK:
            return await unlock.run(req, rec)
        case Action.ROLLBACK:
            return await rollback_remediation.run(req, rec)
        case Action.UNINSTALL:
            return await uninstall_remediation.run(req, rec)
        case Action.CORRECT_DRIFT:
            return await correct_drift.run(req, rec, drifted)
    raise ValueError(f"not an action to run: {action}")


def memory(req: Request, rec: Recorder) -> Memory:
    draft = rec.draft
    action = draft.last_attempted_release_action
    return Memory(
        latest_version=draft.history[0].version if draft.history else None,
        last_action=str(action.value) if action is not None else "",
        install_failures=draft.install_failures,
        upgrade_failures=draft.upgrade_failures,
        force=rec.force_pending(req.force_token),
    )


def policy(req: Request) -> Policy:
    spec = req.hr.spec
    return Policy(
        test_enabled=spec.test.enable,
        ignore_test_failures=spec.test.ignore_failures,
        install_retries=spec.install.remediation.retries,
        upgrade_retries=spec.upgrade.remediation.retries,
        upgrade_strategy=spec.upgrade.remediation.strategy.value,
        drift_mode=spec.drift_detection.mode.value,
    )


async def run(req: Request, rec: Recorder, desired: Desired) -> Outcome:
    """Loop from the history `rec` observed last until the reconcile ends."""
    rules = policy(req)
    done: set[str] = set()
    drift_checked = False
    drifted: list[DriftedObject] = []
    while True:
        remembered = memory(req, rec)
        decision = decide(rec.last, desired, remembered, rules)
        if (
            decision.action is Action.NONE
            and decision.state is State.IN_SYNC
            and rules.drift_mode != "disabled"
            and not drift_checked
            and rec.head is not None
        ):
            drift_checked = True
            if "release" in done:
                # Every object of the head was just server-side applied by this reconcile: a
                # dry-run apply of each would only say so again, at the cost of one more apply
                # per object on the API server (a quarter of an install's requests).
                detect_drift.just_applied(rec)
            else:
                drifted = await detect_drift.run(req, rec, rec.head)
            if drifted:
                decision = decide(rec.last, desired, replace(remembered, drifted=True), rules)
        rec.log.debug("decision: %s (%s: %s)", decision.action, decision.state, decision.reason)
        if decision.action is Action.NONE:
            return await rec.ready(deployed_message(req, rec))
        if decision.action is Action.STALL:
            ready = rec.draft.condition(ConditionType.READY)
            denied = ready is not None and ready.reason == Reason.ACCESS_DENIED
            reason = Reason.ACCESS_DENIED if denied else Reason.RETRIES_EXCEEDED
            return await rec.stall(reason, exhausted_message(rec, decision.reason))
        kind = ACTION_KIND[decision.action]
        if kind in done:
            # Flux's rule: a second action of one kind waits for the next reconcile.
            return await rec.requeue(REQUEUE_SOON)
        done.add(kind)
        stop = await act(decision.action, req, rec, drifted)
        if stop is not None:
            return stop


def deployed_message(req: Request, rec: Recorder) -> str:
    version = rec.head.version if rec.head else 0
    last = rec.last
    chart = f"{last.chart_name}@{last.chart_version}" if last else ""
    where = f"{req.storage_ns}/{req.release_name}.v{version}"
    return f"Release {where} with chart {chart} is deployed"


def exhausted_message(rec: Recorder, reason: str) -> str:
    """The last failure first (it is what `kubectl get hr` shows in STATUS), then what to do:
    "retries exhausted" alone hides what went wrong. Only the failure's first line, so the
    column stays one line; the Released condition keeps the whole message."""
    released = rec.draft.condition(ConditionType.RELEASED)
    advice = (
        f"{reason}: fix the cause, then change the spec or set the "
        f"{annotation_names.RESET} or {annotation_names.FORCE} annotation to retry"
    )
    if released is not None and released.status == ConditionStatus.FALSE and released.message:
        return f"{released.message.splitlines()[0]} ({advice})"
    return advice
