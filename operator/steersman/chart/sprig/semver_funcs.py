"""Sprig `semver` and `semverCompare` (semver.go) over chart/semver.py."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from steersman.chart.gotemplate.types import GoFunc, GoStruct, TemplateFuncError
from steersman.chart.semver import Constraints, SemverError, Version


@dataclass(frozen=True)
class GoVersion(GoStruct):
    """`*semver.Version`: prints as String(); Major/Minor/Patch are uint64 methods (ints here)."""

    go_type: ClassVar[str] = "*semver.Version"
    v: Version

    def go_string(self) -> str:
        return str(self.v)

    def go_json(self) -> str:
        return str(self.v)

    def go_method(self, name: str) -> GoFunc | None:
        v = self.v
        values: dict[str, Any] = {
            "Major": v.major,
            "Minor": v.minor,
            "Patch": v.patch,
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
        if name in compare:
            return GoFunc(
                compare[name], (self.go_type,), result="int" if name == "Compare" else "bool"
            )
        return None


def semver(text: str) -> GoVersion:
    try:
        return GoVersion(Version.parse(text))
    except SemverError as e:
        raise TemplateFuncError(str(e)) from None


def semver_compare(constraint: str, version: str) -> bool:
    try:
        c = Constraints.parse(constraint)
        return c.check(Version.parse(version))
    except SemverError as e:
        raise TemplateFuncError(str(e)) from None


def semver_funcs() -> dict[str, GoFunc]:
    return {
        "semver": GoFunc(semver, ("string",), result="*semver.Version", can_error=True),
        "semverCompare": GoFunc(
            semver_compare, ("string", "string"), result="bool", can_error=True
        ),
    }
