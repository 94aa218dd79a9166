"""The error helm's loadIndex gives for an index.yaml it refuses, in helm's words.

helm reads an index that is valid JSON with encoding/json, anything else with
sigs.k8s.io/yaml's UnmarshalStrict: go-yaml refuses duplicate keys, then encoding/json refuses
unknown fields and values of the wrong type in repo.IndexFile. parse_index (index.py) is
lenient and fast for the operator's big indexes; `steersman template` asks this module first so
that a bad index fails with helm's text (`error unmarshaling JSON: while decoding JSON: json:
unknown field "x"`, `error converting YAML to JSON: yaml: line 2: ...`, `no API version
specified`). Only the first problem is reported, in the order encoding/json meets it.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any

import yaml

from steersman.chart.model import METADATA_SPEC
from steersman.chart.sources.errors import SourceUnavailable
from steersman.chart.sources.index import RepoIndex, parse_index
from steersman.golang.fmt import go_quote
from steersman.golang.goyaml import YAMLError, decode_first_document
from steersman.golang.goyaml_struct import StructSpec
from steersman.golang.jsonout import json_kind
from steersman.golang.jsonscan import syntax_error
from steersman.golang.timeparse import TimeParseError, parse_time

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RFC3339 = "2006-01-02T15:04:05Z07:00"
_YAML_PREFIX = "error unmarshaling JSON: while decoding JSON: "


@dataclass(frozen=True)
class _Slice:
    elem: _Type
    go: str  # how encoding/json names the type: "[]string", "repo.ChartVersions"


@dataclass(frozen=True)
class _Map:
    elem: _Type
    go: str


@dataclass(frozen=True)
class _Struct:
    name: str  # the struct's name in `Go struct field NAME.path`
    go: str  # its qualified name, "repo.IndexFile"
    # json name -> (its path segment, its type); an embedded struct's fields are promoted, their
    # segment naming the embedded struct ("Metadata.version")
    fields: dict[str, tuple[str, _Type]] = field(default_factory=dict)


_Type = str | _Slice | _Map | _Struct  # str: "string", "bool", "time.Time", "interface {}"


def _from_spec(spec: StructSpec, segment_prefix: str = "") -> dict[str, tuple[str, _Type]]:
    """The fields of chart.Metadata/Dependency as the model's StructSpec lists them."""
    out: dict[str, tuple[str, _Type]] = {}
    for name, ftype in spec.fields.items():
        out[name] = (segment_prefix + name, _spec_type(ftype))
    return out


def _spec_type(ftype: Any) -> _Type:
    if isinstance(ftype, StructSpec):
        return _nested(ftype)
    if isinstance(ftype, tuple):
        inner = _nested(ftype[1])
        return _Slice(inner, "[]*" + ftype[1].go_type)
    if ftype in ("[]string", "[]interface {}"):
        return _Slice(ftype.removeprefix("[]"), ftype)
    if ftype == "map[string]string":
        return _Map("string", ftype)
    return str(ftype)


def _nested(spec: StructSpec) -> _Struct:
    return _Struct(spec.go_type.rsplit(".", 1)[-1], spec.go_type, _from_spec(spec))


_CHART_VERSION = _Struct(
    "ChartVersion",
    "repo.ChartVersion",
    {
        **_from_spec(METADATA_SPEC, "Metadata."),
        "urls": ("urls", _Slice("string", "[]string")),
        "created": ("created", "time.Time"),
        "removed": ("removed", "bool"),
        "digest": ("digest", "string"),
        "checksum": ("checksum", "string"),
        "engine": ("engine", "string"),
        "tillerVersion": ("tillerVersion", "string"),
        "url": ("url", "string"),
    },
)
_INDEX_FILE = _Struct(
    "IndexFile",
    "repo.IndexFile",
    {
        "serverInfo": ("serverInfo", _Map("interface {}", "map[string]interface {}")),
        "apiVersion": ("apiVersion", "string"),
        "generated": ("generated", "time.Time"),
        "entries": (
            "entries",
            _Map(_Slice(_CHART_VERSION, "repo.ChartVersions"), "map[string]repo.ChartVersions"),
        ),
        "publicKeys": ("publicKeys", _Slice("string", "[]string")),
        "annotations": ("annotations", _Map("string", "map[string]string")),
    },
)


class _Problem(Exception):
    """encoding/json's error for the value met first (the message is Go's text)."""


def index_error(data: bytes) -> str | None:
    """helm's loadIndex error for `data`, or None when helm loads it."""
    if not data:
        return "empty index.yaml file"
    if syntax_error(data) is None:  # json.Valid: plain encoding/json, unknown fields ignored
        doc = json.loads(data)
        strict, prefix = False, ""  # nor does encoding/json turn numbers into strings
    else:
        try:
            doc = yaml.load(data, Loader=_Loader)
        except yaml.YAMLError:
            return _yaml_syntax_error(data)
        duplicates = _duplicate_keys(data)
        if duplicates:
            return "error converting YAML to JSON: yaml: unmarshal errors:\n" + duplicates
        strict, prefix = True, _YAML_PREFIX
    try:
        _decode(doc, _INDEX_FILE, None, "", strict=strict, coerce=strict)
    except _Problem as exc:
        return prefix + str(exc)
    return None if api_version(doc) else "no API version specified"


