"""Condition helpers: kstatus semantics of set_condition, lookups, readiness."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from steersman.api import (
    Condition,
    ConditionStatus,
    ConditionType,
    Reason,
    get_condition,
    is_ready,
    is_true,
    remove_condition,
    set_condition,
)
from steersman.api.conditions import MESSAGE_MAX

T0 = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)
READY = ConditionType.READY


def test_new_condition_is_appended_with_the_transition_time() -> None:
    out = set_condition([], READY, False, Reason.INSTALL_FAILED, "boom", now=T0)
    assert out == [
        Condition(
            type="Ready",
            status=ConditionStatus.FALSE,
            reason="InstallFailed",
            message="boom",
            last_transition_time=T0,
        )
    ]


def test_same_status_keeps_the_transition_time_but_takes_the_rest() -> None:
    first = set_condition([], READY, False, Reason.INSTALL_FAILED, "a", now=T0)
    second = set_condition(
        first, READY, False, Reason.UPGRADE_FAILED, "b", observed_generation=2, now=T1
    )
    cond = get_condition(second, READY)
    assert cond is not None
    assert cond.last_transition_time == T0
    assert (cond.reason, cond.message, cond.observed_generation) == ("UpgradeFailed", "b", 2)


def test_status_flip_moves_the_transition_time() -> None:
    first = set_condition([], READY, False, Reason.INSTALL_FAILED, "a", now=T0)
    second = set_condition(first, READY, True, Reason.INSTALL_SUCCEEDED, "ok", now=T1)
    third = set_condition(second, READY, ConditionStatus.UNKNOWN, Reason.PROGRESSING, "", now=T1)
    assert get_condition(second, READY).last_transition_time == T1  # type: ignore[union-attr]
    assert get_condition(third, READY).status is ConditionStatus.UNKNOWN  # type: ignore[union-attr]


def test_order_is_kept_and_input_is_not_mutated() -> None:
    conds = set_condition([], ConditionType.RELEASED, True, Reason.INSTALL_SUCCEEDED, "", now=T0)
    conds = set_condition(conds, READY, True, Reason.INSTALL_SUCCEEDED, "", now=T0)
    before = list(conds)
    updated = set_condition(conds, ConditionType.RELEASED, False, Reason.UPGRADE_FAILED, "", now=T1)
    assert [c.type for c in updated] == ["Released", "Ready"]
    assert conds == before
    assert [c.type for c in remove_condition(updated, "Released")] == ["Ready"]


def test_time_defaults_to_now_at_second_precision() -> None:
    cond = set_condition([], READY, True, Reason.INSTALL_SUCCEEDED, "")[0]
    assert cond.last_transition_time.microsecond == 0
    assert cond.last_transition_time.tzinfo is not None
    assert abs(datetime.now(UTC) - cond.last_transition_time) < timedelta(seconds=5)


def test_long_messages_are_cut_to_the_api_limit() -> None:
    cond = set_condition([], READY, False, Reason.RECONCILE_ERROR, "x" * 40000, now=T0)[0]
    assert len(cond.message) == MESSAGE_MAX
    assert cond.message.endswith("(truncated)")


def test_readiness() -> None:
    assert not is_ready([])
    conds = set_condition([], READY, True, Reason.UPGRADE_SUCCEEDED, "", observed_generation=3)
    assert is_ready(conds) and is_ready(conds, 3)
    assert not is_ready(conds, 4)  # describes an older spec
    assert is_true(conds, "Ready") and not is_true(conds, "Stalled")
    stalled = set_condition(conds, READY, False, Reason.RETRIES_EXCEEDED, "")
    assert not is_ready(stalled)


def test_serialised_form_is_metav1_condition() -> None:
    cond = set_condition(
        [], READY, True, Reason.TEST_SUCCEEDED, "ok", observed_generation=1, now=T0
    )
    assert cond[0].to_k8s() == {
        "type": "Ready",
        "status": "True",
        "observedGeneration": 1,
        "lastTransitionTime": "2026-01-01T12:00:00Z",
        "reason": "TestSucceeded",
        "message": "ok",
    }


@pytest.mark.parametrize("reason", ["has space", "1Digit", "Trailing,", ""])
def test_reasons_must_be_camel_case_identifiers(reason: str) -> None:
    with pytest.raises(ValidationError, match="reason"):
        set_condition([], READY, True, reason, "")


def test_every_reason_constant_is_valid() -> None:
    for reason in Reason:
        set_condition([], READY, True, reason, "")
