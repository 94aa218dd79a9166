"""The render context Helm gives templates: .Capabilities, .Files, .Chart, .Release, .Values.

Helm v4 and v3 expose the same data with different Go types, and types show through `typeOf`,
`toJson` and printing, so both shapes are modelled:

| field          | Helm v4                                  | Helm v3                          |
|----------------|------------------------------------------|----------------------------------|
| `.` / .Values  | common.Values                            | chartutil.Values                 |
| .Chart         | map[string]interface {} (Go field names) | struct { chart.Metadata; IsRoot } |
| .Capabilities  | *common.Capabilities                     | *chartutil.Capabilities          |
| .Files         | engine.files                             | engine.files                     |
"""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from steersman.chart.model import (
    Chart,
    Dependency,
    Maintainer,
    Metadata,
    metadata_json,
)
from steersman.chart.render import capabilities_data as data
from steersman.errors import SteersmanError
from steersman.golang.fmt import go_quote
from steersman.golang.semver import SemverError, Version
from steersman.golang.types import (
    GoFunc,
    GoNamedMap,
    GoStringMap,
    GoStringSlice,
    GoStruct,
    TemplateFuncError,
)
from steersman.golang.yamlout import YAMLMarshalError, marshal, to_yaml
from steersman.sprig import as_unnamed_map


class _HelmValues(GoNamedMap):
    """Helm's Values map type and the methods templates can call on it (`.Values.AsMap`,
    `.Values.Table "a.b"`, `.Values.YAML`, `.Values.PathValue "a.b"`). In Go a method wins over
    a key of the same name, and the executor follows that."""

    def go_method(self, name: str) -> GoFunc | None:
        if name == "AsMap":
            # The very map, typed map[string]interface {} (an empty one when there is none).
            return GoFunc(
                lambda: as_unnamed_map(self) if self else {}, (), result="map[string]interface {}"
            )
        if name == "Table":
            return GoFunc(self._table, ("string",), result=self.go_type, can_error=True)
        if name == "YAML":
            return GoFunc(self._yaml, (), result="string", can_error=True)
        if name == "PathValue":
            return GoFunc(self._path_value, ("string",), can_error=True)
        return None

    def _lookup_table(self, table: dict[str, Any], key: str) -> dict[str, Any]:
        found = table.get(key)
        if isinstance(found, dict) and not isinstance(found, GoStringMap):
            return found
        raise TemplateFuncError(f"{go_quote(key)} is not a table")

    def _table(self, name: str) -> GoNamedMap:
        table: dict[str, Any] = self
        for key in name.split("."):
            table = self._lookup_table(table, key)
        # Go returns the same map as Values; a named copy here (Python: one type per object).
        return table if isinstance(table, type(self)) else type(self)(table)

    def _yaml(self) -> str:
        try:
            return marshal(self)
        except YAMLMarshalError as err:
            raise TemplateFuncError(str(err)) from None

    def _path_value(self, path: str) -> Any:
        if path == "":
            raise TemplateFuncError("YAML path cannot be empty")
        *tables, key = path.split(".")
        table: dict[str, Any] = self
        try:
            for part in tables:
                table = self._lookup_table(table, part)
        except TemplateFuncError:
            raise TemplateFuncError(f"{go_quote(key)} is not a value") from None
        value = table.get(key, _ABSENT)
        # A key holding a table is not a value (Go: only map[string]interface {} counts).
        if value is _ABSENT or type(value) is dict:
            raise TemplateFuncError(f"{go_quote(key)} is not a value")
        return value


_ABSENT = object()


class HelmValuesV4(_HelmValues):
    """Helm v4's `common.Values` (the type of `.`, `.Values` and `.Template`)."""

    go_type = "common.Values"


class HelmValuesV3(_HelmValues):
    """Helm v3's `chartutil.Values`."""

    go_type = "chartutil.Values"


def values_type(helm_major: int) -> type[GoNamedMap]:
    return HelmValuesV4 if helm_major >= 4 else HelmValuesV3


# --- .Capabilities ------------------------------------------------------------------------


class KubeParseError(SteersmanError, ValueError):
    pass


_GENERIC = re.compile(r"^v?([0-9]+(?:\.[0-9]+)*)(.*)\Z", re.S)


