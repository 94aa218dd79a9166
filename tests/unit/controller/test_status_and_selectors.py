"""Pure pieces of the controller: status drafts and patches, history snapshots, label
selectors, safe error messages and structured log lines."""

from __future__ import annotations

import dataclasses
import io
import json
import logging

import pytest

from steersman.api import ConditionType, HelmReleaseStatus, Reason, values_digest
from steersman.chartmodel import Metadata
from steersman.controller.logs import JsonFormatter, TextFormatter
from steersman.controller.reconcile.outcomes import STATUS_FIELDS, StatusDraft
from steersman.controller.status import history_snapshots, patch_for, stored
from steersman.engine.errors import NameInUse
from steersman.errors import describe
from steersman.labels import parse as parse_selector
from steersman.storage import Hook, HookExecution, Info, Release, StoredChart
from steersman.storage.errors import StorageUnavailable


def release(version: int, status: str, test_phase: str = "") -> Release:
    hooks = [Hook(name="check", events=["test"], last_run=HookExecution(phase=test_phase))]
    return Release(
        name="web",
        namespace="apps",
        version=version,
        info=Info(status=status),
        chart=StoredChart(
            metadata=Metadata(name="demo", version=f"0.{version}.0", app_version="1")
        ),
        config={"replicas": 2.0},
        hooks=hooks,
    )


def test_unchanged_draft_needs_no_patch() -> None:
    draft = StatusDraft.of(HelmReleaseStatus(), 3)
    draft.set(ConditionType.READY, True, Reason.INSTALL_SUCCEEDED, "installed")
    raw = draft.result().to_k8s()
    again = StatusDraft.of(HelmReleaseStatus.model_validate(raw), 3)
    again.set(ConditionType.READY, True, Reason.INSTALL_SUCCEEDED, "installed")
    assert patch_for(raw, again.result()) is None


def test_patch_nulls_dropped_fields_and_replaces_changed_ones() -> None:
    raw = {"failures": 2, "lastHandledReconcileAt": "x", "extraField": 1}
    draft = StatusDraft.of(HelmReleaseStatus.model_validate(raw), 1)
    draft.failures = 0
    patch = patch_for(raw, draft.result())
    assert patch is not None
    assert patch["failures"] == 0
    assert patch["lastHandledReconcileAt"] == "x"
    assert patch["extraField"] is None  # unknown to the model: removed


def test_draft_carries_every_status_field_unchanged() -> None:
    raw = {
        "observedGeneration": 4,
        "failures": 2,
        "installFailures": 1,
        "lastAttemptedReleaseAction": "upgrade",
        "lastHandledForceAt": "t1",
        "storage": {"driver": "sql", "namespace": "records"},
    }
    base = HelmReleaseStatus.model_validate(raw)
    draft = StatusDraft.of(base, 4)
    assert {f.name for f in dataclasses.fields(StatusDraft)} - {"base", "generation"} == set(
        STATUS_FIELDS
    )
    assert draft.result() == base
    assert patch_for(raw, draft.result()) is None


def test_condition_transition_time_kept_while_status_is_unchanged() -> None:
    draft = StatusDraft.of(HelmReleaseStatus(), 1)
    draft.set(ConditionType.READY, False, Reason.PROGRESSING, "first")
    first = draft.condition(ConditionType.READY)
    draft.set(ConditionType.READY, False, Reason.UPGRADE_FAILED, "second")
    second = draft.condition(ConditionType.READY)
    assert first is not None and second is not None
    assert second.last_transition_time == first.last_transition_time
    assert second.observed_generation == 1


def test_history_goes_back_to_the_newest_successful_revision() -> None:
    history = [
        release(1, "superseded"),
        release(2, "deployed"),
        release(3, "failed"),
        release(4, "failed"),
    ]
    snaps = history_snapshots(history)
    assert [(s.version, s.status) for s in snaps] == [(4, "failed"), (3, "failed"), (2, "deployed")]
    assert snaps[0].config_digest == values_digest({"replicas": 2.0})
    assert snaps[0].chart_version == "0.4.0" and snaps[0].app_version == "1"


def test_history_is_capped() -> None:
    history = [release(v, "failed") for v in range(1, 10)]
    assert [s.version for s in history_snapshots(history)] == [9, 8, 7, 6, 5]


def test_stored_release_carries_test_phases_and_config_digest() -> None:
    last = stored(release(2, "deployed", test_phase="Failed"))
    assert last.test_phases == {"check": "Failed"}
    assert last.chart_name == "demo" and last.chart_version == "0.2.0"
    assert last.config_digest == values_digest({"replicas": 2.0})
    assert stored(release(2, "deployed")).test_phases == {}


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("shard=a", {"shard": "a"}, True),
        ("shard==a", {"shard": "b"}, False),
        ("shard!=a", {}, True),
        ("shard in (a, b),tier", {"shard": "b", "tier": "x"}, True),
        ("shard in (a, b),tier", {"shard": "b"}, False),
        ("shard notin (a)", {"shard": "c"}, True),
        ("!canary", {"canary": "yes"}, False),
        ("!canary", {}, True),
    ],
)
def test_label_selector(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse_selector(selector)(labels) is expected


@pytest.mark.parametrize("bad", ["a in b", "=x", "!a=b", "a b"])
def test_label_selector_rejects_bad_syntax(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid label selector"):
        parse_selector(bad)


def test_describe_shows_our_messages_and_only_the_type_of_others() -> None:
    assert describe(NameInUse()) == "cannot reuse a name that is still in use"
    assert describe(StorageUnavailable("SQL storage unreachable: timed out")).startswith("SQL")
    leaky = RuntimeError("postgresql://user:hunter2@db/helm refused")
    assert describe(leaky) == "internal error (RuntimeError)"


def _line(formatter: logging.Formatter, **extra: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    logger = logging.getLogger(f"test.logs.{id(formatter)}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        raise ValueError("secret text inside an exception")
    except ValueError:
        logger.error("reconcile failed", exc_info=True, extra=extra)
    return stream.getvalue()


def test_json_log_lines_carry_release_fields_and_no_traceback_text() -> None:
    entry = json.loads(_line(JsonFormatter(), namespace="apps", release="web"))
    assert entry["namespace"] == "apps" and entry["release"] == "web"
    assert entry["message"] == "reconcile failed" and entry["level"] == "error"
    assert entry["error"] == "ValueError"
    assert "secret text" not in json.dumps(entry)


def test_kopf_object_references_become_release_fields() -> None:
    ref = {"namespace": "apps", "name": "web", "uid": "1"}
    entry = json.loads(_line(JsonFormatter(), k8s_ref=ref))
    assert (entry["namespace"], entry["release"]) == ("apps", "web")
    text = _line(TextFormatter(), k8s_ref=ref)
    assert "[apps/web]" in text and "secret text" not in text
