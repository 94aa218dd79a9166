"""Pure parts of HA: where the lease lives, holder identities, and the selector kopf sends."""

from __future__ import annotations

from pathlib import Path

from kopf import Resource

from steersman.api import GROUP, PLURAL, VERSION
from steersman.controller.leader import default_namespace, new_identity
from steersman.controller.main import kopf_settings
from steersman.controller.settings import parse


def test_lease_namespace_is_the_pods_own(tmp_path: Path) -> None:
    mounted = tmp_path / "namespace"
    mounted.write_text("platform\n")
    assert default_namespace(mounted) == "platform"
    assert default_namespace(tmp_path / "absent") == "steersman-system"


def test_identities_are_unique_per_process() -> None:
    first, second = new_identity(), new_identity()
    assert first != second
    assert first.rsplit("_", 1)[0] == second.rsplit("_", 1)[0]  # hostname_<random>


def test_election_defaults_are_fluxs() -> None:
    s = parse([], {})
    assert not s.leader_elect
    assert (
        s.leader_election_lease_duration,
        s.leader_election_renew_deadline,
        s.leader_election_retry_period,
        s.graceful_shutdown_timeout,
    ) == (35.0, 30.0, 5.0, 600.0)
    assert s.leader_election_id == "steersman-leader-election"
    assert s.leader_election_namespace is None  # resolved at start-up: default_namespace()


def test_election_flags_and_environment() -> None:
    s = parse(
        ["--leader-elect", "--leader-election-lease-duration", "1m"],
        {"STEERSMAN_LEADER_ELECTION_RENEW_DEADLINE": "40", "STEERSMAN_LEADER_ELECT": "false"},
    )
    assert s.leader_elect and s.leader_election_lease_duration == 60.0
    assert s.leader_election_renew_deadline == 40.0
    assert parse([], {"STEERSMAN_LEADER_ELECT": "true"}).leader_elect


def test_the_whole_selector_goes_to_the_apiserver() -> None:
    """kopf joins `settings.watching.label_selectors` into the watch and list requests'
    labelSelector parameter, as is: set-based terms need no translation."""
    selector = "shard in (a,b),tier!=x,!legacy,team"
    ks = kopf_settings(parse(["--watch-label-selector", selector], {}))
    helmreleases = Resource(GROUP, VERSION, PLURAL, kind="HelmRelease", namespaced=True)
    assert ks.watching.label_selectors.collect(helmreleases) == [selector]
    others = Resource("", "v1", "secrets", kind="Secret", namespaced=True)
    assert ks.watching.label_selectors.collect(others) == []
    assert kopf_settings(parse([], {})).watching.label_selectors.collect(helmreleases) == []


def test_kopf_never_kills_a_graceful_shutdown() -> None:
    ks = kopf_settings(parse(["--graceful-shutdown-timeout", "15m"], {}))
    assert ks.process.ultimate_exiting_timeout is not None
    assert ks.process.ultimate_exiting_timeout > 15 * 60