def api_version(doc: Any) -> str:
    """IndexFile.APIVersion as encoding/json fills it (the last key matching, in any case)."""
    found = ""
    for key, value in doc.items() if isinstance(doc, dict) else ():
        if str(key).casefold() == "apiversion":
            found = "" if value is None else str(value)
    return found


def load_index_file(data: bytes, path: str) -> RepoIndex:
    """repo.LoadIndexFile of a cached index: SourceUnavailable `error loading PATH: ...` with
    helm's text when helm refuses it."""
    problem = index_error(data)
    if problem:
        raise SourceUnavailable(f"error loading {path}: {problem}")
    try:
        return parse_index(data, path)
    except SourceUnavailable as exc:
        raise SourceUnavailable(f"error loading {path}: {exc}") from None


def _yaml_syntax_error(data: bytes) -> str | None:
    try:
        decode_first_document(data)
    except YAMLError as exc:
        return f"error converting YAML to JSON: {exc}"
    return None  # PyYAML refused what go-yaml reads: leave it to parse_index


def _duplicate_keys(data: bytes) -> str:
    """go-yaml v2's strict errors for keys set twice in a mapping, one line each, in the
    order of the document."""
    try:
        root = yaml.compose(data, Loader=_Loader)
    except yaml.YAMLError:
        return ""
    found: list[tuple[int, str]] = []
    visited: set[int] = set()  # an alias shares its node
    stack = [] if root is None else [root]
    while stack:
        node = stack.pop()
        if id(node) in visited:
            continue
        visited.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: set[tuple[str, str]] = set()
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    if (key.tag, key.value) in keys:
                        shown = go_quote(key.value) if key.tag.endswith(":str") else key.value
                        line = key.start_mark.line + 1
                        found.append((line, f"  line {line}: key {shown} already set in map"))
                    keys.add((key.tag, key.value))
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return "\n".join(text for _, text in sorted(found))


def _mismatch(value: Any, where: _Struct | None, path: str, go: str) -> _Problem:
    kind = _kind(value)
    if where is None:
        return _Problem(f"json: cannot unmarshal {kind} into Go value of type {go}")
    return _Problem(
        f"json: cannot unmarshal {kind} into Go struct field {where.name}.{path} of type {go}"
    )


def _kind(value: Any) -> str:
    if isinstance(value, datetime.date | bytes):
        return "string"  # a YAML timestamp or binary reaches encoding/json as a string
    return json_kind(value)


def _go_name(t: _Type) -> str:
    return t if isinstance(t, str) else t.go


def _decode(
    value: Any, t: _Type, where: _Struct | None, path: str, *, strict: bool, coerce: bool
) -> None:
    """encoding/json's Unmarshal of `value` into type `t`: raise the first problem. `coerce`:
    sigs.k8s.io/yaml wrote a number or bool bound for a string field as a string, which it
    does along the target's type only (not into chart.Metadata, a nil embedded pointer)."""
    if value is None:
        return  # null leaves the Go value as it is
    if isinstance(t, _Struct):
        if not isinstance(value, dict):
            raise _mismatch(value, where, path, t.go)
        keys = sorted(value, key=str) if strict else list(value)
        for key in keys:
            found = _field(t, str(key))
            if found is None:
                if strict:
                    raise _Problem(f"json: unknown field {go_quote(str(key))}")
                continue
            segment, ftype = found
            _decode(
                value[key],
                ftype,
                t,
                f"{path}.{segment}" if path else segment,
                strict=strict,
                coerce=coerce and not segment.startswith("Metadata."),
            )
        return
    if isinstance(t, _Slice):
        if not isinstance(value, list):
            raise _mismatch(value, where, path, t.go)
        for item in value:
            _decode(item, t.elem, where, path, strict=strict, coerce=coerce)
        return
    if isinstance(t, _Map):
        if not isinstance(value, dict):
            raise _mismatch(value, where, path, t.go)
        items = sorted(value.items(), key=lambda kv: str(kv[0])) if strict else value.items()
        for _key, item in items:
            _decode(item, t.elem, where, path, strict=strict, coerce=coerce)
        return
    _scalar(value, t, where, path, coerce)


def _field(t: _Struct, key: str) -> tuple[str, _Type] | None:
    """encoding/json's field match: the exact name, else one equal ignoring case."""
    if key in t.fields:
        return t.fields[key]
    folded = key.casefold()
    return next((v for name, v in t.fields.items() if name.casefold() == folded), None)


def _scalar(value: Any, t: str, where: _Struct | None, path: str, coerce: bool) -> None:
    if t == "interface {}":
        return
    if t == "string":
        # sigs.k8s.io/yaml writes a YAML number or bool bound for a string field as a string
        coerced = coerce and isinstance(value, int | float | bool)
        if not (isinstance(value, str | datetime.date | bytes) or coerced):
            raise _mismatch(value, where, path, t)
        return
    if t == "bool":
        if not isinstance(value, bool):
            raise _mismatch(value, where, path, t)
        return
    if t == "time.Time":
        if isinstance(value, datetime.datetime):
            return  # PyYAML read a timestamp: close enough to RFC 3339 to let pass
        if isinstance(value, datetime.date):
            value = value.isoformat()  # go-yaml keeps `2020-01-01` a string
        if not isinstance(value, str):
            raise _Problem("Time.UnmarshalJSON: input is not a JSON string")
        try:
            parse_time(_RFC3339, value, datetime.UTC)
        except TimeParseError as exc:
            raise _Problem(str(exc)) from None
