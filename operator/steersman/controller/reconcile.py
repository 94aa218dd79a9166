"""One reconcile of one HelmRelease: check the spec, gather inputs (dependencies, values, chart),
observe the stored release, then loop decide -> act -> observe until nothing is left to do.

The status is built as a draft and written only when it differs from what the apiserver has, so
a reconcile that finds everything in sync writes nothing. Release actions live in `actions`.
Messages put into conditions, events and logs come from our own typed errors only (storage
errors are sanitised by the storage layer); anything else is shown by its type name.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import ValidationError

from steersman.api import (
    API_VERSION,
    KIND,
    ConditionStatus,
    ConditionType,
    HelmRelease,
    HelmReleaseStatus,
    Reason,
    StorageDriver,
    StorageStatus,
    annotation_names,
    digest,
    parse_duration,
    values_digest,
)
from steersman.controller import access, actions, gates
from steersman.controller.actions import HelmReleaseGone, Outcome, Run
from steersman.controller.charts import ChartFetchError, reconcile_requested
from steersman.controller.context import Context, EventSink
from steersman.controller.decide import Action, Desired, Memory, Policy, State, decide
from steersman.controller.drift import detect
from steersman.controller.events import describe_release
from steersman.controller.migrate import migrate_records
from steersman.controller.status import Draft, patch_for, stored
from steersman.controller.values import ValuesError, compose_values
from steersman.engine import UninstallOptions, uninstall
from steersman.kube import KubeError
from steersman.storage import CorruptRecord, DriverKind, ReleaseNotFound, StorageError

DEFAULT_INTERVAL = 600.0
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


async def reconcile(
    body: Mapping[str, Any], ctx: Context, emit: EventSink, log: logging.LoggerAdapter[Any]
) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome(DEFAULT_INTERVAL, "error")
    try:
        outcome = await _reconcile(body, ctx, emit, log)
        return outcome
    finally:
        meta = body.get("metadata") or {}
        key = f"{meta.get('namespace')}/{meta.get('name')}"
        ctx.metrics.observe_reconcile(key, outcome.result, time.perf_counter() - started)


async def _reconcile(
    body: Mapping[str, Any], ctx: Context, emit: EventSink, log: logging.LoggerAdapter[Any]
) -> Outcome:
    meta = body.get("metadata") or {}
    generation = int(meta.get("generation") or 0)
    raw_status = dict(body.get("status") or {})
    try:
        hr = HelmRelease.from_k8s(body)
    except ValidationError as err:
        return await _invalid(body, raw_status, generation, ctx, emit, _describe_invalid(err))
    if hr.spec.suspend:
        log.debug("suspended: not reconciling")
        return Outcome(parse_duration(hr.spec.interval), "suspended")
    run = Run(hr, ctx, emit, log, Draft(hr.status, generation), raw_status)
    try:
        return await _pipeline(run)
    except HelmReleaseGone:
        return Outcome(DEFAULT_INTERVAL, "gone")
    except (KubeError, StorageError) as err:
        reason = (
            Reason.STORAGE_UNAVAILABLE if isinstance(err, StorageError) else Reason.RECONCILE_ERROR
        )
        return await run.fail(reason, actions.describe(err), err)
    except Exception as err:  # keep the operator alive; the type name is all we show
        log.error("reconcile failed unexpectedly: %s", actions.describe(err))
        return await run.fail(Reason.RECONCILE_ERROR, actions.describe(err))


async def _pipeline(run: Run) -> Outcome:
    hr, ctx, draft = run.hr, run.ctx, run.draft
    spec = hr.spec
    kind = (
        DriverKind(spec.storage_driver.value)
        if spec.storage_driver
        else ctx.settings.helm_storage_driver
    )
    refused = ctx.settings.record_encryption_refused(spec.encrypt_records)
    if refused is not None:
        return await run.stall(Reason.STORAGE_NOT_ALLOWED, refused)
    if spec.storage_driver is not None and not ctx.settings.storage_driver_allowed(kind):
        allowed = sorted({ctx.settings.helm_storage_driver, *ctx.settings.allowed_storage_drivers})
        return await run.stall(
            Reason.STORAGE_NOT_ALLOWED,
            f"storage driver '{kind}' is not allowed by the operator "
            f"(allowed: {', '.join(allowed)}; see --allowed-storage-drivers)",
        )
    blocked = await gates.access_refused(run, kind)
    if blocked is not None:
        return blocked
    waiting = await gates.dependencies_pending(run)
    if waiting is not None:
        return waiting
    try:
        values = await compose_values(ctx.kube, hr.namespace, spec.values_from, spec.values)
    except ValuesError as err:
        return await run.fail(Reason.VALUES_ERROR, str(err))
    try:
        chart, chart_digest = await ctx.charts.get(
            spec.chart,
            ctx.kube,
            hr.namespace,
            within=run.timeout,
            within_text=spec.timeout,
            refresh=reconcile_requested(hr),
        )
    except ChartFetchError as err:
        return await run.fail(Reason.ARTIFACT_FAILED, str(err))

    desired = Desired(chart.metadata.name, chart.metadata.version, values_digest(values))
    _reset_counters(run, desired, chart_digest)
    run.bind(kind, chart, values)
    describe_release(chart.metadata.version, chart.metadata.app_version, desired.config_digest)
    run.engine.namespaces = access.objects_namespaces(hr, ctx.settings, run.release_ns)
    missing = await gates.missing_namespace(run, kind)
    if missing is not None:
        return missing
    try:
        history = await run.storage().history(run.release_name)
        refusal = await gates.owned_elsewhere(run, kind, history)
        if refusal is not None:
            return await run.stall(refusal.reason, refusal.message)
        moved = await _follow_target_change(run)
        moved = await _follow_storage_change(run, kind) or moved
        if moved:
            history = await run.storage().history(run.release_name)
    except CorruptRecord as err:
        return await run.fail(Reason.CORRUPT_RECORD, actions.describe(err))
    except StorageError as err:
        return await run.fail(Reason.STORAGE_UNAVAILABLE, actions.describe(err), err)
    except actions.FAILURES as err:  # uninstalling the release of a previous name failed
        return await run.fail(Reason.UNINSTALL_FAILED, actions.describe(err))
    draft.update(storage=StorageStatus(driver=StorageDriver(kind.value), namespace=run.storage_ns))
    run.last = stored(history[-1]) if history else None
    run.head = history[-1] if history else None
    return await _loop(run, desired)


async def _follow_target_change(run: Run) -> bool:
    """A new release name or target namespace is a different release: uninstall the old one
    (as Flux does) and start a fresh history."""
    latest, used = run.hr.status.latest, run.hr.status.storage
    if latest is None or used is None:
        return False
    if (latest.name, latest.namespace) == (run.release_name, run.release_ns):
        return False
    spec = run.hr.spec
    engine = run.ctx.engine(
        DriverKind(used.driver.value), run.hr.namespace, spec.service_account_name
    )
    opts = UninstallOptions(
        namespace=latest.namespace,
        storage_namespace=used.namespace,
        name=latest.name,
        timeout=run.timeout,
        disable_hooks=spec.uninstall.disable_hooks,
        propagation=actions.propagation(spec.uninstall.deletion_propagation.value),
    )
    with contextlib.suppress(ReleaseNotFound):
        await uninstall(engine, opts)
    message = (
        f"Release target changed from {latest.namespace}/{latest.name} to "
        f"{run.release_ns}/{run.release_name}: the old release was uninstalled"
    )
    run.emit("Normal", Reason.UNINSTALL_SUCCEEDED, message)
    run.log.info("%s", message)
    run.draft.update(history=[], failures=0, install_failures=0, upgrade_failures=0)
    return True


async def _follow_storage_change(run: Run, kind: DriverKind) -> bool:
    """If the records live elsewhere than the spec now says, move them there."""
    previous = run.hr.status.storage
    if previous is None or (previous.driver.value, previous.namespace) == (kind, run.storage_ns):
        return False
    source = run.ctx.backends.get(DriverKind(previous.driver.value)).storage(previous.namespace)
    target = run.engine.backend.storage(run.storage_ns)
    moved = await migrate_records(source, target, run.release_name)
    if moved:
        message = (
            f"Moved {moved} release record(s) of {run.release_name} from {previous.driver} "
            f"storage in {previous.namespace} to {kind} storage in {run.storage_ns}"
        )
        run.emit("Normal", "StorageMigrated", message)
        run.log.info("%s", message)
    return moved > 0


def _reset_counters(run: Run, desired: Desired, chart_digest: str) -> None:
    """New inputs (generation, chart version, values) or a new reset token: fresh retries."""
    hr, draft = run.hr, run.draft
    status = hr.status
    changed = (
        status.last_attempted_generation != hr.generation
        or status.last_attempted_chart_version != desired.chart_version
        or status.last_attempted_values_digest != desired.config_digest
    )
    reset = annotation_names.unhandled_token(
        hr.annotations, annotation_names.RESET, status.last_handled_reset_at
    )
    run.inputs_changed = bool(changed or reset)
    if changed or reset:
        draft.update(failures=0, install_failures=0, upgrade_failures=0)
    if reset:
        draft.update(last_handled_reset_at=reset)
    draft.update(
        last_attempted_generation=hr.generation,
        last_attempted_chart_version=desired.chart_version,
        last_attempted_values_digest=desired.config_digest,
        last_attempted_config_digest=digest(
            [
                hr.spec.chart.repository,
                desired.chart_name,
                desired.chart_version,
                chart_digest,
                desired.config_digest,
            ]
        ),
    )
    run.force_token = annotation_names.unhandled_token(
        hr.annotations, annotation_names.FORCE, status.last_handled_force_at
    )


def _memory(run: Run) -> Memory:
    history = run.draft.get("history")
    action = run.draft.get("last_attempted_release_action")
    return Memory(
        latest_version=history[0].version if history else None,
        last_action=str(action.value) if action is not None else "",
        install_failures=int(run.draft.get("install_failures")),
        upgrade_failures=int(run.draft.get("upgrade_failures")),
        force=run.force_token is not None,
    )


def _policy(run: Run) -> Policy:
    spec = run.hr.spec
    return Policy(
        test_enabled=spec.test.enable,
        ignore_test_failures=spec.test.ignore_failures,
        install_retries=spec.install.remediation.retries,
        upgrade_retries=spec.upgrade.remediation.retries,
        upgrade_strategy=spec.upgrade.remediation.strategy.value,
        drift_mode=spec.drift_detection.mode.value,
    )


async def _loop(run: Run, desired: Desired) -> Outcome:
    policy = _policy(run)
    done: set[str] = set()
    drift_checked = False
    while True:
        memory = _memory(run)
        decision = decide(run.last, desired, memory, policy)
        if (
            decision.action is Action.NONE
            and decision.state is State.IN_SYNC
            and policy.drift_mode != "disabled"
            and not drift_checked
            and run.head is not None
        ):
            drift_checked = True
            drifted = await _check_drift(run)
            if drifted:
                decision = decide(run.last, desired, replace(memory, drifted=True), policy)
        run.log.debug("decision: %s (%s: %s)", decision.action, decision.state, decision.reason)
        if decision.action is Action.NONE:
            return await run.ready()
        if decision.action is Action.STALL:
            ready = run.draft.condition(ConditionType.READY)
            denied = ready is not None and ready.reason == Reason.ACCESS_DENIED
            reason = Reason.ACCESS_DENIED if denied else Reason.RETRIES_EXCEEDED
            return await run.stall(reason, _exhausted_message(run, decision.reason))
        kind = ACTION_KIND[decision.action]
        if kind in done:
            # Flux's rule: a second action of one kind waits for the next reconcile.
            return await run.requeue(REQUEUE_SOON)
        done.add(kind)
        stop = await run.act(decision.action)
        if stop is not None:
            return stop


async def _check_drift(run: Run) -> bool:
    assert run.head is not None
    try:
        drifted = await detect(run.engine.kube, run.head, run.hr.spec.drift_detection.ignore)
    except KubeError as err:
        # Not "no drift": we don't know. Unknown, with the apiserver's reason.
        message = (
            f"Drift detection could not run: {actions.describe(err)}; the cluster state was not "
            "compared with the release (checked again at the next reconcile)"
        )
        run.log.warning("%s", message)
        previous = run.draft.condition(ConditionType.DRIFTED)
        run.draft.set(
            ConditionType.DRIFTED, ConditionStatus.UNKNOWN, Reason.DRIFT_DETECTION_FAILED, message
        )
        if previous is None or previous.message != message:
            run.emit("Warning", Reason.DRIFT_DETECTION_FAILED, message)
        return False
    if not drifted:
        run.draft.set(ConditionType.DRIFTED, False, Reason.NO_DRIFT_DETECTED, "No drift detected")
        return False
    message = "Cluster state drifted from the release: " + ", ".join(
        d.describe() for d in drifted[:10]
    )
    previous = run.draft.condition(ConditionType.DRIFTED)
    run.draft.set(ConditionType.DRIFTED, True, Reason.DRIFT_DETECTED, message)
    if previous is None or previous.message != message:
        run.emit("Warning", Reason.DRIFT_DETECTED, message)
    run.drifted = drifted
    return True


def _exhausted_message(run: Run, reason: str) -> str:
    """The last failure first (it is what `kubectl get hr` shows in STATUS), then what to do:
    "retries exhausted" alone hides what went wrong. Only the failure's first line, so the
    column stays one line; the Released condition keeps the whole message."""
    released = run.draft.condition(ConditionType.RELEASED)
    advice = (
        f"{reason}: fix the cause, then change the spec or set the "
        f"{annotation_names.RESET} or {annotation_names.FORCE} annotation to retry"
    )
    if released is not None and released.status == ConditionStatus.FALSE and released.message:
        return f"{released.message.splitlines()[0]} ({advice})"
    return advice


async def _invalid(
    body: Mapping[str, Any],
    raw_status: dict[str, Any],
    generation: int,
    ctx: Context,
    emit: EventSink,
    message: str,
) -> Outcome:
    try:
        base = HelmReleaseStatus.model_validate(raw_status)
    except ValidationError:
        base = HelmReleaseStatus()
    draft = Draft(base, generation)
    draft.set(ConditionType.STALLED, True, Reason.INVALID_SPEC, message)
    draft.set(ConditionType.READY, False, Reason.INVALID_SPEC, message)
    draft.remove(ConditionType.RECONCILING)
    draft.update(observed_generation=generation)
    patch = patch_for(raw_status, draft.result())
    if patch is not None:
        meta = body.get("metadata") or {}
        await ctx.kube.patch_status(API_VERSION, KIND, meta["name"], meta.get("namespace"), patch)
        emit("Warning", Reason.INVALID_SPEC, message)
    ctx.metrics.set_ready(
        f"{(body.get('metadata') or {}).get('namespace')}/"
        f"{(body.get('metadata') or {}).get('name')}",
        "False",
    )
    return Outcome(DEFAULT_INTERVAL, "stalled")


def _describe_invalid(err: ValidationError) -> str:
    parts = []
    for item in err.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{where}: {item['msg']}")
    return "invalid spec: " + "; ".join(parts)
