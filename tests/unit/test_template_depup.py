"""Pure parts of `steersman template --dependency-update` (template_depup): the Chart.lock
digest and time as helm v4.1.4 writes them. The whole flow is compared with helm in
tests/integration/test_template_dependency_update.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from steersman.chartmodel import Dependency
from steersman.commands.template_depup import _hash_req, _is_request_uri, _rfc3339_nano


def test_lock_digest_is_helms_for_the_same_requirements() -> None:
    # the digest helm v4.1.4 wrote into Chart.lock for this Chart.yaml (Go's JSON escapes `>`)
    req = [Dependency(name="sub", version=">=0.1.0", repository="file://../sub")]
    locked = [Dependency(name="sub", version="0.2.0", repository="file://../sub")]
    assert _hash_req(req, locked) == (
        "sha256:5e96d23c183a09a017ef112bd482e3e200d4107852dd855fb41955de74aa023d"
    )


def test_generated_time_is_gos_rfc3339_nano() -> None:
    assert _rfc3339_nano(datetime(2026, 1, 2, 3, 4, 5, 123400, tzinfo=UTC)) == (
        "2026-01-02T03:04:05.1234Z"
    )
    plus_two = timezone(timedelta(hours=2))
    assert _rfc3339_nano(datetime(2026, 1, 2, 3, 4, 5, tzinfo=plus_two)) == (
        "2026-01-02T03:04:05+02:00"
    )


def test_repository_urls_are_told_from_names_as_go_parses_request_uris() -> None:
    assert _is_request_uri("https://charts.example.com")
    assert _is_request_uri("/abs/path")
    assert _is_request_uri("foo:bar")
    assert not _is_request_uri("stable")
