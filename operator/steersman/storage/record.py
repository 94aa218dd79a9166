"""Helm's release v1 record (`pkg/release/v1.Release`) as typed Python objects.

`from_json` takes the dict `json.loads` gives for a record written by helm v3 or v4; `to_json`
gives the dict to serialise. Keys are written in Go struct order with Go's `omitempty` rules, in a
shape both helm v3 and v4 read: zero times are omitted (v4 style), `info.resources` is never
written, and keys this model does not know (from a newer helm) are kept in `extra` and written
back, so a read-modify-write does not drop them.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from steersman.storage.gotime import GoTime

JSON = dict[str, Any]


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


# --- small typed readers: a wrong type is a broken record, as it is for Go's decoder ---------


def _obj(value: Any, what: str) -> JSON:
    if not isinstance(value, dict):
        raise ValueError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def _str(d: JSON, key: str) -> str:
    value = d.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a string, got {type(value).__name__}")
    return value


def _int(d: JSON, key: str) -> int:
    value = d.get(key)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
        raise ValueError(f"{key}: expected an integer, got {value!r}")
    return int(value)


def _bool(d: JSON, key: str) -> bool:
    value = d.get(key)
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValueError(f"{key}: expected a boolean, got {value!r}")
    return value


def _strs(d: JSON, key: str) -> list[str]:
    value = d.get(key)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError(f"{key}: expected a list of strings")
    return list(value)


def _time(d: JSON, key: str) -> GoTime | None:
    """A Go time; `""`, `null` and a missing key are the zero time (None)."""
    value = d.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{key}: expected a time string, got {value!r}")
    return GoTime.parse(value)


def _extra(d: JSON, known: frozenset[str]) -> JSON:
    return {k: v for k, v in d.items() if k not in known}


def _put(out: JSON, key: str, value: Any) -> None:
    """Go's omitempty: skip "", 0, False, None and empty lists/maps."""
    if (
        value is None
        or value is False
        or value == ""
        or (value == 0 and not isinstance(value, bool))
    ):
        return
    if isinstance(value, list | dict) and not value:
        return
    out[key] = value


# --- chart ------------------------------------------------------------------------------------


@dataclass
class Maintainer:
    name: str = ""
    email: str = ""
    url: str = ""
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset({"name", "email", "url"})

    @classmethod
    def from_json(cls, d: Any) -> Maintainer:
        d = _obj(d, "maintainer")
        return cls(_str(d, "name"), _str(d, "email"), _str(d, "url"), _extra(d, cls._KEYS))

    def to_json(self) -> JSON:
        out: JSON = {}
        _put(out, "name", self.name)
        _put(out, "email", self.email)
        _put(out, "url", self.url)
        return {**out, **self.extra}


