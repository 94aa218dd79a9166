"""The loaded chart: what Helm's chart.Chart (v2) holds, including what a release record stores.

`Chart` keeps Chart.yaml's metadata, the lock, templates and other files as name + bytes (with
their modification times), the parsed values.yaml, the raw values.schema.json, and the subchart
tree (`dependencies`, `parent`), which Helm never serialises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from steersman.golang import path
from steersman.golang.fmt import go_quote
from steersman.golang.gostr import is_go_space
from steersman.golang.goyaml_struct import StructSpec
from steersman.golang.semver import SemverError, Version

API_VERSION_V1 = "v1"
API_VERSION_V2 = "v2"


class ChartError(Exception):
    """A chart that cannot be loaded. The message is Helm's (which names the file where Helm's
    does, e.g. `cannot load values.yaml: ...`); `file` is the offending path when known."""

    def __init__(self, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.file = file


@dataclass
class ChartFile:
    name: str  # slash-separated path relative to the chart root, e.g. "templates/x.yaml"
    data: bytes
    mod_time: datetime | None = None


@dataclass
class Maintainer:
    name: str = ""
    email: str = ""
    url: str = ""


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


@dataclass
class Metadata:
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
    # skips a chart (and its subtree) only in the nil case. Not part of the stored metadata.
    dependencies_declared: bool = False


@dataclass
class Lock:
    generated: str = ""  # RFC 3339 text as written in the lock file
    digest: str = ""
    dependencies: list[Dependency | None] = field(default_factory=list)


@dataclass(eq=False)
class Chart:
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


_MAINTAINER = StructSpec("v2.Maintainer", {"name": "string", "email": "string", "url": "string"})
DEPENDENCY_SPEC = StructSpec(
    "v2.Dependency",
    {
        "name": "string",
        "version": "string",
        "repository": "string",
        "condition": "string",
        "tags": "[]string",
        "enabled": "bool",
        "import-values": "[]interface {}",
        "alias": "string",
    },
)
METADATA_SPEC = StructSpec(
    "v2.Metadata",
    {
        "name": "string",
        "home": "string",
        "sources": "[]string",
        "version": "string",
        "description": "string",
        "keywords": "[]string",
        "maintainers": ("[]", _MAINTAINER),
        "icon": "string",
        "apiVersion": "string",
        "condition": "string",
        "tags": "string",
        "appVersion": "string",
        "deprecated": "bool",
        "annotations": "map[string]string",
        "kubeVersion": "string",
        "dependencies": ("[]", DEPENDENCY_SPEC),
        "type": "string",
    },
)
LOCK_SPEC = StructSpec(
    "v2.Lock",
    {"generated": "string", "digest": "string", "dependencies": ("[]", DEPENDENCY_SPEC)},
)


def dependency_from_fields(d: dict[str, Any] | None) -> Dependency | None:
    if d is None:
        return None
    return Dependency(
        name=d.get("name", ""),
        version=d.get("version", ""),
        repository=d.get("repository", ""),
        condition=d.get("condition", ""),
        tags=list(d.get("tags", [])),
        enabled=d.get("enabled", False),
        import_values=list(d.get("import-values", [])),
        alias=d.get("alias", ""),
    )


def apply_metadata_fields(md: Metadata, d: dict[str, Any]) -> None:
    """Set the fields present in a decoded Chart.yaml (or requirements.yaml) on md."""
    simple = {
        "name": "name",
        "home": "home",
        "version": "version",
        "description": "description",
        "icon": "icon",
        "apiVersion": "api_version",
        "condition": "condition",
        "tags": "tags",
        "appVersion": "app_version",
        "deprecated": "deprecated",
        "kubeVersion": "kube_version",
        "type": "type",
    }
    for json_name, attr in simple.items():
        if json_name in d:
            setattr(md, attr, d[json_name])
    if "sources" in d:
        md.sources = list(d["sources"])
    if "keywords" in d:
        md.keywords = list(d["keywords"])
    if "annotations" in d:
        md.annotations = dict(d["annotations"])
    if "maintainers" in d:
        md.maintainers = [
            None
            if m is None
            else Maintainer(m.get("name", ""), m.get("email", ""), m.get("url", ""))
            for m in d["maintainers"]
        ]
    if "dependencies" in d:
        md.dependencies = [dependency_from_fields(x) for x in d["dependencies"]]
        md.dependencies_declared = True


_ALIAS_NAME = re.compile(r"[a-zA-Z0-9_-]+\Z")


def _sanitize(s: str) -> str:
    """Helm's sanitizeString: whitespace becomes a space, unprintable characters are dropped."""
    if s.isascii() and s.isprintable():
        return s
    out = []
    for ch in s:
        if is_go_space(ch):
            out.append(" ")
        elif ch.isprintable():
            out.append(ch)
    return "".join(out)


