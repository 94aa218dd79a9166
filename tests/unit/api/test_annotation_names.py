"""One-off request annotations and their handled tokens."""

from __future__ import annotations

from steersman.api import annotation_names as names


def test_names() -> None:
    assert names.RECONCILE == "helm.steersman.dev/reconcile"
    assert names.FORCE == "helm.steersman.dev/force"
    assert names.RESET == "helm.steersman.dev/reset"


def test_a_token_is_pending_until_handled() -> None:
    meta = {names.RESET: "1700000000", "other": "x"}
    assert names.unhandled_token(meta, names.RESET, None) == "1700000000"
    assert names.unhandled_token(meta, names.RESET, "1600000000") == "1700000000"
    assert names.unhandled_token(meta, names.RESET, "1700000000") is None


def test_absent_or_empty_annotation_requests_nothing() -> None:
    assert names.unhandled_token(None, names.FORCE, None) is None
    assert names.unhandled_token({}, names.FORCE, None) is None
    assert names.unhandled_token({names.FORCE: ""}, names.FORCE, None) is None