@dataclass(eq=False)
class KubeVersion(GoStruct):
    """common.KubeVersion: Version (as given), Major, Minor; String() is the normalized form."""

    version: str
    major: str
    minor: str
    normalized: str = ""
    pkg: str = "common"

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return f"{self.pkg}.KubeVersion"

    def go_field(self, name: str) -> tuple[bool, Any]:
        fields = {"Version": self.version, "Major": self.major, "Minor": self.minor}
        return (True, fields[name]) if name in fields else (False, None)

    def go_method(self, name: str) -> GoFunc | None:
        if name == "GitVersion":
            return GoFunc(lambda: self.version, (), result="string")
        if name == "String":
            return GoFunc(self.version_string, (), result="string")
        return None

    def version_string(self) -> str:
        """String(): the normalized version, else Version."""
        return self.normalized or self.version

    def go_string(self) -> str | None:
        return None  # String() has a pointer receiver: fmt prints a copy as the struct

    def go_addressable_string(self) -> str:
        return self.version_string()

    def go_print_fields(self) -> list[tuple[str, Any]]:
        if self.pkg == "common":
            return [
                ("Version", self.version),
                ("normalizedVersion", self.normalized),
                ("Major", self.major),
                ("Minor", self.minor),
            ]
        return [("Version", self.version), ("Major", self.major), ("Minor", self.minor)]

    def go_json(self) -> dict[str, Any]:
        return {"Version": self.version, "Major": self.major, "Minor": self.minor}


def parse_kube_version(text: str, helm_major: int = 4) -> KubeVersion:
    """ParseKubeVersion: v4 keeps the text (k8s generic parse); v3 normalizes via semver."""
    if helm_major < 4:
        try:
            sv = Version.parse(text)
        except SemverError:
            raise KubeParseError("Invalid Semantic Version") from None
        return KubeVersion(f"v{sv}", str(sv.major), str(sv.minor), pkg="chartutil")
    m = _GENERIC.match(text)
    if m is None:
        raise KubeParseError(f"could not parse {go_quote(text)} as version")
    parts = m.group(1).split(".")
    if len(parts) < 2:
        raise KubeParseError(f"illegal version string {go_quote(text)}")
    nums = [int(p) for p in parts]
    git_version = text if text.startswith("v") else "v" + text
    normalized = "v" + ".".join(str(n) for n in nums)
    return KubeVersion(git_version, str(nums[0]), str(nums[1]), normalized)


class VersionSet(GoStringSlice, GoStruct):
    """common.VersionSet: a []string (len, range, index, has) with a Has method.

    It is also a GoStruct because the template engine looks methods up on structs and named
    maps only; it prints and marshals as the slice it is.
    """

    def __init__(self, versions: Iterable[str], pkg: str) -> None:
        super().__init__(versions)
        self.pkg = pkg

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return f"{self.pkg}.VersionSet"

    def go_method(self, name: str) -> GoFunc | None:
        if name == "Has":
            return GoFunc(lambda v: v in self, ("string",), result="bool")
        return None

    def go_string(self) -> str:
        return "[" + " ".join(self) + "]"

    def go_json(self) -> list[str]:
        return list(self)


class BuildInfo(GoStruct):
    go_type: ClassVar[str] = "version.BuildInfo"

    def __init__(self, fields: tuple[tuple[str, str, str], ...]) -> None:
        self.fields = fields

    def go_field(self, name: str) -> tuple[bool, Any]:
        for go_name, _, value in self.fields:
            if go_name == name:
                return True, value
        return False, None

    def go_print_fields(self) -> list[tuple[str, Any]]:
        return [(n, v) for n, _, v in self.fields]

    def go_json(self) -> dict[str, Any]:
        return {j: v for _, j, v in self.fields}


class Capabilities(GoStruct):
    """*common.Capabilities: KubeVersion, APIVersions, HelmVersion."""

    def __init__(
        self, kube_version: KubeVersion, api_versions: VersionSet, helm_version: BuildInfo
    ) -> None:
        self.kube_version = kube_version
        self.api_versions = api_versions
        self.helm_version = helm_version

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return f"*{self.api_versions.pkg}.Capabilities"

    def go_field(self, name: str) -> tuple[bool, Any]:
        if name == "KubeVersion":
            return True, self.kube_version
        if name == "APIVersions":
            return True, self.api_versions
        if name == "HelmVersion":
            return True, self.helm_version
        return False, None

    def go_print_fields(self) -> list[tuple[str, Any]]:
        # A struct field is not addressable for fmt, so KubeVersion's pointer-receiver String()
        # does not apply: its fields print.
        kv = self.kube_version
        fields = dict(kv.go_print_fields())
        return [
            ("KubeVersion", _FieldStruct(kv.go_type, fields, kv.go_json())),
            ("APIVersions", self.api_versions),
            ("HelmVersion", self.helm_version),
        ]

    def go_json(self) -> dict[str, Any]:
        return {
            # nested structs stay objects so encoding/json keeps their field order
            "KubeVersion": self.kube_version,
            "APIVersions": list(self.api_versions),
            "HelmVersion": self.helm_version,
        }


