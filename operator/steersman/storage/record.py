"""Helm's release v1 record (`pkg/release/v1.Release`) as typed Python objects.

`from_json` takes the dict `json.loads` gives for a record written by helm v3 or v4; `to_json`
gives the dict to serialise. Keys are written in Go struct order with Go's `omitempty` rules, in a
shape both helm v3 and v4 read: zero times are omitted (v4 style), `info.resources` is never
written, and keys this model does not know (from a newer helm) are kept in `extra` and written
back, so a read-modify-write does not drop them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from steersman.golang.gotime import GoTime
from steersman.storage.chart_record import StoredChart
from steersman.storage.jsonfields import (
    JSON,
    as_object,
    extra_keys,
    int_field,
    put,
    str_field,
    strs_field,
    time_field,
)


class Status(StrEnum):
    """Release status strings (`pkg/release/common/status.go`)."""

    UNKNOWN = "unknown"
    DEPLOYED = "deployed"
    UNINSTALLED = "uninstalled"
    SUPERSEDED = "superseded"
    FAILED = "failed"
    UNINSTALLING = "uninstalling"
    PENDING_INSTALL = "pending-install"
    PENDING_UPGRADE = "pending-upgrade"
    PENDING_ROLLBACK = "pending-rollback"


PENDING_STATUSES = frozenset(
    {Status.PENDING_INSTALL, Status.PENDING_UPGRADE, Status.PENDING_ROLLBACK}
)


def is_pending(status: str) -> bool:
    return status in PENDING_STATUSES


# --- info and hooks ---------------------------------------------------------------------------


@dataclass
class Info:
    """`Info`; a None time is Go's zero time and is not written (both helm versions read that)."""

    status: str = Status.UNKNOWN
    description: str = ""
    first_deployed: GoTime | None = None
    last_deployed: GoTime | None = None
    deleted: GoTime | None = None
    notes: str = ""
    # Unreleased helm (main): the revision a rollback went back to.
    rollback_revision: int = 0
    extra: JSON = field(default_factory=dict)

    # `resources` is known so that it is dropped: it must never be persisted.
    _KEYS = frozenset(
        {
            "first_deployed", "last_deployed", "deleted", "description", "status",
            "rollback_revision", "notes", "resources",
        }
    )  # fmt: skip

    @classmethod
    def from_json(cls, d: Any) -> Info:
        d = as_object(d, "info")
        return cls(
            status=str_field(d, "status"),
            description=str_field(d, "description"),
            first_deployed=_zero_is_none(time_field(d, "first_deployed")),
            last_deployed=_zero_is_none(time_field(d, "last_deployed")),
            deleted=_zero_is_none(time_field(d, "deleted")),
            notes=str_field(d, "notes"),
            rollback_revision=int_field(d, "rollback_revision"),
            extra=extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        for key, value in (
            ("first_deployed", self.first_deployed),
            ("last_deployed", self.last_deployed),
            ("deleted", self.deleted),
        ):
            if value is not None:
                out[key] = value.format()
        put(out, "description", self.description)
        put(out, "status", str(self.status))
        put(out, "rollback_revision", self.rollback_revision)
        put(out, "notes", self.notes)
        return {**out, **self.extra}


def _zero_is_none(t: GoTime | None) -> GoTime | None:
    return None if t is None or t.is_zero else t


@dataclass
class HookExecution:
    started_at: GoTime | None = None
    completed_at: GoTime | None = None
    phase: str = ""
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset({"started_at", "completed_at", "phase"})

    @classmethod
    def from_json(cls, d: Any) -> HookExecution:
        d = as_object(d or {}, "last_run")
        return cls(
            _zero_is_none(time_field(d, "started_at")),
            _zero_is_none(time_field(d, "completed_at")),
            str_field(d, "phase"),
            extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        if self.started_at is not None:
            out["started_at"] = self.started_at.format()
        if self.completed_at is not None:
            out["completed_at"] = self.completed_at.format()
        out["phase"] = self.phase
        return {**out, **self.extra}


@dataclass
class Hook:
    name: str = ""
    kind: str = ""
    path: str = ""
    manifest: str = ""
    events: list[str] = field(default_factory=list)
    last_run: HookExecution = field(default_factory=HookExecution)
    weight: int = 0
    delete_policies: list[str] = field(default_factory=list)
    output_log_policies: list[str] = field(default_factory=list)
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset(
        {
            "name", "kind", "path", "manifest", "events", "last_run", "weight",
            "delete_policies", "output_log_policies",
        }
    )  # fmt: skip

    @classmethod
    def from_json(cls, d: Any) -> Hook:
        d = as_object(d, "hook")
        return cls(
            name=str_field(d, "name"),
            kind=str_field(d, "kind"),
            path=str_field(d, "path"),
            manifest=str_field(d, "manifest"),
            events=strs_field(d, "events"),
            last_run=HookExecution.from_json(d.get("last_run")),
            weight=int_field(d, "weight"),
            delete_policies=strs_field(d, "delete_policies"),
            output_log_policies=strs_field(d, "output_log_policies"),
            extra=extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        put(out, "name", self.name)
        put(out, "kind", self.kind)
        put(out, "path", self.path)
        put(out, "manifest", self.manifest)
        put(out, "events", self.events)
        out["last_run"] = self.last_run.to_json()
        put(out, "weight", self.weight)
        put(out, "delete_policies", self.delete_policies)
        put(out, "output_log_policies", self.output_log_policies)
        return {**out, **self.extra}


# --- the release ------------------------------------------------------------------------------


@dataclass
class Release:
    """One revision of a release. `labels` are custom labels: stored beside the JSON, not in it."""

    name: str
    namespace: str
    version: int
    info: Info
    chart: StoredChart | None = None
    config: JSON = field(default_factory=dict)
    manifest: str = ""
    hooks: list[Hook] = field(default_factory=list)
    # v4: "csa" or "ssa"; "" (absent) means client-side apply.
    apply_method: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset(
        {"name", "info", "chart", "config", "manifest", "hooks", "version", "namespace",
         "apply_method"}
    )  # fmt: skip

    @property
    def status(self) -> str:
        return self.info.status

    @classmethod
    def from_json(cls, d: Any) -> Release:
        d = as_object(d, "release")
        info = d.get("info")
        if info is None:
            raise ValueError("info: missing (helm cannot read a record without it)")
        chart = d.get("chart")
        config = d.get("config")
        return cls(
            name=str_field(d, "name"),
            namespace=str_field(d, "namespace"),
            version=int_field(d, "version"),
            info=Info.from_json(info),
            chart=StoredChart.from_json(chart) if chart is not None else None,
            config=as_object(config, "config") if config is not None else {},
            manifest=str_field(d, "manifest"),
            hooks=[Hook.from_json(h) for h in d.get("hooks") or []],
            apply_method=str_field(d, "apply_method"),
            extra=extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        put(out, "name", self.name)
        out["info"] = self.info.to_json()
        if self.chart is not None:
            out["chart"] = self.chart.to_json()
        put(out, "config", self.config)
        put(out, "manifest", self.manifest)
        put(out, "hooks", [h.to_json() for h in self.hooks])
        put(out, "version", self.version)
        put(out, "namespace", self.namespace)
        put(out, "apply_method", self.apply_method)
        return {**out, **self.extra}


__all__ = [
    "Hook",
    "HookExecution",
    "Info",
    "Release",
    "Status",
    "is_pending",
]
