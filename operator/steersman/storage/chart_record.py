"""The chart part of a release record (`pkg/chart/v2`): metadata, lock, files, values, schema.

Only the root chart is stored: Go keeps subcharts in unexported fields, so they never reach JSON.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from steersman.golang.gotime import GoTime
from steersman.storage.jsonfields import (
    JSON,
    as_object,
    bool_field,
    extra_keys,
    put,
    str_field,
    strs_field,
    time_field,
)


@dataclass
class Maintainer:
    name: str = ""
    email: str = ""
    url: str = ""
    extra: JSON = field(default_factory=dict)

    _KEYS = frozenset({"name", "email", "url"})

    @classmethod
    def from_json(cls, d: Any) -> Maintainer:
        d = as_object(d, "maintainer")
        return cls(
            str_field(d, "name"),
            str_field(d, "email"),
            str_field(d, "url"),
            extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        put(out, "name", self.name)
        put(out, "email", self.email)
        put(out, "url", self.url)
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
        d = as_object(d, "dependency")
        imports = d.get("import-values") or []
        if not isinstance(imports, list):
            raise ValueError("import-values: expected a list")
        return cls(
            name=str_field(d, "name"),
            repository=str_field(d, "repository"),
            version=str_field(d, "version"),
            condition=str_field(d, "condition"),
            tags=strs_field(d, "tags"),
            enabled=bool_field(d, "enabled"),
            import_values=list(imports),
            alias=str_field(d, "alias"),
            extra=extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {"name": self.name}
        put(out, "version", self.version)
        out["repository"] = self.repository
        put(out, "condition", self.condition)
        put(out, "tags", self.tags)
        put(out, "enabled", self.enabled)
        put(out, "import-values", self.import_values)
        put(out, "alias", self.alias)
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
        d = as_object(d, "metadata")
        annotations = as_object(d.get("annotations") or {}, "annotations")
        return cls(
            name=str_field(d, "name"),
            home=str_field(d, "home"),
            sources=strs_field(d, "sources"),
            version=str_field(d, "version"),
            description=str_field(d, "description"),
            keywords=strs_field(d, "keywords"),
            maintainers=[Maintainer.from_json(m) for m in d.get("maintainers") or []],
            icon=str_field(d, "icon"),
            api_version=str_field(d, "apiVersion"),
            condition=str_field(d, "condition"),
            tags=str_field(d, "tags"),
            app_version=str_field(d, "appVersion"),
            deprecated=bool_field(d, "deprecated"),
            annotations={str(k): str(v) for k, v in annotations.items()},
            kube_version=str_field(d, "kubeVersion"),
            dependencies=[Dependency.from_json(x) for x in d.get("dependencies") or []],
            type=str_field(d, "type"),
            extra=extra_keys(d, cls._KEYS),
        )

    def to_json(self) -> JSON:
        out: JSON = {}
        put(out, "name", self.name)
        put(out, "home", self.home)
        put(out, "sources", self.sources)
        put(out, "version", self.version)
        put(out, "description", self.description)
        put(out, "keywords", self.keywords)
        put(out, "maintainers", [m.to_json() for m in self.maintainers])
        put(out, "icon", self.icon)
        put(out, "apiVersion", self.api_version)
        put(out, "condition", self.condition)
        put(out, "tags", self.tags)
        put(out, "appVersion", self.app_version)
        put(out, "deprecated", self.deprecated)
        put(out, "annotations", self.annotations)
        put(out, "kubeVersion", self.kube_version)
        put(out, "dependencies", [x.to_json() for x in self.dependencies])
        put(out, "type", self.type)
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
        d = as_object(d, "lock")
        return cls(
            generated=time_field(d, "generated") or GoTime.zero(),
            digest=str_field(d, "digest"),
            dependencies=[Dependency.from_json(x) for x in d.get("dependencies") or []],
            extra=extra_keys(d, cls._KEYS),
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
        d = as_object(d, "file")
        raw = d.get("data")
        data = base64.b64decode(raw, validate=True) if raw else b""
        return cls(str_field(d, "name"), data, time_field(d, "modtime"), extra_keys(d, cls._KEYS))

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
        d = as_object(d, "chart")
        meta = d.get("metadata")
        lock = d.get("lock")
        values = d.get("values")
        schema = d.get("schema")
        raw_smt = d.get("schemamodtime")
        return cls(
            metadata=Metadata.from_json(meta) if meta is not None else None,
            lock=Lock.from_json(lock) if lock is not None else None,
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
