"""Pieces of a HelmRelease status: release-history snapshots, what `decide` needs from a
record, and the status patch (none when nothing changed).

The reconcile changes a draft as it goes (`reconcile/outcomes.py`); `patch_for` compares the
result with the status the apiserver has, so a reconcile that changes nothing writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from steersman.api import (
    HelmReleaseStatus,
    Snapshot,
    TestHookStatus,
    values_digest,
)
from steersman.controller.reconcile.state import StoredRelease
from steersman.engine import POST_RENDER_LABEL
from steersman.storage import GoTime, Release

# Snapshots kept in status.history: Helm's records are the source of truth, this is a summary.
HISTORY_LIMIT = 5
SUCCESSFUL = frozenset({"deployed", "superseded"})


def status_body(status: HelmReleaseStatus) -> dict[str, Any]:
    return status.to_k8s()


def patch_for(current: dict[str, Any], wanted: HelmReleaseStatus) -> dict[str, Any] | None:
    """A merge patch turning `current` (the raw status) into `wanted`; None when they are
    equal. Top-level keys `wanted` drops are set to null; lists are replaced whole."""
    body = status_body(wanted)
    if _normalised(current) == body:
        return None
    patch: dict[str, Any] = dict(body)
    for key in current:
        if key not in body:
            patch[key] = None
    return patch


def _normalised(raw: dict[str, Any]) -> dict[str, Any]:
    """The raw status read back through the model, so formatting differences don't count."""
    try:
        return status_body(HelmReleaseStatus.model_validate(raw))
    except ValueError:
        return raw


def _time(value: GoTime | None) -> datetime | None:
    return value.datetime.replace(microsecond=0) if value is not None else None


def stored(rel: Release) -> StoredRelease:
    """What `decide` needs from a record."""
    meta = rel.chart.metadata if rel.chart is not None else None
    phases = {
        h.name: h.last_run.phase for h in rel.hooks if "test" in h.events and h.last_run.phase
    }
    return StoredRelease(
        version=rel.version,
        status=str(rel.info.status),
        chart_name=meta.name if meta else "",
        chart_version=meta.version if meta else "",
        config_digest=values_digest(rel.config),
        test_phases=phases,
        post_render_digest=rel.labels.get(POST_RENDER_LABEL, ""),
    )


def snapshot(rel: Release) -> Snapshot:
    meta = rel.chart.metadata if rel.chart is not None else None
    tests = {
        h.name: TestHookStatus(
            last_started=_time(h.last_run.started_at),
            last_completed=_time(h.last_run.completed_at),
            phase=h.last_run.phase or None,
        )
        for h in rel.hooks
        if "test" in h.events and h.last_run.phase
    }
    return Snapshot(
        name=rel.name,
        namespace=rel.namespace,
        version=rel.version,
        status=str(rel.info.status),
        chart_name=meta.name if meta else "",
        chart_version=meta.version if meta else "",
        app_version=(meta.app_version or None) if meta else None,
        config_digest=values_digest(rel.config),
        first_deployed=_time(rel.info.first_deployed),
        last_deployed=_time(rel.info.last_deployed),
        deleted=_time(rel.info.deleted),
        test_hooks=tests or None,
    )


def history_snapshots(history: Sequence[Release]) -> list[Snapshot]:
    """Newest first, back to (and including) the newest successful revision before the head,
    at most HISTORY_LIMIT entries."""
    out: list[Snapshot] = []
    for i, rel in enumerate(reversed(history)):
        if len(out) >= HISTORY_LIMIT:
            break
        out.append(snapshot(rel))
        if i > 0 and str(rel.info.status) in SUCCESSFUL:
            break
    return out
