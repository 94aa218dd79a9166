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


def test_flux_annotations_are_accepted_as_aliases() -> None:
    flux = {"reconcile.fluxcd.io/requestedAt": "t1", "reconcile.fluxcd.io/forceAt": "t1"}
    assert names.unhandled_token(flux, names.RECONCILE, None) == "t1"
    assert names.unhandled_token(flux, names.FORCE, None) == "t1"
    assert names.unhandled_token(flux, names.RESET, None) is None
    assert names.unhandled_token({"reconcile.fluxcd.io/resetAt": "r"}, names.RESET, "r") is None


def test_both_spellings_give_one_stable_token() -> None:
    both = {names.RECONCILE: "a", "reconcile.fluxcd.io/requestedAt": "b"}
    token = names.unhandled_token(both, names.RECONCILE, None)
    assert token == "a,b"
    # Once handled, it stays handled: no flip-flop between the two values.
    assert names.unhandled_token(both, names.RECONCILE, token) is None
    # A new value on either side is a new request.
    assert names.unhandled_token({**both, names.RECONCILE: "c"}, names.RECONCILE, token) == "c,b"
