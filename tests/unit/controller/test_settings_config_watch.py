"""--watch-configs-label-selector: defaults, repetition, turning it off, a bad selector."""

from __future__ import annotations

import pytest

from steersman.controller.config_watch import DEFAULT_SELECTORS, values_refs
from steersman.controller.settings import SettingsError, parse


def test_defaults_watch_flux_and_our_label() -> None:
    assert parse([], {}).watch_configs_label_selectors == DEFAULT_SELECTORS
    assert DEFAULT_SELECTORS == (
        "reconcile.fluxcd.io/watch=Enabled",
        "helm.steersman.dev/watch=Enabled",
    )


def test_repeated_flags_replace_the_defaults_and_empty_turns_it_off() -> None:
    got = parse(["--watch-configs-label-selector", "a=b", "--watch-configs-label-selector", "c"])
    assert got.watch_configs_label_selectors == ("a=b", "c")
    assert parse(["--watch-configs-label-selector", ""]).watch_configs_label_selectors == ()
    env = {"STEERSMAN_WATCH_CONFIGS_LABEL_SELECTOR": "team=a"}
    assert parse([], env).watch_configs_label_selectors == ("team=a",)


def test_a_bad_selector_names_the_flag() -> None:
    with pytest.raises(SettingsError, match=r"^--watch-configs-label-selector: "):
        parse(["--watch-configs-label-selector", "a=b=c"])


def test_values_refs_reads_configmaps_and_secrets_of_the_namespace() -> None:
    body = {
        "metadata": {"namespace": "team-a", "name": "web"},
        "spec": {
            "valuesFrom": [
                {"kind": "ConfigMap", "name": "common"},
                {"kind": "Secret", "name": "db", "valuesKey": "values.yaml"},
                {"kind": "Other", "name": "x"},
                "junk",
            ]
        },
    }
    assert values_refs(body) == {("ConfigMap", "team-a", "common"), ("Secret", "team-a", "db")}
    assert values_refs({"metadata": {}}) == frozenset()
