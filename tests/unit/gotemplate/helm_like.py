"""Stand-ins for a few Sprig/Helm functions and objects, with their real Go signatures.

They exist so the parity tests can exercise argument checking and method calls exactly as Helm
does; their bodies implement only what those tests need.
"""

from __future__ import annotations

import base64
from typing import Any, ClassVar

from steersman.golang.fmt import format_value, type_name
from steersman.golang.types import (
    GoFunc,
    GoInt64,
    GoIntSlice,
    GoNamedMap,
    GoStringMap,
    GoStringSlice,
    GoStruct,
    TemplateFuncError,
)


def _to_int64(v: Any) -> int:
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, int | float):
        return int(v)
    if isinstance(v, str):
        try:
            return int(v, 0)
        except ValueError:
            return 0
    return 0


def _trunc(c: int, s: str) -> str:
    return s[:c] if c >= 0 else s[c:]


def _first(v: Any) -> Any:
    if v is None:
        raise TemplateFuncError("runtime error: invalid memory address or nil pointer dereference")
    if not isinstance(v, list):
        raise TemplateFuncError(f"Cannot find first on type {type_name(v)}")
    return v[0] if v else None


def _default(d: Any, *given: Any) -> Any:
    if not given or given[0] in (None, "", 0, False) or given[0] == [] or given[0] == {}:
        return d
    return given[0]


def _dict(*kv: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(kv), 2):
        out[str(kv[i])] = kv[i + 1] if i + 1 < len(kv) else ""
    return out


FUNCS: dict[str, GoFunc] = {
    "trunc": GoFunc(_trunc, ("int", "string"), result="string"),
    "repeat": GoFunc(lambda n, s: s * n, ("int", "string"), result="string"),
    "b64enc": GoFunc(lambda s: base64.b64encode(s.encode()).decode(), ("string",)),
    "join": GoFunc(
        lambda sep, v: sep.join(format_value(x) for x in v or []), ("string", "interface {}")
    ),
    "list": GoFunc(lambda *v: list(v), (), "interface {}", "[]interface {}"),
    "dict": GoFunc(_dict, (), "interface {}", "map[string]interface {}"),
    "first": GoFunc(_first, ("interface {}",), can_error=True),
    "int64": GoFunc(lambda v: GoInt64(_to_int64(v)), ("interface {}",), result="int64"),
    "int": GoFunc(lambda v: _to_int64(v), ("interface {}",), result="int"),
    "ternary": GoFunc(lambda a, b, c: a if c else b, ("interface {}", "interface {}", "bool")),
    "add": GoFunc(lambda *v: GoInt64(sum(_to_int64(x) for x in v)), (), "interface {}", "int64"),
    "add1": GoFunc(lambda v: GoInt64(_to_int64(v) + 1), ("interface {}",), result="int64"),
    "default": GoFunc(_default, ("interface {}",), "interface {}"),
    "splitList": GoFunc(lambda sep, s: GoStringSlice(s.split(sep)), ("string", "string")),
    "split": GoFunc(
        lambda sep, s: GoStringMap({f"_{i}": p for i, p in enumerate(s.split(sep))}),
        ("string", "string"),
    ),
    "until": GoFunc(lambda n: GoIntSlice(range(n)), ("int",), result="[]int"),
    "kindOf": GoFunc(lambda v: "map" if isinstance(v, dict) else "other", ("interface {}",)),
    "typeOf": GoFunc(
        lambda v: "<nil>" if v is None else "[]interface {}" if type(v) is list else "?",
        ("interface {}",),
    ),
}


class VersionSet(GoStruct):
    """chartutil.VersionSet ([]string with a Has method)."""

    go_type: ClassVar[str] = "common.VersionSet"

    def __init__(self, versions: list[str]) -> None:
        self.versions = versions

    def go_method(self, name: str) -> GoFunc | None:
        if name == "Has":
            return GoFunc(lambda v: v in self.versions, ("string",), result="bool")
        return None


class KubeVersion(GoStruct):
    go_type: ClassVar[str] = "common.KubeVersion"

    def __init__(self, version: str, major: str, minor: str) -> None:
        self.fields = {"Version": version, "Major": major, "Minor": minor}

    def go_field(self, name: str) -> tuple[bool, Any]:
        if name in self.fields:
            return True, self.fields[name]
        return False, None

    def go_string(self) -> str | None:
        return str(self.fields["Version"])

    def go_print_fields(self) -> list[tuple[str, Any]]:
        return list(self.fields.items())


class Capabilities(GoStruct):
    go_type: ClassVar[str] = "*common.Capabilities"

    def __init__(self) -> None:
        self.fields: dict[str, Any] = {
            "APIVersions": VersionSet(["v1", "apps/v1"]),
            "KubeVersion": KubeVersion("v1.35.0", "1", "35"),
        }

    def go_field(self, name: str) -> tuple[bool, Any]:
        if name in self.fields:
            return True, self.fields[name]
        return False, None


class Files(GoNamedMap):
    """Helm's `files` (map[string][]byte) with its Get method."""

    go_type: ClassVar[str] = "common.Files"
    go_zero = b""

    def go_method(self, name: str) -> GoFunc | None:
        if name == "Get":
            return GoFunc(lambda n: bytes(self.get(n, b"")).decode(), ("string",), result="string")
        return None
