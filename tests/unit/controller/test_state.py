"""The reconcile decision table, case by case."""

from __future__ import annotations

import pytest

from steersman.controller.reconcile.state import (
    Action,
    Desired,
    Memory,
    Policy,
    State,
    StoredRelease,
    decide,
)

WANT = Desired("web", "1.0.0", "sha256:v1")


def rel(status: str = "deployed", version: int = 3, **kw: object) -> StoredRelease:
    base = {"chart_name": "web", "chart_version": "1.0.0", "config_digest": "sha256:v1"}
    base.update(kw)  # type: ignore[arg-type]
    return StoredRelease(version=version, status=status, **base)  # type: ignore[arg-type]


OURS = Memory(latest_version=3, last_action="upgrade")

CASES = [
    ("nothing stored", None, Memory(), Policy(), State.ABSENT, Action.INSTALL),
    (
        "only an uninstalled record",
        rel("uninstalled"),
        OURS,
        Policy(),
        State.ABSENT,
        Action.INSTALL,
    ),
    (
        "install retries exhausted",
        None,
        Memory(install_failures=1),
        Policy(),
        State.ABSENT,
        Action.STALL,
    ),
    (
        "exhausted but forced",
        None,
        Memory(install_failures=1, force=True),
        Policy(),
        State.ABSENT,
        Action.INSTALL,
    ),
    (
        "unlimited install retries",
        None,
        Memory(install_failures=9),
        Policy(install_retries=-1),
        State.ABSENT,
        Action.INSTALL,
    ),
    ("stale pending upgrade", rel("pending-upgrade"), OURS, Policy(), State.LOCKED, Action.UNLOCK),
    (
        "pending wins over unmanaged",
        rel("pending-install", version=9),
        OURS,
        Policy(),
        State.LOCKED,
        Action.UNLOCK,
    ),
    ("helm upgraded out of band", rel(version=4), OURS, Policy(), State.UNMANAGED, Action.UPGRADE),
    ("in sync", rel(), OURS, Policy(), State.IN_SYNC, Action.NONE),
    (
        "new values",
        rel(config_digest="sha256:old"),
        OURS,
        Policy(),
        State.OUT_OF_SYNC,
        Action.UPGRADE,
    ),
    (
        "new chart version",
        rel(chart_version="0.9.0"),
        OURS,
        Policy(),
        State.OUT_OF_SYNC,
        Action.UPGRADE,
    ),
    (
        "out of sync, upgrade retries exhausted",
        rel(config_digest="sha256:old"),
        Memory(latest_version=3, upgrade_failures=2),
        Policy(upgrade_retries=1),
        State.OUT_OF_SYNC,
        Action.STALL,
    ),
    (
        "forced upgrade of an in-sync release",
        rel(),
        Memory(latest_version=3, force=True),
        Policy(),
        State.IN_SYNC,
        Action.UPGRADE,
    ),
    ("tests not yet run", rel(), OURS, Policy(test_enabled=True), State.UNTESTED, Action.TEST),
    (
        "tests passed",
        rel(test_phases={"t": "Succeeded"}),
        OURS,
        Policy(test_enabled=True),
        State.IN_SYNC,
        Action.NONE,
    ),
    (
        "tests failed, remediate by rollback",
        rel(test_phases={"t": "Failed"}),
        Memory(latest_version=3, last_action="upgrade", upgrade_failures=1),
        Policy(test_enabled=True, upgrade_retries=2),
        State.FAILED,
        Action.ROLLBACK,
    ),
    (
        "tests failed but ignored",
        rel(test_phases={"t": "Failed"}),
        OURS,
        Policy(test_enabled=True, ignore_test_failures=True),
        State.IN_SYNC,
        Action.NONE,
    ),
    (
        "drift with correction on",
        rel(),
        Memory(latest_version=3, drifted=True),
        Policy(drift_mode="enabled"),
        State.IN_SYNC,
        Action.CORRECT_DRIFT,
    ),
    (
        "drift in warn mode",
        rel(),
        Memory(latest_version=3, drifted=True),
        Policy(drift_mode="warn"),
        State.IN_SYNC,
        Action.NONE,
    ),
    (
        "failed upgrade, retries left: rollback",
        rel("failed"),
        Memory(latest_version=3, last_action="upgrade", upgrade_failures=1),
        Policy(upgrade_retries=3),
        State.FAILED,
        Action.ROLLBACK,
    ),
    (
        "failed upgrade, uninstall strategy",
        rel("failed"),
        Memory(latest_version=3, last_action="upgrade", upgrade_failures=1),
        Policy(upgrade_retries=3, upgrade_strategy="uninstall"),
        State.FAILED,
        Action.UNINSTALL,
    ),
    (
        "failed install, retries left: uninstall then install again",
        rel("failed"),
        Memory(latest_version=3, last_action="install", install_failures=1),
        Policy(install_retries=1),
        State.FAILED,
        Action.UNINSTALL,
    ),
    (
        "failed upgrade, default zero retries: stall, keep the failed release",
        rel("failed"),
        Memory(latest_version=3, last_action="upgrade", upgrade_failures=1),
        Policy(),
        State.FAILED,
        Action.STALL,
    ),
    (
        "failed, inputs changed since (counters reset)",
        rel("failed"),
        Memory(latest_version=3, last_action="upgrade"),
        Policy(),
        State.FAILED,
        Action.UPGRADE,
    ),
    (
        "failed, forced",
        rel("failed"),
        Memory(latest_version=3, last_action="upgrade", upgrade_failures=5, force=True),
        Policy(),
        State.FAILED,
        Action.UPGRADE,
    ),
]


