"""The retry policy: release failures back off to minutes, outages of a dependency stay seconds
apart however long they last (issue 11 point 8: recovery within seconds of the dependency)."""

from __future__ import annotations

from steersman.controller.backoff import (
    MAX_BACKOFF,
    TRANSIENT_MAX_BACKOFF,
    is_transient,
    retry_delay,
)
from steersman.kube import Forbidden, Invalid, KubeError, Unavailable
from steersman.storage import RecordTooLarge, StorageError, StorageUnavailable

HOUR = 3600.0
OUTAGES = [
    StorageUnavailable("SQL storage unreachable: connection refused"),
    StorageUnavailable("SQL storage unreachable: connection lost"),
    StorageUnavailable("SQL storage unavailable: too many connections"),
    StorageUnavailable("Secret storage: list: API server unreachable: ClientConnectorError"),
    StorageUnavailable("Secret storage: update: HTTP 503: etcd leader changed"),
    StorageUnavailable("Secret storage: create: HTTP 429: slow down"),
    Unavailable("kube-apiserver unreachable: ClientConnectorError"),
    Unavailable("etcdserver: request timed out", status=504),
]
NOT_OUTAGES = [
    StorageUnavailable("SQL storage: password authentication failed"),
    StorageUnavailable("SQL storage: permission denied for the configured user"),
    StorageUnavailable("Secret storage: create: HTTP 403: forbidden"),
    RecordTooLarge("web", 3, 2_000_000, 1_048_576, "Secret"),
    StorageError("SQL storage error 22001: value too long"),
    Forbidden("secrets is forbidden"),
    Invalid("spec.replicas: Invalid value"),
    KubeError("conflict", status=409),
    ValueError("not ours"),
    None,
]


def test_outages_are_transient_and_other_failures_are_not() -> None:
    assert [is_transient(e) for e in OUTAGES] == [True] * len(OUTAGES)
    assert [is_transient(e) for e in NOT_OUTAGES] == [False] * len(NOT_OUTAGES)


def test_release_failures_back_off_exponentially_up_to_five_minutes() -> None:
    delays = [retry_delay(n, HOUR, Invalid("bad")) for n in range(1, 10)]
    assert delays == [5, 10, 20, 40, 80, 160, 300, 300, 300]
    assert retry_delay(50, HOUR) == MAX_BACKOFF


def test_an_outage_of_any_length_is_retried_within_seconds() -> None:
    # 500 failed attempts: a database down for half an hour at one attempt every few seconds.
    for cause in OUTAGES:
        delays = [retry_delay(n, HOUR, cause) for n in range(1, 500)]
        assert delays[:3] == [1, 2, 3]
        assert max(delays) == TRANSIENT_MAX_BACKOFF <= 3.0


def test_the_interval_bounds_every_delay() -> None:
    assert retry_delay(9, 2.0, Invalid("bad")) == 2.0
    assert retry_delay(9, 0.5, OUTAGES[0]) == 0.5
