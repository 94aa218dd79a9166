"""Sprig `semver` and `semverCompare` (semver.go) over chart/semver.py."""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from typing import Any, ClassVar

from steersman.chart.gotemplate.types import GoFunc, GoStruct, GoUint64, TemplateFuncError
from steersman.chart.semver import Constraints, SemverError, Version


@dataclass(frozen=True, eq=False)
class GoVersion(GoStruct):
    """`*semver.Version`: prints as String(); Major/Minor/Patch are uint64 methods.

    The Inc*/Set* methods return a `semver.Version` value (not a pointer), as in Go.
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

    def go_method(self, name: str) -> GoFunc | None:
        v = self.v
        values: dict[str, Any] = {
            "Major": GoUint64(v.major),
            "Minor": GoUint64(v.minor),
            "Patch": GoUint64(v.patch),
            "Prerelease": v.prerelease,
            "Metadata": v.metadata,
            "Original": v.original,
            "String": str(v),
        }
        if name in values:
            value = values[name]
            return GoFunc(lambda: value, ())
        compare = {
            "Compare": lambda o: v.compare(o.v),
            "LessThan": lambda o: v.compare(o.v) < 0,
            "GreaterThan": lambda o: v.compare(o.v) > 0,
            "Equal": lambda o: v.compare(o.v) == 0,
        }
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
        if name in compare:
            return GoFunc(
                compare[name], (self.go_type,), result="int" if name == "Compare" else "bool"
            )
        return None


@dataclass(frozen=True, eq=False)
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
        if text:
            probe = f"0.0.0-{text}" if field == "prerelease" else f"0.0.0+{text}"
            Version.parse(probe)
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