@pytest.mark.parametrize(
    ("last", "memory", "policy", "state", "action"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_decide(
    last: StoredRelease | None, memory: Memory, policy: Policy, state: State, action: Action
) -> None:
    decision = decide(last, WANT, memory, policy)
    assert (decision.state, decision.action) == (state, action)
    assert decision.reason


def test_a_remediation_cycle_ends_in_stall() -> None:
    """Upgrade retries 1 with rollback: fail, roll back, fail again, stall."""
    policy = Policy(upgrade_retries=1)
    memory = Memory(latest_version=4, last_action="upgrade", upgrade_failures=1)
    assert decide(rel("failed", version=4), WANT, memory, policy).action is Action.ROLLBACK
    # After the rollback (revision 5, deployed with the old values) the spec is still new.
    memory = Memory(latest_version=5, last_action="upgrade", upgrade_failures=1)
    after_rollback = rel(version=5, config_digest="sha256:old")
    assert decide(after_rollback, WANT, memory, policy).action is Action.UPGRADE
    memory = Memory(latest_version=6, last_action="upgrade", upgrade_failures=2)
    # Out of retries: the last failure is still remediated (rolled back) ...
    assert decide(rel("failed", version=6), WANT, memory, policy).action is Action.ROLLBACK
    # ... and then, deployed with the old values again, the release stalls.
    memory = Memory(latest_version=7, last_action="upgrade", upgrade_failures=2)
    after_last = rel(version=7, config_digest="sha256:old")
    assert decide(after_last, WANT, memory, policy).action is Action.STALL


def test_install_remediation_ends_uninstalled_and_stalled() -> None:
    policy = Policy(install_retries=1)
    memory = Memory(latest_version=2, last_action="install", install_failures=2)
    assert decide(rel("failed", version=2), WANT, memory, policy).action is Action.UNINSTALL
    gone = Memory(latest_version=2, last_action="install", install_failures=2)
    assert decide(None, WANT, gone, policy).action is Action.STALL


def test_changed_post_renderers_are_out_of_sync() -> None:
    """The record's post-render label against the spec's digest (Flux's
    observedPostRenderersDigest): added, changed or removed post-renderers all upgrade."""
    with_patch = Desired("web", "1.0.0", "sha256:v1", post_render_digest="abc")
    for last, want in (
        (rel(), with_patch),
        (rel(post_render_digest="abc"), WANT),
        (rel(post_render_digest="old"), with_patch),
    ):
        d = decide(last, want, OURS, Policy())
        assert (d.state, d.action) == (State.OUT_OF_SYNC, Action.UPGRADE)
    same = decide(rel(post_render_digest="abc"), with_patch, OURS, Policy())
    assert same.action is Action.NONE
