"""What to do next for one HelmRelease: pure functions from observations to an action.

The reconciler observes (the newest stored release record, the HelmRelease's status and spec,
optionally a drift diff), calls `decide`, acts, observes again, and repeats until `decide` says
NONE or STALL, running each kind of action at most once per reconcile. Flux's helm-controller
works the same way (its `DetermineReleaseState` and `actionForState`); the differences are
documented on the functions below.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

PENDING = frozenset({"pending-install", "pending-upgrade", "pending-rollback"})


class State(StrEnum):
    ABSENT = "Absent"  # no release, or only an uninstalled one
    LOCKED = "Locked"  # the newest record is pending-*: a previous run died mid-action
    UNMANAGED = "Unmanaged"  # a release exists that this HelmRelease did not write last
    FAILED = "Failed"  # the newest record failed, or its tests failed
    OUT_OF_SYNC = "OutOfSync"  # deployed, but chart or values differ from the spec
    UNTESTED = "Untested"  # deployed and in sync, tests enabled but not run yet
    IN_SYNC = "InSync"


class Action(StrEnum):
    NONE = "none"
    INSTALL = "install"
    UPGRADE = "upgrade"
    TEST = "test"
    UNLOCK = "unlock"
    ROLLBACK = "rollback"
    UNINSTALL = "uninstall"  # as remediation of a failed install or upgrade
    CORRECT_DRIFT = "correct-drift"
    STALL = "stall"  # retries exhausted: wait for a spec change or the reset/force annotation


@dataclass(frozen=True)
class StoredRelease:
    """The parts of the newest stored release record that decisions need."""

    version: int
    status: str
    chart_name: str
    chart_version: str
    config_digest: str
    test_phases: Mapping[str, str] = field(default_factory=dict)  # test hook name -> phase
    post_render_digest: str = ""  # the record's post-render label ("" without post-renderers)


@dataclass(frozen=True)
class Desired:
    chart_name: str
    chart_version: str
    config_digest: str
    post_render_digest: str = ""  # spec.postRenderers and commonMetadata


@dataclass(frozen=True)
class Policy:
    test_enabled: bool = False
    ignore_test_failures: bool = False
    install_retries: int = 0  # -1: no limit
    upgrade_retries: int = 0
    upgrade_strategy: str = "rollback"  # or "uninstall"
    drift_mode: str = "disabled"  # warn | enabled


@dataclass(frozen=True)
class Memory:
    """What the HelmRelease's status remembers."""

    latest_version: int | None = None  # status.history[0].version: the release we wrote last
    last_action: str = ""  # install | upgrade (status.lastAttemptedReleaseAction)
    install_failures: int = 0
    upgrade_failures: int = 0
    force: bool = False  # an unhandled force annotation
    drifted: bool = False  # the cluster differs from the stored manifest (checked when in sync)


@dataclass(frozen=True)
class Decision:
    action: Action
    state: State
    reason: str


def tests_failed(last: StoredRelease) -> bool:
    return any(phase == "Failed" for phase in last.test_phases.values())


def determine_state(
    last: StoredRelease | None, desired: Desired, memory: Memory, policy: Policy
) -> State:
    if last is None or last.status == "uninstalled":
        return State.ABSENT
    if last.status in PENDING:
        return State.LOCKED
    # Someone else (helm CLI, another HelmRelease) wrote the newest revision.
    if memory.latest_version != last.version:
        return State.UNMANAGED
    if last.status in ("failed", "uninstalling"):
        return State.FAILED
    if last.status != "deployed":  # superseded/unknown as the newest record: not ours to trust
        return State.UNMANAGED
    if (last.chart_name, last.chart_version) != (desired.chart_name, desired.chart_version):
        return State.OUT_OF_SYNC
    if last.config_digest != desired.config_digest:
        return State.OUT_OF_SYNC
    if last.post_render_digest != desired.post_render_digest:
        return State.OUT_OF_SYNC
    if policy.test_enabled:
        if not last.test_phases:
            return State.UNTESTED
        if tests_failed(last) and not policy.ignore_test_failures:
            return State.FAILED
    return State.IN_SYNC


def _exhausted(failures: int, retries: int) -> bool:
    return retries >= 0 and failures > retries


def decide(
    last: StoredRelease | None, desired: Desired, memory: Memory, policy: Policy
) -> Decision:
    """The next action. Retries count failed attempts of the action that was last tried;
    the controller resets the counters when the inputs (generation, chart, values) change, so
    a fixed spec always gets a fresh try."""
    state = determine_state(last, desired, memory, policy)
    upgrade_done = _exhausted(memory.upgrade_failures, policy.upgrade_retries)
    install_done = _exhausted(memory.install_failures, policy.install_retries)

    if state is State.LOCKED:
        return Decision(Action.UNLOCK, state, f"release is stuck in {last.status if last else ''}")
    if state is State.ABSENT:
        if install_done and not memory.force:
            return Decision(Action.STALL, state, "install retries exhausted")
        return Decision(Action.INSTALL, state, "no release in storage")
    if state is State.UNMANAGED:
        return Decision(Action.UPGRADE, state, "adopting a release written by someone else")
    if state is State.OUT_OF_SYNC:
        if upgrade_done and not memory.force:
            return Decision(Action.STALL, state, "upgrade retries exhausted")
        return Decision(Action.UPGRADE, state, "chart or values changed")
    if state is State.UNTESTED:
        return Decision(Action.TEST, state, "tests enabled and not run for this revision")
    if state is State.FAILED:
        return _after_failure(state, memory, policy, install_done, upgrade_done)
    if memory.force:
        return Decision(Action.UPGRADE, state, "forced by annotation")
    if memory.drifted and policy.drift_mode == "enabled":
        return Decision(Action.CORRECT_DRIFT, state, "cluster state drifted from the release")
    return Decision(Action.NONE, state, "release is in sync")


def _after_failure(
    state: State, memory: Memory, policy: Policy, install_done: bool, upgrade_done: bool
) -> Decision:
    installing = memory.last_action == "install"
    failures = memory.install_failures if installing else memory.upgrade_failures
    if memory.force or failures == 0:
        # Forced, or the inputs changed since the failure: try the new spec right away.
        return Decision(Action.UPGRADE, state, "retrying with the current spec")
    retries = policy.install_retries if installing else policy.upgrade_retries
    if (install_done if installing else upgrade_done) and retries == 0:
        # No remediation configured: leave the failed release in place for inspection.
        return Decision(
            Action.STALL, state, f"{'install' if installing else 'upgrade'} retries exhausted"
        )
    # Retries left, or the last failure of a configured remediation (like Flux's
    # remediateLastFailure): remediate; once retries are exhausted the next decision stalls.
    if installing or policy.upgrade_strategy == "uninstall":
        return Decision(Action.UNINSTALL, state, "remediating the failed release by uninstall")
    return Decision(Action.ROLLBACK, state, "remediating the failed upgrade by rollback")
