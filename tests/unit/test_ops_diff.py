"""Pure parts of the ops commands: per-object diffs, Secret masking, the `get` columns."""

from __future__ import annotations

from typing import Any

from steersman.commands.diff import compare
from steersman.commands.get import ready_and_message, row
from steersman.engine.objects import ObjectKey

LABELS = ("old", "new")


def _secret(**data: str) -> tuple[str, dict[str, Any]]:
    return "v1", {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": data}


def _cm(**data: str) -> tuple[str, dict[str, Any]]:
    return "v1", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": data}


KEY_S = ObjectKey("", "Secret", "ns", "s")
KEY_C = ObjectKey("", "ConfigMap", "ns", "c")


def test_secret_values_are_masked_and_only_changed_keys_marked() -> None:
    old = {KEY_S: _secret(password="b2xk", token="c2FtZQ==", gone="eA==")}
    new = {KEY_S: _secret(password="bmV3", token="c2FtZQ==", added="eQ==")}
    [(change, diff)] = compare(old, new, LABELS, 3, show_secrets=False)
    text = "\n".join(diff.lines)
    assert change == "has changed"
    assert "-  password: '--------'" in text and "+  password: ++++++++" in text
    assert "   token: REDACTED" in text  # unchanged: context, not a change
    assert "-  gone: '--------'" in text and "+  added: ++++++++" in text
    for value in ("b2xk", "bmV3", "c2FtZQ==", "eA==", "eQ=="):
        assert value not in text
    assert old[KEY_S][1]["data"]["password"] == "b2xk"  # the inputs are not modified


def test_secret_shown_with_show_secrets_and_unchanged_secret_is_no_diff() -> None:
    old = {KEY_S: _secret(password="b2xk")}
    new = {KEY_S: _secret(password="bmV3")}
    [(_, diff)] = compare(old, new, LABELS, 3, show_secrets=True)
    assert "+  password: bmV3" in diff.lines
    assert compare(old, {KEY_S: _secret(password="b2xk")}, LABELS, 3, show_secrets=False) == []


def test_added_removed_and_changed_objects_in_order() -> None:
    old = {KEY_C: _cm(greeting="hi"), KEY_S: _secret(a="YQ==")}
    new = {KEY_C: _cm(greeting="bonjour"), ObjectKey("", "ConfigMap", "ns", "n"): _cm(x="1")}
    found = compare(old, new, LABELS, 3, show_secrets=False)
    assert [(c, d.key.name) for c, d in found] == [
        ("has changed", "c"),
        ("has been removed", "s"),
        ("has been added", "n"),
    ]
    assert found[0][1].title("has changed") == "ns, c, ConfigMap (v1) has changed:"
    assert "-  greeting: hi" in found[0][1].lines and "+  greeting: bonjour" in found[0][1].lines
    removed = found[1][1].lines
    assert "-  a: '--------'" in removed and not any("YQ==" in line for line in removed)


def _hr(**status: Any) -> dict[str, Any]:
    return {
        "metadata": {"name": "web", "namespace": "ns", "generation": 2},
        "spec": {"suspend": False},
        "status": status,
    }


def test_get_row_shows_the_ready_message_and_unknown_for_unobserved_generations() -> None:
    ready = {
        "type": "Ready",
        "status": "False",
        "reason": "ArtifactFailed",
        "message": "failed to fetch chart demo: 9.9.9 not found",
        "observedGeneration": 2,
    }
    body = _hr(
        conditions=[ready],
        history=[{"version": 4, "chartName": "demo", "chartVersion": "0.2.0"}],
        storage={"driver": "sql", "namespace": "ns"},
    )
    assert row(body, with_namespace=True) == [
        "ns", "web", "False", "4", "demo-0.2.0", "False", "sql",
        "failed to fetch chart demo: 9.9.9 not found",
    ]  # fmt: skip
    stale = _hr(conditions=[{**ready, "observedGeneration": 1}])
    assert ready_and_message(stale)[0] == "Unknown"
    assert ready_and_message(_hr()) == ("Unknown", "waiting to be reconciled")
    assert row(_hr(), with_namespace=False)[5] == "default"
