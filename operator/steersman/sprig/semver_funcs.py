"""Sprig `semver` and `semverCompare` (semver.go) over golang/semver.py."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from steersman.golang.gostr import from_bytes
from steersman.golang.jsonout import encode_string, json_kind, unmarshal_with_error
from steersman.golang.jsonscan import syntax_error
from steersman.golang.semver import (
    Constraints,
    SemverError,
    Version,
    validate_metadata,
    validate_prerelease,
)
from steersman.golang.types import GoFunc, GoStruct, GoUint64, TemplateFuncError


@dataclass(eq=False)
class GoVersion(GoStruct):
    """`*semver.Version` (Masterminds/semver v3.4.0, the version Helm v4 links): prints as
    String(); Major/Minor/Patch are uint64 methods. Scan and Unmarshal* change the Version the
    pointer points to, so this object is mutable and compares by identity, like a pointer.

    The Inc*/Set* methods return a `semver.Version` value (GoVersionValue), whose method set
    lacks the pointer-receiver methods (Original, comparisons, Scan, Unmarshal*).
    """

    go_type: ClassVar[str] = "*semver.Version"
    v: Version

    def go_string(self) -> str:
        return str(self.v)

    def go_json(self) -> str:
        return str(self.v)

    def go_print_fields(self) -> list[tuple[str, Any]]:
        # What %d and friends show: the unexported fields in declaration order.
        v = self.v
        return [
            ("major", v.major),
            ("minor", v.minor),
            ("patch", v.patch),
            ("pre", v.prerelease),
            ("metadata", v.metadata),
            ("original", v.original),
        ]

    def go_deep_copy(self) -> GoVersion:
        # copystructure copies exported fields only; a Version has none, so the copy is 0.0.0.
        return type(self)(Version(0, 0, 0))

    def go_method(self, name: str) -> GoFunc | None:
        method = _value_method(self.v, name)
        if method is None and not isinstance(self, GoVersionValue):
            method = _pointer_method(self, name)
        return method


@dataclass(eq=False)
class GoVersionValue(GoVersion):
    """A `semver.Version` value, as the Inc*/Set* methods return; `==` compares fields."""

    go_type: ClassVar[str] = "semver.Version"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GoVersionValue) and (
            (self.v.major, self.v.minor, self.v.patch, self.v.prerelease, self.v.metadata)
            == (other.v.major, other.v.minor, other.v.patch, other.v.prerelease, other.v.metadata)
            and self.v.original == other.v.original
        )

    def __hash__(self) -> int:
        return hash(str(self.v))


@dataclass(frozen=True)
class GoError(GoStruct):
    """A non-nil Go `error` returned by a method whose only result is an error; prints Error()."""

    go_type: ClassVar[str] = "*errors.errorString"
    message: str

    def go_string(self) -> str:
        return self.message


def _value_method(v: Version, name: str) -> GoFunc | None:
    """Methods with a value receiver: every semver.Version and *semver.Version has them."""
    values: dict[str, Any] = {
        "Major": GoUint64(v.major),
        "Minor": GoUint64(v.minor),
        "Patch": GoUint64(v.patch),
        "Prerelease": v.prerelease,
        "Metadata": v.metadata,
        "String": str(v),
    }
    if name in values:
        value = values[name]
        return GoFunc(lambda: value, ())
    if name in ("IncMajor", "IncMinor", "IncPatch"):
        bumped = _increment(v, name[3:])
        return GoFunc(lambda: GoVersionValue(bumped), (), result="semver.Version")
    if name in ("SetPrerelease", "SetMetadata"):
        field = "prerelease" if name == "SetPrerelease" else "metadata"
        return GoFunc(
            lambda text: GoVersionValue(_set(v, field, text)),
            ("string",),
            result="semver.Version",
            can_error=True,
        )
    if name == "MarshalJSON":
        text = encode_string(str(v))
        return GoFunc(lambda: text.encode(), (), result="[]uint8", can_error=True)
    if name == "MarshalText":
        return GoFunc(lambda: str(v).encode(), (), result="[]uint8", can_error=True)
    if name == "Value":  # database/sql/driver.Valuer
        return GoFunc(lambda: str(v), (), result="interface {}", can_error=True)
    return None


def _pointer_method(p: GoVersion, name: str) -> GoFunc | None:
    """Methods with a pointer receiver, which only *semver.Version has."""
    v = p.v
    if name == "Original":
        return GoFunc(lambda: v.original, (), result="string")
    compare = {
        "Compare": lambda o: v.compare(o.v),
        "LessThan": lambda o: v.compare(o.v) < 0,
        "LessThanEqual": lambda o: v.compare(o.v) <= 0,
        "GreaterThan": lambda o: v.compare(o.v) > 0,
        "GreaterThanEqual": lambda o: v.compare(o.v) >= 0,
        "Equal": lambda o: v.compare(o.v) == 0,
    }
    if name in compare:
        return GoFunc(compare[name], (p.go_type,), result="int" if name == "Compare" else "bool")
    loaders: dict[str, tuple[str, Callable[[Any], str]]] = {
        # Scan takes anything and reads it as a string only if it is one.
        "Scan": ("interface {}", lambda x: x if isinstance(x, str) else ""),
        "UnmarshalText": ("[]uint8", lambda b: from_bytes(b)),
        "UnmarshalJSON": ("[]uint8", _json_string),
    }
    if name in loaders:
        param, to_text = loaders[name]
        return GoFunc(lambda x: _load(p, to_text, x), (param,), result="error")
    return None


class _JSONSyntaxError(GoError):
    go_type: ClassVar[str] = "*json.SyntaxError"


class _JSONTypeError(GoError):
    go_type: ClassVar[str] = "*json.UnmarshalTypeError"


class _LoadError(Exception):
    def __init__(self, error: GoError) -> None:
        super().__init__(error.message)
        self.error = error


def _json_string(b: bytes) -> str:
    """json.Unmarshal into a string: null leaves it empty, other JSON types are errors."""
    problem = syntax_error(b)
    if problem is not None:
        raise _LoadError(_JSONSyntaxError(problem))
    value, too_big = unmarshal_with_error(from_bytes(b))
    if too_big is None and (value is None or isinstance(value, str)):
        return value or ""
    kind = "number" if value is None else json_kind(value)  # None: a number beyond float64
    raise _LoadError(_JSONTypeError(f"json: cannot unmarshal {kind} into Go value of type string"))


def _load(p: GoVersion, to_text: Callable[[Any], str], x: Any) -> GoError | None:
    """Scan/UnmarshalText/UnmarshalJSON: replace *p with the parsed version, or return the error
    (a nil error prints as <no value> here; Go prints <nil>, an engine matter)."""
    try:
        p.v = Version.parse(to_text(x))
    except _LoadError as e:
        return e.error
    except SemverError as e:
        return GoError(str(e))
    return None


def _with_original(v: Version, **changes: Any) -> Version:
    new = replace(v, **changes)
    prefix = "v" if v.original.startswith("v") else ""
    return replace(new, original=prefix + str(new))


def _increment(v: Version, part: str) -> Version:
    if part == "Major":
        return _with_original(v, major=v.major + 1, minor=0, patch=0, prerelease="", metadata="")
    if part == "Minor":
        return _with_original(v, minor=v.minor + 1, patch=0, prerelease="", metadata="")
    # IncPatch only drops the pre-release of a pre-release version.
    patch = v.patch if v.prerelease else v.patch + 1
    return _with_original(v, patch=patch, prerelease="", metadata="")


def _set(v: Version, field: str, text: str) -> Version:
    try:
        if text and field == "prerelease":
            validate_prerelease(text)
        elif text:
            validate_metadata(text)
    except SemverError as e:
        raise TemplateFuncError(str(e)) from None
    return _with_original(v, **{field: text})


def semver(text: str) -> GoVersion:
    try:
        return GoVersion(Version.parse(text))
    except SemverError as e:
        raise TemplateFuncError(str(e)) from None


@functools.lru_cache(maxsize=1024)
def _check(constraint: str, version: str) -> bool:
    # Both parses are pure and charts repeat the same few comparisons many times.
    return Constraints.parse(constraint).check(Version.parse(version))


def semver_compare(constraint: str, version: str) -> bool:
    try:
        return _check(constraint, version)
    except SemverError as e:
        raise TemplateFuncError(str(e)) from None


def semver_funcs() -> dict[str, GoFunc]:
    return {
        "semver": GoFunc(semver, ("string",), result="*semver.Version", can_error=True),
        "semverCompare": GoFunc(
            semver_compare, ("string", "string"), result="bool", can_error=True
        ),
    }