def validate_metadata(md: Metadata) -> None:
    """Helm's Metadata.Validate (sanitising fields in place); ValueError with Helm's message."""
    for attr in ("name", "description", "home", "icon", "condition", "tags", "app_version"):
        setattr(md, attr, _sanitize(getattr(md, attr)))
    md.kube_version = _sanitize(md.kube_version)
    md.sources = [_sanitize(s) for s in md.sources]
    md.keywords = [_sanitize(s) for s in md.keywords]
    if not md.api_version:
        raise ValueError("validation: chart.metadata.apiVersion is required")
    if not md.name:
        raise ValueError("validation: chart.metadata.name is required")
    if md.name in (".", ".."):
        raise ValueError(f"validation: chart.metadata.name {go_quote(md.name)} is not allowed")
    if md.name != path.base(md.name):
        raise ValueError(f"validation: chart.metadata.name {go_quote(md.name)} is invalid")
    if not md.version:
        raise ValueError("validation: chart.metadata.version is required")
    try:
        Version.parse(md.version)
    except SemverError:
        raise ValueError(
            f"validation: chart.metadata.version {go_quote(md.version)} is invalid"
        ) from None
    if md.type not in ("", "application", "library"):
        raise ValueError("validation: chart.metadata.type must be application or library")
    for m in md.maintainers:
        if m is None:
            raise ValueError("validation: maintainers must not contain empty or null nodes")
        m.name, m.email, m.url = _sanitize(m.name), _sanitize(m.email), _sanitize(m.url)
    seen: set[str] = set()
    for dep in md.dependencies:
        if dep is None:
            raise ValueError("validation: dependencies must not contain empty or null nodes")
        dep.name, dep.version = _sanitize(dep.name), _sanitize(dep.version)
        dep.repository, dep.condition = _sanitize(dep.repository), _sanitize(dep.condition)
        dep.tags = [_sanitize(t) for t in dep.tags]
        if dep.alias and not _ALIAS_NAME.match(dep.alias):
            raise ValueError(
                f"validation: dependency {go_quote(dep.name)} has disallowed characters in "
                "the alias"
            )
        key = dep.alias or dep.name
        if key in seen:
            raise ValueError(
                f"validation: more than one dependency with name or alias {go_quote(key)}"
            )
        seen.add(key)


def _dependency_json(d: Dependency | None) -> dict[str, Any] | None:
    if d is None:
        return None
    out: dict[str, Any] = {"name": d.name}
    if d.version:
        out["version"] = d.version
    out["repository"] = d.repository
    if d.condition:
        out["condition"] = d.condition
    if d.tags:
        out["tags"] = d.tags
    if d.enabled:
        out["enabled"] = d.enabled
    if d.import_values:
        out["import-values"] = d.import_values
    if d.alias:
        out["alias"] = d.alias
    return out


dependency_json = _dependency_json  # public name (the engine builds release records with it)


def metadata_json(md: Metadata) -> dict[str, Any]:
    """Metadata as encoding/json writes it (json tags, omitempty, field order)."""
    out: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        if value:
            out[key] = value

    put("name", md.name)
    put("home", md.home)
    put("sources", md.sources)
    put("version", md.version)
    put("description", md.description)
    put("keywords", md.keywords)
    if md.maintainers:
        out["maintainers"] = [
            None
            if m is None
            else {k: v for k, v in (("name", m.name), ("email", m.email), ("url", m.url)) if v}
            for m in md.maintainers
        ]
    put("icon", md.icon)
    put("apiVersion", md.api_version)
    put("condition", md.condition)
    put("tags", md.tags)
    put("appVersion", md.app_version)
    put("deprecated", md.deprecated)
    put("annotations", md.annotations)
    put("kubeVersion", md.kube_version)
    if md.dependencies:
        out["dependencies"] = [_dependency_json(d) for d in md.dependencies]
    put("type", md.type)
    return out
