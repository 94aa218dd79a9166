"""How a reconcile ends and what it writes, in one place: the typed status draft, the `Outcome`
the daemon sleeps on, and `Recorder`, which owns every status transition (ready, failed,
stalled, waiting, requeued, progressing, remediated) with its Event, log line and metric.

Actions never touch the status directly in any other way; they call the recorder.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Literal

from steersman.api import (
    API_VERSION,
    KIND,
    Condition,
    ConditionStatus,
    ConditionType,
    HelmRelease,
    HelmReleaseStatus,
    Reason,
    ReleaseAction,
    Snapshot,
    StorageStatus,
    annotation_names,
    get_condition,
    parse_duration,
    remove_condition,
    set_condition,
)
from steersman.controller.backoff import retry_delay
from steersman.controller.context import Context, EventSink
from steersman.controller.options import action_timeout
from steersman.controller.reconcile.state import StoredRelease
from steersman.controller.status import history_snapshots, patch_for, stored
from steersman.kube import NotFound
from steersman.storage import Release, Storage

# How a reconcile went (the duration metric's label).
Result = Literal["ok", "failed", "stalled", "waiting", "requeued", "suspended", "gone", "error"]
REQUEUE_AFTER_REMEDIATION = 1.0


class HelmReleaseGone(Exception):
    """The HelmRelease was deleted while being reconciled (its status can't be written)."""


@dataclass(frozen=True)
class Outcome:
    """When to reconcile again, and how this one went."""

    requeue_after: float
    result: Result


# An action either ends the reconcile (an Outcome) or lets the loop decide again (None).
Step = Outcome | None


@dataclass
class StatusDraft:
    """The status being built for one HelmRelease generation: every field of
    `HelmReleaseStatus`, typed and mutable; `result()` freezes it again."""

    base: HelmReleaseStatus
    generation: int
    conditions: list[Condition] = field(default_factory=list)
    observed_generation: int | None = None
    history: list[Snapshot] = field(default_factory=list)
    last_attempted_generation: int | None = None
    last_attempted_chart_version: str | None = None
    last_attempted_values_digest: str | None = None
    last_attempted_config_digest: str | None = None
    last_attempted_release_action: ReleaseAction | None = None
    failures: int = 0
    install_failures: int = 0
    upgrade_failures: int = 0
    storage: StorageStatus | None = None
    last_handled_reconcile_at: str | None = None
    last_handled_force_at: str | None = None
    last_handled_reset_at: str | None = None

    @classmethod
    def of(cls, base: HelmReleaseStatus, generation: int) -> StatusDraft:
        copied = {name: getattr(base, name) for name in STATUS_FIELDS}
        copied["conditions"] = list(base.conditions)
        copied["history"] = list(base.history)
        return cls(base=base, generation=generation, **copied)

    def result(self) -> HelmReleaseStatus:
        return self.base.model_copy(update={name: getattr(self, name) for name in STATUS_FIELDS})

    def condition(self, type: ConditionType) -> Condition | None:
        return get_condition(self.conditions, type)

    def set(
        self, type: ConditionType, status: bool | ConditionStatus, reason: str, message: str
    ) -> None:
        self.conditions = set_condition(
            self.conditions, type, status, reason, message, observed_generation=self.generation
        )

    def remove(self, *types: ConditionType) -> None:
        for type in types:
            self.conditions = remove_condition(self.conditions, type)

    def reset_failures(self) -> None:
        self.failures = self.install_failures = self.upgrade_failures = 0

    def count_release_failure(self, action: ReleaseAction | None) -> None:
        """One more failed install (or test after one) or upgrade, for the remediation retries."""
        if action is ReleaseAction.INSTALL:
            self.install_failures += 1
        else:
            self.upgrade_failures += 1


STATUS_FIELDS = tuple(HelmReleaseStatus.model_fields)


class Recorder:
    """The status, Events, logs and metrics of one reconcile of one HelmRelease."""

    def __init__(
        self,
        hr: HelmRelease,
        generation: int,
        ctx: Context,
        emit: EventSink,
        log: logging.LoggerAdapter[Any],
        raw_status: dict[str, Any],
        draft: StatusDraft | None = None,
    ) -> None:
        self.hr, self.ctx, self.emit, self.log = hr, ctx, emit, log
        self.draft = draft if draft is not None else StatusDraft.of(hr.status, generation)
        self.raw_status = raw_status  # what the apiserver has, to skip writes that change nothing
        self.interval = parse_duration(hr.spec.interval)
        self.head: Release | None = None  # the newest stored record, as last observed

    @property
    def key(self) -> str:
        return f"{self.hr.namespace}/{self.hr.name}"

    @property
    def last(self) -> StoredRelease | None:
        return stored(self.head) if self.head is not None else None

    def force_pending(self, token: str | None) -> bool:
        """An unhandled force annotation that no release action of this reconcile used yet."""
        return token is not None and self.draft.last_handled_force_at != token

    # -- writes -------------------------------------------------------------------------------

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

    async def finish(self, requeue_after: float, result: Result) -> Outcome:
        token = annotation_names.unhandled_token(
            self.hr.annotations,
            annotation_names.RECONCILE,
            self.hr.status.last_handled_reconcile_at,
        )
        if token is not None:
            self.draft.last_handled_reconcile_at = token
        await self.write()
        ready = self.draft.condition(ConditionType.READY)
        self.ctx.metrics.set_ready(self.key, str(ready.status) if ready else "Unknown")
        return Outcome(requeue_after, result)

    async def observe(self, storage: Storage, release_name: str) -> None:
        """Re-read the release history after our own action and record it in status."""
        history = await storage.history(release_name)
        self.seen(history)

    def seen(self, history: list[Release]) -> None:
        self.head = history[-1] if history else None
        self.draft.history = history_snapshots(history)

    # -- events and metrics ---------------------------------------------------------------------

    def event_once(self, type: str, reason: str, message: str) -> None:
        """Emit unless Ready already says exactly this (no repeated events while waiting)."""
        ready = self.draft.condition(ConditionType.READY)
        if ready is None or ready.reason != reason or ready.message != message:
            self.emit(type, reason, message)

    def count(self, action: str, result: str) -> None:
        self.ctx.metrics.actions.labels(action=action, result=result).inc()

    # -- transitions that end a reconcile ----------------------------------------------------

    async def fail(self, reason: str, message: str, cause: BaseException | None = None) -> Outcome:
        """A retryable failure: Ready=False, failures+1, retry with backoff (seconds apart when
        `cause` is an outage of storage or the apiserver)."""
        self.event_once("Warning", reason, message)
        self.log.warning("%s: %s", reason, message)
        self.draft.failures += 1
        self.draft.set(ConditionType.READY, False, reason, message)
        self.draft.remove(ConditionType.RECONCILING)
        return await self.finish(retry_delay(self.draft.failures, self.interval, cause), "failed")

    async def stall(self, reason: str, message: str) -> Outcome:
        """Won't progress without a spec change or an annotation: Stalled=True."""
        self.event_once("Warning", reason, message)
        self.draft.set(ConditionType.STALLED, True, reason, message)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.draft.remove(ConditionType.RECONCILING)
        self.draft.observed_generation = self.hr.generation
        return await self.finish(self.interval, "stalled")

    async def waiting(self, reason: str, message: str) -> None:
        self.event_once("Normal", reason, message)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.draft.remove(ConditionType.RECONCILING)
        await self.finish(0, "waiting")

    async def requeue(self, after: float) -> Outcome:
        self.draft.remove(ConditionType.RECONCILING)
        return await self.finish(after, "requeued")

    async def ready(self, deployed: str) -> Outcome:
        """In sync: Ready=True summarised from Released (and TestSuccess when tests run).
        `deployed` is the Released message to use when no action of this reconcile set one."""
        draft, spec = self.draft, self.hr.spec
        released = draft.condition(ConditionType.RELEASED)
        if released is None or released.status != ConditionStatus.TRUE:
            draft.set(ConditionType.RELEASED, True, Reason.UPGRADE_SUCCEEDED, deployed)
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
        draft.observed_generation = self.hr.generation
        return await self.finish(self.interval, "ok")

    async def remediated(
        self, reason: str, message: str, ok: bool, storage: Storage, release_name: str
    ) -> Outcome:
        """After a rollback or uninstall remediation: always stop; the next reconcile retries
        or stalls."""
        self.draft.set(ConditionType.REMEDIATED, ok, reason, message)
        self.draft.set(ConditionType.READY, False, reason, message)
        self.emit("Normal" if ok else "Warning", reason, message)
        self.log.info("%s", message)
        await self.observe(storage, release_name)
        return await self.requeue(REQUEUE_AFTER_REMEDIATION)

    # -- transitions while an action runs --------------------------------------------------

    async def progress(self, action: str) -> None:
        """Reconciling=True while a Helm action runs (written first, so waits are visible)."""
        message = (
            f"Running '{action}' action with timeout of {action_timeout(self.hr.spec, action)}"
        )
        self.draft.set(ConditionType.RECONCILING, True, Reason.PROGRESSING, message)
        if action in ("install", "upgrade"):
            self.draft.set(
                ConditionType.READY, ConditionStatus.UNKNOWN, Reason.PROGRESSING, message
            )
        await self.write()
