"""The chart model, Helm's `pkg/chart/v2` types, shared by the chart pipeline and the release
records: Chart.yaml's metadata (`Metadata`, `Maintainer`, `Dependency`), Chart.lock (`Lock`), the
loaded chart tree (`Chart`, `ChartFile`), and the JSON Go's encoding/json writes for them (json
tags, omitempty, struct field order), which `toJson .Chart` and stored records both show.

Plain data only: loading and validating charts is `steersman.chart`'s job; reading a stored
record back (typed checks, Go times) is `steersman.storage`'s, whose `StoredChart` is the root
chart as a release record keeps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

JSON = dict[str, Any]

# Go's zero time.Time as encoding/json writes it (a lock's `generated` is never omitted).
ZERO_TIME_TEXT = "0001-01-01T00:00:00Z"


def _put(out: JSON, key: str, value: Any) -> None:
    """Go's omitempty for the kinds these types hold: skip "", False and empty lists/maps."""
    if value:
        out[key] = value


@dataclass
class Maintainer:
    name: str = ""
    email: str = ""
    url: str = ""
    # Keys this model does not know, as read from a record written by a newer helm: written back
    # as read, so rewriting a record (e.g. marking it superseded) drops nothing.
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        out: JSON = {}
        _put(out, "name", self.name)
        _put(out, "email", self.email)
        _put(out, "url", self.url)
        return {**out, **self.extra}


@dataclass
class Dependency:
    name: str = ""
    version: str = ""
    repository: str = ""
    condition: str = ""
    tags: list[str] = field(default_factory=list)
    enabled: bool = False
    import_values: list[Any] = field(default_factory=list)
    alias: str = ""
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        out: JSON = {"name": self.name}
        _put(out, "version", self.version)
        out["repository"] = self.repository  # the one key without omitempty
        _put(out, "condition", self.condition)
        _put(out, "tags", self.tags)
        _put(out, "enabled", self.enabled)
        _put(out, "import-values", self.import_values)
        _put(out, "alias", self.alias)
        return {**out, **self.extra}


def dependency_json(d: Dependency | None) -> JSON | None:
    return None if d is None else d.to_json()


@dataclass
class Metadata:
    """Chart.yaml. Go's lists hold pointers, so a loaded Chart.yaml may carry null entries
    (validation refuses them before anything is rendered or stored)."""

    name: str = ""
    home: str = ""
    sources: list[str] = field(default_factory=list)
    version: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    maintainers: list[Maintainer | None] = field(default_factory=list)
    icon: str = ""
    api_version: str = ""
    condition: str = ""
    tags: str = ""
    app_version: str = ""
    deprecated: bool = False
    annotations: dict[str, str] = field(default_factory=dict)
    kube_version: str = ""
    dependencies: list[Dependency | None] = field(default_factory=list)
    type: str = ""
    # Go tells a missing `dependencies` (nil) from an empty list; dependency processing
    # skips a chart (and its subtree) only in the nil case. Not part of the JSON.
    dependencies_declared: bool = False
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        out: JSON = {}
        _put(out, "name", self.name)
        _put(out, "home", self.home)
        _put(out, "sources", self.sources)
        _put(out, "version", self.version)
        _put(out, "description", self.description)
        _put(out, "keywords", self.keywords)
        _put(out, "maintainers", [None if m is None else m.to_json() for m in self.maintainers])
        _put(out, "icon", self.icon)
        _put(out, "apiVersion", self.api_version)
        _put(out, "condition", self.condition)
        _put(out, "tags", self.tags)
        _put(out, "appVersion", self.app_version)
        _put(out, "deprecated", self.deprecated)
        _put(out, "annotations", self.annotations)
        _put(out, "kubeVersion", self.kube_version)
        _put(out, "dependencies", [dependency_json(d) for d in self.dependencies])
        _put(out, "type", self.type)
        return {**out, **self.extra}


def metadata_json(md: Metadata) -> JSON:
    return md.to_json()


@dataclass
class Lock:
    """Chart.lock. `generated` is the time's text (a loaded lock keeps what the file says; a
    stored one holds Go's RFC 3339 form, which storage normalises); "" is the zero time."""

    generated: str = ""
    digest: str = ""
    dependencies: list[Dependency | None] = field(default_factory=list)
    extra: JSON = field(default_factory=dict)

    def to_json(self) -> JSON:
        deps = [dependency_json(d) for d in self.dependencies] if self.dependencies else None
        out: JSON = {"generated": self.generated or ZERO_TIME_TEXT, "digest": self.digest}
        out["dependencies"] = deps
        return {**out, **self.extra}


@dataclass
class ChartFile:
    name: str  # slash-separated path relative to the chart root, e.g. "templates/x.yaml"
    data: bytes
    mod_time: datetime | None = None


@dataclass(eq=False)
class Chart:
    """A loaded chart and its subchart tree (`dependencies`, `parent`), which Helm never
    serialises: a release record keeps the root chart only (`storage.StoredChart`)."""

    metadata: Metadata
    lock: Lock | None = None
    templates: list[ChartFile] = field(default_factory=list)
    values: dict[str, Any] | None = None
    schema: bytes | None = None
    schema_mod_time: datetime | None = None
    files: list[ChartFile] = field(default_factory=list)
    mod_time: datetime | None = None
    raw: list[ChartFile] = field(default_factory=list)
    dependencies: list[Chart] = field(default_factory=list)
    parent: Chart | None = None

    @property
    def name(self) -> str:
        return self.metadata.name

    def is_root(self) -> bool:
        return self.parent is None

    def root(self) -> Chart:
        return self if self.parent is None else self.parent.root()

    def add_dependency(self, *charts: Chart) -> None:
        for sub in charts:
            sub.parent = self
            self.dependencies.append(sub)

    def set_dependencies(self, charts: list[Chart]) -> None:
        self.dependencies = []
        self.add_dependency(*charts)

    def chart_path(self) -> str:
        """`parent.sub` (dotted), as Helm's ChartPath."""
        return self.name if self.parent is None else f"{self.parent.chart_path()}.{self.name}"

    def chart_full_path(self) -> str:
        """`root/charts/sub`, the prefix of template names."""
        if self.parent is None:
            return self.name
        return f"{self.parent.chart_full_path()}/charts/{self.name}"

    def crd_files(self) -> list[ChartFile]:
        """Files under crds/ with a manifest extension, this chart's then its subcharts'."""
        own = [
            f
            for f in self.files
            if f.name.startswith("crds/") and f.name.endswith((".yaml", ".yml", ".json"))
        ]
        for sub in self.dependencies:
            own.extend(sub.crd_files())
        return own