@dataclass
class Dependency:
    name: str = ""
    repository: str = ""
    version: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = False
    import_values: list[Any] = field(default_factory=list)
    alias: str = ""
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset(
        {"name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias"}
    )

    @classmethod
    def from_json(cls, d: Any) -> Dependency:
        d = _obj(d, "dependency")
        imports = d.get("import-values") or []
        if not isinstance(imports, list):
            raise ValueError("import-values: expected a list")
        return cls(
            name=_str(d, "name"),
            repository=_str(d, "repository"),
            version=_str(d, "version"),
            condition=_str(d, "condition"),
            tags=_strs(d, "tags"),
            enabled=_bool(d, "enabled"),
            import_values=list(imports),
            alias=_str(d, "alias"),
            extra=_extra(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {"name": self.name}
        _put(out, "version", self.version)
        out["repository"] = self.repository
        _put(out, "condition", self.condition)
        _put(out, "tags", self.tags)
        _put(out, "enabled", self.enabled)
        _put(out, "import-values", self.import_values)
        _put(out, "alias", self.alias)
        return {**out, **self.extra}


@dataclass
class Metadata:
    """Chart.yaml (`pkg/chart/v2.Metadata`); every key is omitempty."""

    name: str = ""
    home: str = ""
    sources: list[str] = field(default_factory=list)
    version: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    maintainers: list[Maintainer] = field(default_factory=list)
    icon: str = ""
    api_version: str = ""
    condition: str = ""
    tags: str = ""
    app_version: str = ""
    deprecated: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    kube_version: str = ""
    dependencies: list[Dependency] = field(default_factory=list)
    type: str = ""
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset(
        {
            "name", "home", "sources", "version", "description", "keywords", "maintainers",
            "icon", "apiVersion", "condition", "tags", "appVersion", "deprecated",
            "annotations", "kubeVersion", "dependencies", "type",
        }
    )  # fmt: skip

    @classmethod
    def from_json(cls, d: Any) -> Metadata:
        d = _obj(d, "metadata")
        annotations = _obj(d.get("annotations") or {}, "annotations")
        return cls(
            name=_str(d, "name"),
            home=_str(d, "home"),
            sources=_strs(d, "sources"),
            version=_str(d, "version"),
            description=_str(d, "description"),
            keywords=_strs(d, "keywords"),
            maintainers=[Maintainer.from_json(m) for m in d.get("maintainers") or []],
            icon=_str(d, "icon"),
            api_version=_str(d, "apiVersion"),
            condition=_str(d, "condition"),
            tags=_str(d, "tags"),
            app_version=_str(d, "appVersion"),
            deprecated=_bool(d, "deprecated"),
            annotations={str(k): str(v) for k, v in annotations.items()},
            kube_version=_str(d, "kubeVersion"),
            dependencies=[Dependency.from_json(x) for x in d.get("dependencies") or []],
            type=_str(d, "type"),
            extra=_extra(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        _put(out, "name", self.name)
        _put(out, "home", self.home)
        _put(out, "sources", self.sources)
        _put(out, "version", self.version)
        _put(out, "description", self.description)
        _put(out, "keywords", self.keywords)
        _put(out, "maintainers", [m.to_json() for m in self.maintainers])
        _put(out, "icon", self.icon)
        _put(out, "apiVersion", self.api_version)
        _put(out, "condition", self.condition)
        _put(out, "tags", self.tags)
        _put(out, "appVersion", self.app_version)
        _put(out, "deprecated", self.deprecated)
        _put(out, "annotations", self.annotations)
        _put(out, "kubeVersion", self.kube_version)
        _put(out, "dependencies", [x.to_json() for x in self.dependencies])
        _put(out, "type", self.type)
        return {**out, **self.extra}


@dataclass
class Lock:
    """Chart.lock; `generated` is a plain Go time, always written (zero as 0001-01-01)."""

    generated: GoTime = field(default_factory=GoTime.zero)
    digest: str = ""
    dependencies: list[Dependency] = field(default_factory=list)
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset({"generated", "digest", "dependencies"})

    @classmethod
    def from_json(cls, d: Any) -> Lock:
        d = _obj(d, "lock")
        return cls(
            generated=_time(d, "generated") or GoTime.zero(),
            digest=_str(d, "digest"),
            dependencies=[Dependency.from_json(x) for x in d.get("dependencies") or []],
            extra=_extra(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        deps = [x.to_json() for x in self.dependencies] if self.dependencies else None
        out: JSON = {"generated": self.generated.format(), "digest": self.digest}
        out["dependencies"] = deps
        return {**out, **self.extra}


@dataclass
class File:
    """A chart file: `data` is raw bytes (base64 in JSON); `modtime` is v4 only."""

    name: str
    data: bytes = b""
    modtime: GoTime | None = None
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset({"name", "data", "modtime"})

    @classmethod
    def from_json(cls, d: Any) -> File:
        d = _obj(d, "file")
        raw = d.get("data")
        data = base64.b64decode(raw, validate=True) if raw else b""
        return cls(_str(d, "name"), data, _time(d, "modtime"), _extra(d, cls._KEYS))

    def to_json(self) -> JSON:
        out: JSON = {"name": self.name, "data": base64.b64encode(self.data).decode("ascii")}
        if self.modtime is not None:
            out["modtime"] = self.modtime.format()
        return {**out, **self.extra}


def _files(value: Any) -> list[File] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError("expected a list of files")
    return [File.from_json(f) for f in value]


@dataclass
class Chart:
    """The root chart only: subcharts are never stored (Go keeps them in unexported fields)."""

    metadata: Metadata | None = None
    lock: Lock | None = None
    templates: list[File] | None = None
    values: JSON | None = None
    schema: bytes | None = None
    files: list[File] | None = None
    # v4 only. Kept as read; None means the key was absent.
    schemamodtime: GoTime | None = None
    modtime: GoTime | None = None
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset(
        {"metadata", "lock", "templates", "values", "schema", "schemamodtime", "files", "modtime"}
    )

    @classmethod
    def from_json(cls, d: Any) -> Chart:
        d = _obj(d, "chart")
        meta = d.get("metadata")
        lock = d.get("lock")
        values = d.get("values")
        schema = d.get("schema")
        raw_smt = d.get("schemamodtime")
        return cls(
            metadata=Metadata.from_json(meta) if meta is not None else None,
            lock=Lock.from_json(lock) if lock is not None else None,
            templates=_files(d.get("templates")),
            values=_obj(values, "values") if values is not None else None,
            schema=base64.b64decode(schema, validate=True) if schema else None,
            files=_files(d.get("files")),
            # Unlike Info times, a zero chart time is kept: v4 always writes this key.
            schemamodtime=GoTime.parse(raw_smt) if raw_smt else None,
            modtime=_time(d, "modtime"),
            extra=_extra(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {
            "metadata": self.metadata.to_json() if self.metadata is not None else None,
            "lock": self.lock.to_json() if self.lock is not None else None,
            "templates": [f.to_json() for f in self.templates]
            if self.templates is not None
            else None,
            "values": self.values,
            "schema": base64.b64encode(self.schema).decode("ascii") if self.schema else None,
        }
        if self.schemamodtime is not None:
            out["schemamodtime"] = self.schemamodtime.format()
        out["files"] = [f.to_json() for f in self.files] if self.files is not None else None
        if self.modtime is not None:
            out["modtime"] = self.modtime.format()
        return {**out, **self.extra}


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
        d = _obj(d, "info")
        return cls(
            status=_str(d, "status"),
            description=_str(d, "description"),
            first_deployed=_zero_is_none(_time(d, "first_deployed")),
            last_deployed=_zero_is_none(_time(d, "last_deployed")),
            deleted=_zero_is_none(_time(d, "deleted")),
            notes=_str(d, "notes"),
            rollback_revision=_int(d, "rollback_revision"),
            extra=_extra(d, cls._KEYS),
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
        _put(out, "description", self.description)
        _put(out, "status", str(self.status))
        _put(out, "rollback_revision", self.rollback_revision)
        _put(out, "notes", self.notes)
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
        d = _obj(d or {}, "last_run")
        return cls(
            _zero_is_none(_time(d, "started_at")),
            _zero_is_none(_time(d, "completed_at")),
            _str(d, "phase"),
            _extra(d, cls._KEYS),
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
        d = _obj(d, "hook")
        return cls(
            name=_str(d, "name"),
            kind=_str(d, "kind"),
            path=_str(d, "path"),
            manifest=_str(d, "manifest"),
            events=_strs(d, "events"),
            last_run=HookExecution.from_json(d.get("last_run")),
            weight=_int(d, "weight"),
            delete_policies=_strs(d, "delete_policies"),
            output_log_policies=_strs(d, "output_log_policies"),
            extra=_extra(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        _put(out, "name", self.name)
        _put(out, "kind", self.kind)
        _put(out, "path", self.path)
        _put(out, "manifest", self.manifest)
        _put(out, "events", self.events)
        out["last_run"] = self.last_run.to_json()
        _put(out, "weight", self.weight)
        _put(out, "delete_policies", self.delete_policies)
        _put(out, "output_log_policies", self.output_log_policies)
        return {**out, **self.extra}


# --- the release ------------------------------------------------------------------------------


@dataclass
class Release:
    """One revision of a release. `labels` are custom labels: stored beside the JSON, not in it."""

    name: str
    namespace: str
    version: int
    info: Info
    chart: Chart | None = None
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
        d = _obj(d, "release")
        info = d.get("info")
        if info is None:
            raise ValueError("info: missing (helm cannot read a record without it)")
        chart = d.get("chart")
        config = d.get("config")
        return cls(
            name=_str(d, "name"),
            namespace=_str(d, "namespace"),
            version=_int(d, "version"),
            info=Info.from_json(info),
            chart=Chart.from_json(chart) if chart is not None else None,
            config=_obj(config, "config") if config is not None else {},
            manifest=_str(d, "manifest"),
            hooks=[Hook.from_json(h) for h in d.get("hooks") or []],
            apply_method=_str(d, "apply_method"),
            extra=_extra(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        _put(out, "name", self.name)
        out["info"] = self.info.to_json()
        if self.chart is not None:
            out["chart"] = self.chart.to_json()
        _put(out, "config", self.config)
        _put(out, "manifest", self.manifest)
        _put(out, "hooks", [h.to_json() for h in self.hooks])
        _put(out, "version", self.version)
        _put(out, "namespace", self.namespace)
        _put(out, "apply_method", self.apply_method)
        return {**out, **self.extra}