def default_capabilities(
    helm_major: int = 4,
    *,
    kube_version: str | None = None,
    extra_api_versions: Iterable[str] = (),
) -> Capabilities:
    """`helm template`'s capabilities: the recorded defaults, --kube-version, --api-versions."""
    if helm_major >= 4:
        pkg, apis, build, default_kv = (
            "common",
            data.API_VERSIONS_V4,
            data.HELM_BUILD_V4,
            data.KUBE_VERSION_V4,
        )
    else:
        pkg, apis, build, default_kv = (
            "chartutil",
            data.API_VERSIONS_V3,
            data.HELM_BUILD_V3,
            data.KUBE_VERSION_V3,
        )
    kv = parse_kube_version(kube_version or default_kv, helm_major)
    return Capabilities(kv, VersionSet([*apis, *extra_api_versions], pkg), BuildInfo(build))


# --- .Files --------------------------------------------------------------------------------


class Files(GoNamedMap):
    """engine.files (map[string][]byte) with Get, GetBytes, Glob, Lines, AsConfig, AsSecrets."""

    go_type = "engine.files"

    def go_method(self, name: str) -> GoFunc | None:
        if name == "Get":
            return GoFunc(
                lambda n: self.get_bytes(n).decode("utf-8", "surrogateescape"),
                ("string",),
                result="string",
            )
        if name == "GetBytes":
            return GoFunc(self.get_bytes, ("string",), result="[]uint8")
        if name == "Glob":
            return GoFunc(self.glob, ("string",), result="engine.files")
        if name == "Lines":
            return GoFunc(self.lines, ("string",), result="[]string")
        if name == "AsConfig":
            # toYaml goes through encoding/json, which turns invalid UTF-8 into U+FFFD
            return GoFunc(lambda: self._as_map(lambda b: b.decode("utf-8", "replace")), ())
        if name == "AsSecrets":
            return GoFunc(lambda: self._as_map(lambda b: base64.b64encode(b).decode()), ())
        return None

    def get_bytes(self, name: str) -> bytes:
        v = self.get(name)
        return v if isinstance(v, bytes) else b""

    def glob(self, pattern: str) -> Files:
        matcher = compile_glob(pattern)
        return Files({k: v for k, v in self.items() if matcher.match(k)})

    def lines(self, path: str) -> GoStringSlice:
        raw = self.get(path)
        if not raw:
            return GoStringSlice()
        s = raw.decode("utf-8", "surrogateescape")
        if s.endswith("\n"):
            s = s[:-1]
        return GoStringSlice(s.split("\n"))

    def _as_map(self, convert: Any) -> str:
        m = GoStringMap()
        for k in sorted(self):  # Go iterates randomly; later duplicates of a basename win
            m[posixpath.basename(k)] = convert(self[k])
        return to_yaml(m)


def compile_glob(pattern: str) -> re.Pattern[str]:
    """gobwas/glob with separator '/'; an invalid pattern becomes `**` as in Helm."""
    try:
        regex, end = _glob_regex(pattern, 0, False)
        if end != len(pattern):
            raise ValueError("unbalanced")
        return re.compile(regex + r"\Z", re.S)
    except (ValueError, re.error):
        return re.compile(r".*\Z", re.S)


def _glob_regex(p: str, i: int, in_alt: bool) -> tuple[str, int]:
    out: list[str] = []
    while i < len(p):
        c = p[i]
        if c == "*":
            if p.startswith("**", i):
                out.append(".*")
                i += 2
            else:
                out.append("[^/]*")
                i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= len(p):
                raise ValueError("dangling escape")
            out.append(re.escape(p[i + 1]))
            i += 2
        elif c == "[":
            end = p.find("]", i + 1)
            if end < 0:
                raise ValueError("unclosed class")
            body = p[i + 1 : end]
            negate = body.startswith("!")
            body = body[1:] if negate else body
            if not body:
                raise ValueError("empty class")
            klass = "".join("\\" + ch if ch in "\\^[]" else ch for ch in body)
            out.append(f"[^{klass}]" if negate else f"[{klass}]")
            i = end + 1
        elif c == "{":
            alts: list[str] = []
            i += 1
            while True:
                sub, i = _glob_regex(p, i, True)
                alts.append(sub)
                if i >= len(p):
                    raise ValueError("unclosed alternatives")
                if p[i] == "}":
                    i += 1
                    break
                i += 1  # ","
            out.append("(?:" + "|".join(alts) + ")")
        elif in_alt and c in ",}":
            return "".join(out), i
        else:
            out.append(re.escape(c))
            i += 1
    return "".join(out), i


def new_files(chart: Chart) -> Files:
    return Files({f.name: f.data for f in chart.files})


# --- .Chart ----------------------------------------------------------------------------------


