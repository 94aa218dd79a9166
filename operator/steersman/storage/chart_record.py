"""The chart part of a release record: `StoredChart`, the root chart as helm stores it, and the
readers that turn a record's JSON back into the chart model (`steersman.chartmodel`).

Only the root chart is stored: Go keeps subcharts in unexported fields, so they never reach JSON.
The stored form differs from the loaded chart where the record needs it: times are `GoTime`s
(nanoseconds and offsets kept as written) and absent lists stay None (Go's nil writes `null`).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from steersman.chartmodel import Chart, ChartFile, Dependency, Lock, Maintainer, Metadata
from steersman.golang.gotime import GoTime
from steersman.storage.jsonfields import (
    JSON,
    as_object,
    bool_field,
    extra_keys,
    str_field,
    strs_field,
    time_field,
)

_MAINTAINER_KEYS = frozenset({"name", "email", "url"})
_DEPENDENCY_KEYS = frozenset(
    {"name", "version", "repository", "condition", "tags", "enabled", "import-values", "alias"}
)
_METADATA_KEYS = frozenset(
    {
        "name", "home", "sources", "version", "description", "keywords", "maintainers",
        "icon", "apiVersion", "condition", "tags", "appVersion", "deprecated",
        "annotations", "kubeVersion", "dependencies", "type",
    }
)  # fmt: skip
_LOCK_KEYS = frozenset({"generated", "digest", "dependencies"})


def maintainer_from_json(value: Any) -> Maintainer:
    d = as_object(value, "maintainer")
    return Maintainer(
        str_field(d, "name"),
        str_field(d, "email"),
        str_field(d, "url"),
        extra_keys(d, _MAINTAINER_KEYS),
    )


def dependency_from_json(value: Any) -> Dependency:
    d = as_object(value, "dependency")
    imports = d.get("import-values") or []
    if not isinstance(imports, list):
        raise ValueError("import-values: expected a list")
    return Dependency(
        name=str_field(d, "name"),
        repository=str_field(d, "repository"),
        version=str_field(d, "version"),
        condition=str_field(d, "condition"),
        tags=strs_field(d, "tags"),
        enabled=bool_field(d, "enabled"),
        import_values=list(imports),
        alias=str_field(d, "alias"),
        extra=extra_keys(d, _DEPENDENCY_KEYS),
    )


def metadata_from_json(value: Any) -> Metadata:
    """Chart.yaml as stored; every key is omitempty."""
    d = as_object(value, "metadata")
    annotations = as_object(d.get("annotations") or {}, "annotations")
    return Metadata(
        name=str_field(d, "name"),
        home=str_field(d, "home"),
        sources=strs_field(d, "sources"),
        version=str_field(d, "version"),
        description=str_field(d, "description"),
        keywords=strs_field(d, "keywords"),
        maintainers=[maintainer_from_json(m) for m in d.get("maintainers") or []],
        icon=str_field(d, "icon"),
        api_version=str_field(d, "apiVersion"),
        condition=str_field(d, "condition"),
        tags=str_field(d, "tags"),
        app_version=str_field(d, "appVersion"),
        deprecated=bool_field(d, "deprecated"),
        annotations={str(k): str(v) for k, v in annotations.items()},
        kube_version=str_field(d, "kubeVersion"),
        dependencies=[dependency_from_json(x) for x in d.get("dependencies") or []],
        type=str_field(d, "type"),
        extra=extra_keys(d, _METADATA_KEYS),
    )


def lock_from_json(value: Any) -> Lock:
    """Chart.lock as stored; `generated` is a plain Go time, always written."""
    d = as_object(value, "lock")
    return Lock(
        generated=(time_field(d, "generated") or GoTime.zero()).format(),
        digest=str_field(d, "digest"),
        dependencies=[dependency_from_json(x) for x in d.get("dependencies") or []],
        extra=extra_keys(d, _LOCK_KEYS),
    )


@dataclass
class StoredFile:
    """A chart file in a record: `data` is raw bytes (base64 in JSON); `modtime` is v4 only."""

    name: str
    data: bytes = b""
    modtime: GoTime | None = None
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset({"name", "data", "modtime"})

    @classmethod
    def from_json(cls, d: Any) -> StoredFile:
        d = as_object(d, "file")
        raw = d.get("data")
        data = base64.b64decode(raw, validate=True) if raw else b""
        return cls(str_field(d, "name"), data, time_field(d, "modtime"), extra_keys(d, cls._KEYS))

    @classmethod
    def from_chart_file(cls, f: ChartFile) -> StoredFile:
        return cls(f.name, f.data, _time(f.mod_time))

    def to_json(self) -> JSON:
        out: JSON = {"name": self.name, "data": base64.b64encode(self.data).decode("ascii")}
        if self.modtime is not None:
            out["modtime"] = self.modtime.format()
        return {**out, **self.extra}


def _time(value: datetime | None) -> GoTime | None:
    return GoTime.from_datetime(value) if value is not None else None


def _files(value: Any) -> list[StoredFile] | None:
    if value is None:
        return None
    if not isinstance(value, list):
        raise ValueError("expected a list of files")
    return [StoredFile.from_json(f) for f in value]


@dataclass
class StoredChart:
    """The root chart only: subcharts are never stored (Go keeps them in unexported fields)."""

    metadata: Metadata | None = None
    lock: Lock | None = None
    templates: list[StoredFile] | None = None
    values: JSON | None = None
    schema: bytes | None = None
    files: list[StoredFile] | None = None
    # v4 only. Kept as read; None means the key was absent.
    schemamodtime: GoTime | None = None
    modtime: GoTime | None = None
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset(
        {"metadata", "lock", "templates", "values", "schema", "schemamodtime", "files", "modtime"}
    )

    @classmethod
    def from_chart(cls, chart: Chart) -> StoredChart:
        """`chart`'s root as helm v4 stores it (dependency processing is the caller's: the
        engine stores the chart as processed with the release's values)."""
        lock = chart.lock
        return cls(
            # Through JSON and back: the stored parts are copies, as Go's are after a marshal,
            # holding what a record read back holds (the lock's time in Go's form).
            metadata=metadata_from_json(chart.metadata.to_json()),
            lock=lock_from_json(
                {
                    "generated": lock.generated or None,
                    "digest": lock.digest,
                    "dependencies": [d.to_json() for d in lock.dependencies if d is not None],
                }
            )
            if lock is not None
            else None,
            # Go writes a nil slice as null: helm's loader leaves them nil when there are none.
            templates=[StoredFile.from_chart_file(f) for f in chart.templates] or None,
            values=chart.values,
            schema=chart.schema,
            files=[StoredFile.from_chart_file(f) for f in chart.files] or None,
            schemamodtime=_time(chart.schema_mod_time) or GoTime.zero(),
            modtime=_time(chart.mod_time),
        )

    @classmethod
    def from_json(cls, d: Any) -> StoredChart:
        d = as_object(d, "chart")
        meta = d.get("metadata")
        lock = d.get("lock")
        values = d.get("values")
        schema = d.get("schema")
        raw_smt = d.get("schemamodtime")
        return cls(
            metadata=metadata_from_json(meta) if meta is not None else None,
            lock=lock_from_json(lock) if lock is not None else None,
            templates=_files(d.get("templates")),
            values=as_object(values, "values") if values is not None else None,
            schema=base64.b64decode(schema, validate=True) if schema else None,
            files=_files(d.get("files")),
            # Unlike Info times, a zero chart time is kept: v4 always writes this key.
            schemamodtime=GoTime.parse(raw_smt) if raw_smt else None,
            modtime=time_field(d, "modtime"),
            extra=extra_keys(d, cls._KEYS),
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
