"""Chart.yaml and Chart.lock as Helm decodes and validates them, over the chart model.

The model itself (`Chart`, `Metadata`, `Lock`, ...) lives in `steersman.chartmodel`, shared with
the release records; it is re-exported here for the chart pipeline's modules.
"""

from __future__ import annotations

import re
from typing import Any

from steersman.chartmodel import (
    Chart,
    ChartFile,
    Dependency,
    Lock,
    Maintainer,
    Metadata,
    dependency_json,
    metadata_json,
)
from steersman.errors import SteersmanError
from steersman.golang import path
from steersman.golang.fmt import go_quote
from steersman.golang.gostr import is_go_space
from steersman.golang.goyaml_struct import StructSpec
from steersman.golang.semver import SemverError, Version

API_VERSION_V1 = "v1"
API_VERSION_V2 = "v2"


class ChartError(SteersmanError):
    """A chart that cannot be loaded. The message is Helm's (which names the file where Helm's
    does, e.g. `cannot load values.yaml: ...`); `file` is the offending path when known."""

    def __init__(self, message: str, file: str | None = None) -> None:
        super().__init__(message)
        self.file = file


class ChartAPIVersionUnsupported(ChartError):
    """A chart of apiVersion v3: helm v4 loads it, then its install action refuses it
    (`invalid chart apiVersion`), or a library one earlier; Steersman refuses it when loading."""

    library = False


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


__all__ = [
    "API_VERSION_V1",
    "API_VERSION_V2",
    "DEPENDENCY_SPEC",
    "LOCK_SPEC",
    "METADATA_SPEC",
    "Chart",
    "ChartError",
    "ChartFile",
    "Dependency",
    "Lock",
    "Maintainer",
    "Metadata",
    "apply_metadata_fields",
    "dependency_from_fields",
    "dependency_json",
    "metadata_json",
    "validate_metadata",
]