def chart_map_v4(md: Metadata, is_root: bool) -> dict[str, Any]:
    """v4's MetadataAsMap: Go field names as keys, slices as []interface {}, plus IsRoot."""
    maintainers: list[Any] = [
        None if m is None else {"Name": m.name, "Email": m.email, "URL": m.url}
        for m in md.maintainers
    ]
    deps: list[Any] = [_dependency_map(d) for d in md.dependencies]
    return {
        "Name": md.name,
        "Home": md.home,
        "Sources": list(md.sources),
        "Version": md.version,
        "Description": md.description,
        "Keywords": list(md.keywords),
        "Maintainers": maintainers,
        "Icon": md.icon,
        "APIVersion": md.api_version,
        "Condition": md.condition,
        "Tags": md.tags,
        "AppVersion": md.app_version,
        "Deprecated": md.deprecated,
        "Annotations": GoStringMap(md.annotations),
        "KubeVersion": md.kube_version,
        "Dependencies": deps,
        "Type": md.type,
        "IsRoot": is_root,
    }


def _dependency_map(d: Dependency | None) -> dict[str, Any] | None:
    if d is None:
        return None
    return {
        "Name": d.name,
        "Version": d.version,
        "Repository": d.repository,
        "Condition": d.condition,
        "Tags": list(d.tags),
        "Enabled": d.enabled,
        "ImportValues": list(d.import_values),
        "Alias": d.alias,
    }


class _FieldStruct(GoStruct):
    """A plain Go struct value: fields for templates and printing, its json form for toJson
    (v3's chart.Maintainer / chart.Dependency, a KubeVersion printed as a nested field)."""

    def __init__(self, go_type: str, fields: dict[str, Any], json: dict[str, Any]) -> None:
        self._go_type = go_type
        self._fields = fields
        self._json = json

    @property
    def go_type(self) -> str:  # type: ignore[override]
        return self._go_type

    def go_field(self, name: str) -> tuple[bool, Any]:
        return (True, self._fields[name]) if name in self._fields else (False, None)

    def go_print_fields(self) -> list[tuple[str, Any]]:
        return list(self._fields.items())

    def go_json(self) -> dict[str, Any]:
        return self._json


def _maintainer_v3(m: Maintainer | None) -> Any:
    if m is None:
        return None
    fields = {"Name": m.name, "Email": m.email, "URL": m.url}
    return _FieldStruct("*chart.Maintainer", fields, m.to_json())


def _dependency_v3(d: Dependency | None) -> Any:
    if d is None:
        return None
    fields = _dependency_map(d)
    assert fields is not None
    fields["Tags"] = GoStringSlice(d.tags)
    return _FieldStruct("*chart.Dependency", fields, d.to_json())


@dataclass(eq=False)
class ChartStructV3(GoStruct):
    """v3's `struct { chart.Metadata; IsRoot bool }`: fields promoted from Metadata."""

    md: Metadata
    is_root: bool
    _fields: dict[str, Any] = field(default_factory=dict)

    go_type: ClassVar[str] = "struct { chart.Metadata; IsRoot bool }"

    def __post_init__(self) -> None:
        m = chart_map_v4(self.md, self.is_root)
        m["Annotations"] = GoStringMap(self.md.annotations)
        m["Sources"] = GoStringSlice(self.md.sources)
        m["Keywords"] = GoStringSlice(self.md.keywords)
        m["Maintainers"] = [_maintainer_v3(x) for x in self.md.maintainers]
        m["Dependencies"] = [_dependency_v3(x) for x in self.md.dependencies]
        self._fields = m

    def go_field(self, name: str) -> tuple[bool, Any]:
        if name in self._fields:
            return True, self._fields[name]
        if name == "Metadata":
            return True, self
        return False, None

    def go_print_fields(self) -> list[tuple[str, Any]]:
        metadata = _FieldStruct(
            "chart.Metadata",
            {k: v for k, v in self._fields.items() if k != "IsRoot"},
            {},
        )
        return [("Metadata", metadata), ("IsRoot", self.is_root)]

    def go_json(self) -> dict[str, Any]:
        out = metadata_json(self.md)
        if "maintainers" in out:
            out["maintainers"] = self._fields["Maintainers"]
        if "dependencies" in out:
            out["dependencies"] = self._fields["Dependencies"]
        out["IsRoot"] = self.is_root
        return out


def chart_value(chart: Chart, helm_major: int) -> Any:
    if helm_major >= 4:
        return chart_map_v4(chart.metadata, chart.is_root())
    return ChartStructV3(chart.metadata, chart.is_root())


def release_map(
    name: str, namespace: str, revision: int, is_install: bool, is_upgrade: bool
) -> dict[str, Any]:
    return {
        "Name": name,
        "Namespace": namespace,
        "IsUpgrade": is_upgrade,
        "IsInstall": is_install,
        "Revision": int(revision),
        "Service": "Helm",
    }
