"""The state of one reconcile (`Run`) and what it does: Helm actions through the engine, the
conditions and events each outcome produces, and the status writes.

Failure accounting follows Flux: a failed install/upgrade that wrote a release record counts
against the remediation retries (`installFailures`/`upgradeFailures`); errors before any record
was written (render errors, refused names) only count in `failures` and are retried with backoff.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from steersman.api import (
    API_VERSION,
    KIND,
    ConditionStatus,
    ConditionType,
    HelmRelease,
    Reason,
    ReleaseAction,
    annotation_names,
    parse_duration,
)
from steersman.chart import Chart
from steersman.chart.sources import ChartSourceError
from steersman.controller.access import owner_labels
from steersman.controller.backoff import retry_delay
from steersman.controller.context import Context, EventSink
from steersman.controller.decide import Action, StoredRelease
from steersman.controller.drift import DriftedObject, correct
from steersman.controller.status import Draft, history_snapshots, patch_for, stored
from steersman.controller.values import ValuesError
from steersman.engine import (
    ActionFailed,
    CrdPolicy,
    Engine,
    EngineError,
    InstallOptions,
    RenderError,
    RollbackOptions,
    TestOptions,
    UninstallOptions,
    UpgradeOptions,
    WaitError,
    install,
    rollback,
    run_tests,
    uninstall,
    unlock,
    upgrade,
)
from steersman.kube import Forbidden, KubeError, NotFound
from steersman.storage import (
    DriverKind,
    RecordTooLarge,
    Release,
    ReleaseNotFound,
    Storage,
    StorageError,
)

# Errors whose messages we wrote ourselves (or sanitised): safe for conditions, events and logs.
KNOWN_ERRORS = (
    EngineError,
    KubeError,
    StorageError,
    WaitError,
    RenderError,
    ValuesError,
    ChartSourceError,
)
FAILURES = (EngineError, KubeError, WaitError, RenderError)
REQUEUE_AFTER_REMEDIATION = 1.0


class HelmReleaseGone(Exception):
    """The HelmRelease was deleted while being reconciled (its status can't be written)."""


@dataclass(frozen=True)
class Outcome:
    """When to reconcile again, and how this one went (for the duration metric)."""

    requeue_after: float
    result: str  # ok, failed, stalled, waiting, requeued, suspended


def describe(err: BaseException) -> str:
    """A message that is safe to show anywhere: ours, or just the exception's type."""
    if isinstance(err, KNOWN_ERRORS):
        return str(err) or type(err).__name__
    return f"internal error ({type(err).__name__})"


class Run:
    """Everything one reconcile of one HelmRelease knows and changes."""

    def __init__(
        self,
        hr: HelmRelease,
        ctx: Context,
        emit: EventSink,
        log: logging.LoggerAdapter[Any],
        draft: Draft,
        raw_status: dict[str, Any],
    ) -> None:
        self.hr, self.ctx, self.emit, self.log = hr, ctx, emit, log
        self.draft = draft
        self.raw_status = raw_status
        spec = hr.spec
        self.release_name = spec.effective_release_name(hr.name)
        self.release_ns = spec.target_namespace or hr.namespace
        self.storage_ns = spec.storage_namespace or hr.namespace
        self.timeout = parse_duration(spec.timeout)
        self.interval = parse_duration(spec.interval)
        self.last: StoredRelease | None = None
        self.head: Release | None = None
        self.force_token: str | None = None
        self.drifted: list[DriftedObject] = []
        self.kind = ctx.settings.helm_storage_driver
        self.chart: Chart | None = None
        self.values: dict[str, Any] = {}
        self._engine: Engine | None = None
        self.inputs_changed = False  # generation, chart or values differ from the last attempt

    # -- inputs -----------------------------------------------------------------------------

    def bind(self, kind: DriverKind, chart: Chart, values: dict[str, Any]) -> None:
        self.kind, self.chart, self.values = kind, chart, values
        spec = self.hr.spec
        self._engine = self.ctx.engine(
            kind, self.hr.namespace, spec.service_account_name, encrypt=spec.encrypt_records
        )

    @property
    def engine(self) -> Engine:
        assert self._engine is not None, "bind() first"
        return self._engine

    def storage(self) -> Storage:
        return self.engine.storage(self.storage_ns, self.hr.spec.max_history)

    @property
    def key(self) -> str:
        return f"{self.hr.namespace}/{self.hr.name}"

    # -- status -------------------------------------------------------------------------------

    async def write(self) -> None:
        """Patch the status if the draft differs from what the apiserver has."""
        patch = patch_for(self.raw_status, self.draft.result())
        if patch is None:
            return
        try:
            updated = await self.ctx.kube.patch_status(
                API_VERSION, KIND, self.hr.name, self.hr.namespace, patch
            )
        except NotFound:
            raise HelmReleaseGone() from None
        self.raw_status = dict(updated.get("status") or {})

    async def finish(self, requeue_after: float, result: str) -> Outcome:
        token = annotation_names.unhandled_token(
            self.hr.annotations,
            annotation_names.RECONCILE,
            self.hr.status.last_handled_reconcile_at,
        )
        if token is not None:
            self.draft.update(last_handled_reconcile_at=token)
        await self.write()
        ready = self.draft.condition(ConditionType.READY)
        self.ctx.metrics.set_ready(self.key, str(ready.status) if ready else "Unknown")
        return Outcome(requeue_after, result)

    def _event_once(self, type: str, reason: str, message: str) -> None:
        """Emit unless Ready already says exactly this (no repeated events while waiting)."""
        ready = self.draft.condition(ConditionType.READY)
        if ready is None or ready.reason != reason or ready.message != message:
            self.emit(type, reason, message)

    async def fail(self, reason: str, message: str, cause: BaseException | None = None) -> Outcome:
        """A retryable failure: Ready=False, failures+1, retry with backoff (seconds apart when
        `cause` is an outage of storage or the apiserver)."""
        self._event_once("Warning", reason, message)
        self.log.warning("%s: %s", reason, message)
        failures = int(self.draft.get("failures")) + 1
        self.draft.update(failures=failures)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.draft.remove(ConditionType.RECONCILING)
        return await self.finish(retry_delay(failures, self.interval, cause), "failed")

    async def stall(self, reason: str, message: str) -> Outcome:
        """Won't progress without a spec change or an annotation: Stalled=True."""
        self._event_once("Warning", reason, message)
        self.draft.set(ConditionType.STALLED, True, reason, message)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.draft.remove(ConditionType.RECONCILING)
        self.draft.update(observed_generation=self.hr.generation)
        return await self.finish(self.interval, "stalled")

    async def waiting(self, reason: str, message: str) -> None:
        self._event_once("Normal", reason, message)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.draft.remove(ConditionType.RECONCILING)
        await self.finish(0, "waiting")

    async def requeue(self, after: float) -> Outcome:
        self.draft.remove(ConditionType.RECONCILING)
        return await self.finish(after, "requeued")

    async def ready(self) -> Outcome:
        """In sync: Ready=True summarised from Released (and TestSuccess when tests run)."""
        draft, spec = self.draft, self.hr.spec
        released = draft.condition(ConditionType.RELEASED)
        if released is None or released.status != ConditionStatus.TRUE:
            draft.set(ConditionType.RELEASED, True, Reason.UPGRADE_SUCCEEDED, self._deployed())
            released = draft.condition(ConditionType.RELEASED)
        assert released is not None
        reason, message = released.reason, released.message
        tested = draft.condition(ConditionType.TEST_SUCCESS)
        if spec.test.enable and tested is not None:
            reason, message = tested.reason, tested.message
        draft.set(ConditionType.READY, True, reason, message)
        draft.remove(ConditionType.STALLED, ConditionType.RECONCILING, ConditionType.REMEDIATED)
        if spec.drift_detection.mode.value == "disabled":
            draft.remove(ConditionType.DRIFTED)
        draft.update(observed_generation=self.hr.generation)
        return await self.finish(self.interval, "ok")

    def _deployed(self) -> str:
        version = self.head.version if self.head else 0
        chart = f"{self.last.chart_name}@{self.last.chart_version}" if self.last else ""
        where = f"{self.storage_ns}/{self.release_name}.v{version}"
        return f"Release {where} with chart {chart} is deployed"

    async def observe(self) -> None:
        """Re-read the release history after our own action and record it in status."""
        history = await self.storage().history(self.release_name)
        self.head = history[-1] if history else None
        self.last = stored(self.head) if self.head else None
        self.draft.update(history=history_snapshots(history))

    async def progress(self, action: str) -> None:
        """Reconciling=True while a Helm action runs (written first, so waits are visible)."""
        message = f"Running '{action}' action with timeout of {self.hr.spec.timeout}"
        self.draft.set(ConditionType.RECONCILING, True, Reason.PROGRESSING, message)
        if action in ("install", "upgrade"):
            self.draft.set(
                ConditionType.READY, ConditionStatus.UNKNOWN, Reason.PROGRESSING, message
            )
        await self.write()

    # -- actions ------------------------------------------------------------------------------

    async def act(self, action: Action) -> Outcome | None:
        """Run one action; None to continue the decide loop, an Outcome to stop."""
        handler = {
            Action.INSTALL: self._install,
            Action.UPGRADE: self._upgrade,
            Action.TEST: self._test,
            Action.UNLOCK: self._unlock,
            Action.ROLLBACK: self._rollback,
            Action.UNINSTALL: self._uninstall_remediation,
            Action.CORRECT_DRIFT: self._correct_drift,
        }[action]
        return await handler()

    def denied(self, err: BaseException) -> str | None:
        """For an action refused by the apiserver's RBAC: who was refused and what, else None."""
        return denied(self.hr, self.ctx.settings.default_service_account, err)

    def _count(self, action: str, result: str) -> None:
        self.ctx.metrics.actions.labels(action=action, result=result).inc()

    def _release_text(self, rel: Release) -> str:
        meta = rel.chart.metadata if rel.chart and rel.chart.metadata else None
        chart = f"{meta.name}@{meta.version}" if meta else "?"
        return f"{rel.namespace}/{rel.name}.v{rel.version} with chart {chart}"

    async def _release(self, action: ReleaseAction) -> Outcome | None:
        name = action.value
        too_large = self.draft.condition(ConditionType.READY)
        if (
            too_large is not None
            and too_large.reason == Reason.RELEASE_TOO_LARGE
            and too_large.observed_generation == self.hr.generation
            and not self.inputs_changed
            and self.force_token is None
        ):
            # Same inputs, same size: trying again would only post the same Warning again.
            return await self.stall(too_large.reason, too_large.message)
        await self.progress(name)
        self.draft.update(last_attempted_release_action=action)
        if self.force_token is not None:
            self.draft.update(last_handled_force_at=self.force_token)
            self.force_token = None
        ok, failed = (
            (Reason.INSTALL_SUCCEEDED, Reason.INSTALL_FAILED)
            if action is ReleaseAction.INSTALL
            else (Reason.UPGRADE_SUCCEEDED, Reason.UPGRADE_FAILED)
        )
        try:
            rel = await (
                self._do_install() if action is ReleaseAction.INSTALL else self._do_upgrade()
            )
        except ActionFailed as err:
            self._count(name, "failed")
            counter = "install_failures" if action is ReleaseAction.INSTALL else "upgrade_failures"
            self.draft.update(
                **{counter: int(self.draft.get(counter)) + 1},
                failures=int(self.draft.get("failures")) + 1,
            )
            denied = self.denied(err)
            message = f"Helm {name} failed: {denied or describe(err)}"
            reason = Reason.ACCESS_DENIED if denied else failed
            self.draft.set(ConditionType.RELEASED, False, failed, message)
            self.draft.set(ConditionType.READY, False, reason, message)
            self.emit("Warning", reason, message)
            self.log.warning("%s", message)
            await self.observe()
            return None
        except RecordTooLarge as err:
            self._count(name, "error")
            message = too_large_message(err)
            self.draft.set(ConditionType.RELEASED, False, failed, message)
            return await self.stall(Reason.RELEASE_TOO_LARGE, message)
        except FAILURES as err:
            self._count(name, "error")
            denied = self.denied(err)
            message = f"Helm {name} failed: {denied or describe(err)}"
            self.draft.set(ConditionType.RELEASED, False, failed, message)
            return await self.fail(Reason.ACCESS_DENIED if denied else failed, message, err)
        self._count(name, "succeeded")
        message = f"Helm {name} succeeded for release {self._release_text(rel)}"
        self.draft.set(ConditionType.RELEASED, True, ok, message)
        self.draft.remove(ConditionType.REMEDIATED, ConditionType.TEST_SUCCESS)
        self.emit("Normal", ok, message)
        self.log.info("%s", message)
        await self.observe()
        return None

    async def _install(self) -> Outcome | None:
        return await self._release(ReleaseAction.INSTALL)

    async def _upgrade(self) -> Outcome | None:
        return await self._release(ReleaseAction.UPGRADE)

    async def _do_install(self) -> Release:
        spec = self.hr.spec.install
        opts = InstallOptions(
            namespace=self.release_ns,
            storage_namespace=self.storage_ns,
            timeout=self.timeout,
            wait=not spec.disable_wait,
            disable_hooks=spec.disable_hooks,
            name=self.release_name,
            replace=True,
            create_namespace=spec.create_namespace,
            crds=CrdPolicy(spec.crds.value),
            labels=owner_labels(self.hr),
        )
        assert self.chart is not None
        return await install(self.engine, self.chart, self.values, opts)

    async def _do_upgrade(self) -> Release:
        spec = self.hr.spec.upgrade
        opts = UpgradeOptions(
            namespace=self.release_ns,
            storage_namespace=self.storage_ns,
            timeout=self.timeout,
            wait=not spec.disable_wait,
            disable_hooks=spec.disable_hooks,
            name=self.release_name,
            max_history=self.hr.spec.max_history,
            cleanup_on_fail=spec.cleanup_on_fail,
            crds=CrdPolicy(spec.crds.value),
            reset_values=True,  # declarative: the values are exactly what the spec composes
            labels=owner_labels(self.hr),
        )
        assert self.chart is not None
        return await upgrade(self.engine, self.chart, self.values, opts)

    async def _test(self) -> Outcome | None:
        await self.progress("test")
        opts = TestOptions(self.release_name, self.release_ns, self.storage_ns, self.timeout)
        try:
            rel = await run_tests(self.engine, opts)
        except FAILURES as err:
            self._count("test", "failed")
            message = f"Helm test failed: {describe(err)}"
            self.draft.set(ConditionType.TEST_SUCCESS, False, Reason.TEST_FAILED, message)
            self.emit("Warning", Reason.TEST_FAILED, message)
            if not self.hr.spec.test.ignore_failures:
                installing = (
                    self.draft.get("last_attempted_release_action") == ReleaseAction.INSTALL
                )
                counter = "install_failures" if installing else "upgrade_failures"
                self.draft.update(**{counter: int(self.draft.get(counter)) + 1})
                self.draft.set(ConditionType.READY, False, Reason.TEST_FAILED, message)
            await self.observe()
            return None
        self._count("test", "succeeded")
        message = f"Helm test succeeded for release {self._release_text(rel)}"
        self.draft.set(ConditionType.TEST_SUCCESS, True, Reason.TEST_SUCCEEDED, message)
        self.emit("Normal", Reason.TEST_SUCCEEDED, message)
        await self.observe()
        return None

    async def _unlock(self) -> Outcome | None:
        rel = await unlock(self.engine, self.release_name, self.storage_ns)
        self._count("unlock", "succeeded")
        if rel is not None:
            message = (
                f"Release {self.storage_ns}/{self.release_name}.v{rel.version} was stuck in a "
                "pending state (an action was interrupted) and has been marked failed"
            )
            self.draft.set(ConditionType.RELEASED, False, Reason.PENDING_RELEASE, message)
            self.emit("Warning", Reason.PENDING_RELEASE, message)
            self.log.warning("%s", message)
        await self.observe()
        return None

    async def _remediated(self, reason: str, message: str, ok: bool) -> Outcome:
        self.draft.set(ConditionType.REMEDIATED, ok, reason, message)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.emit("Normal" if ok else "Warning", reason, message)
        self.log.info("%s", message)
        await self.observe()
        # Always stop after a remediation; the next reconcile retries or stalls.
        return await self.requeue(REQUEUE_AFTER_REMEDIATION)

    async def _rollback(self) -> Outcome | None:
        await self.progress("rollback")
        history = await self.storage().history(self.release_name)
        newest = history[-1].version if history else 0
        targets = [
            r.version
            for r in history
            if r.version < newest and str(r.info.status) in ("deployed", "superseded")
        ]
        if not targets:
            return await self.stall(
                Reason.MISSING_ROLLBACK_TARGET,
                f"no successful revision of {self.release_name} to roll back to",
            )
        spec = self.hr.spec.rollback
        opts = RollbackOptions(
            namespace=self.release_ns,
            storage_namespace=self.storage_ns,
            timeout=self.timeout,
            wait=not spec.disable_wait,
            disable_hooks=spec.disable_hooks,
            name=self.release_name,
            version=targets[-1],
            max_history=self.hr.spec.max_history,
            cleanup_on_fail=spec.cleanup_on_fail,
            labels=owner_labels(self.hr),
        )
        try:
            rel = await rollback(self.engine, opts)
        except (*FAILURES, ReleaseNotFound) as err:
            self._count("rollback", "failed")
            message = f"Helm rollback to v{targets[-1]} failed: {describe(err)}"
            return await self._remediated(Reason.ROLLBACK_FAILED, message, False)
        self._count("rollback", "succeeded")
        message = f"Helm rollback to v{targets[-1]} succeeded: {self._release_text(rel)}"
        return await self._remediated(Reason.ROLLBACK_SUCCEEDED, message, True)

    async def _uninstall_remediation(self) -> Outcome | None:
        await self.progress("uninstall")
        spec = self.hr.spec.uninstall
        opts = UninstallOptions(
            namespace=self.release_ns,
            storage_namespace=self.storage_ns,
            timeout=self.timeout,
            disable_hooks=spec.disable_hooks,
            name=self.release_name,
            keep_history=spec.keep_history,
            propagation=propagation(spec.deletion_propagation.value),
        )
        try:
            await uninstall(self.engine, opts)
        except (*FAILURES, ReleaseNotFound) as err:
            self._count("uninstall", "failed")
            message = f"Helm uninstall of the failed release failed: {describe(err)}"
            return await self._remediated(Reason.UNINSTALL_FAILED, message, False)
        self._count("uninstall", "succeeded")
        message = (
            f"Helm uninstall of failed release {self.storage_ns}/{self.release_name} succeeded"
        )
        return await self._remediated(Reason.UNINSTALL_SUCCEEDED, message, True)

    async def _correct_drift(self) -> Outcome | None:
        try:
            await correct(self.engine.kube, self.drifted)
        except KubeError as err:
            self._count("correct-drift", "failed")
            message = f"Drift correction failed: {describe(err)}"
            self.draft.set(ConditionType.DRIFTED, True, Reason.DRIFT_CORRECTION_FAILED, message)
            return await self.fail(Reason.DRIFT_CORRECTION_FAILED, message)
        self._count("correct-drift", "succeeded")
        message = "Cluster state restored from the release: " + ", ".join(
            d.describe() for d in self.drifted[:10]
        )
        self.draft.set(ConditionType.DRIFTED, False, Reason.DRIFT_CORRECTED, message)
        self.emit("Normal", Reason.DRIFT_CORRECTED, message)
        self.log.info("%s", message)
        self.drifted = []
        return None


def denied(hr: HelmRelease, default_account: str | None, err: BaseException) -> str | None:
    """Who the apiserver refused and what, when `err` comes from a 403; else None."""
    refused = forbidden(err)
    if refused is None:
        return None
    account = hr.spec.service_account_name or default_account
    who = (
        f"service account {hr.namespace}/{account}"
        if account
        else "the operator's own identity (the HelmRelease names no service account)"
    )
    return (
        f"{who} is not allowed to do what the release needs: {refused.message}; grant it "
        "those rights (a Role and RoleBinding) and it is tried again"
    )


def forbidden(err: BaseException) -> Forbidden | None:
    """The apiserver's 403 behind `err` (an action's error wraps its cause), if any."""
    seen: set[int] = set()
    current: BaseException | None = err
    while current is not None and id(current) not in seen:
        if isinstance(current, Forbidden):
            return current
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return None


def too_large_message(err: RecordTooLarge) -> str:
    """Stable across retries (the exact byte count moves with timestamps): MiB, one decimal."""
    return (
        f"release {err.release} revision {err.version} does not fit a Kubernetes {err.kind}: "
        f"its record is {err.size / 2**20:.1f} MiB encoded, over the "
        f"{err.limit / 2**20:g} MiB object limit. Nothing was written and the existing "
        "revisions are intact. Make the chart or values smaller, or keep this release in SQL "
        "storage (spec.storage.driver: sql, or --helm-storage-driver=sql)"
    )


def propagation(value: str) -> Any:
    """Our lower-case spec value -> the apiserver's propagationPolicy."""
    return value.capitalize()
