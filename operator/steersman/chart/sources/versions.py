"""Version selection shared by index.yaml and OCI tag lists, with Helm's rules.

Helm (`IndexFile.Get`, `GetTagMatchingVersionOrConstraint`): an exact string match wins; otherwise
the wanted text is a Masterminds constraint (empty means `*`, which excludes pre-releases) and the
first candidate, newest first, that satisfies it is taken.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from steersman.golang.semver import Constraints, SemverError, Version

from .errors import InvalidReference

# Helm's `--devel` with no version: any version including pre-releases.
DEVEL_CONSTRAINT = ">0.0.0-0"


def sort_newest_first(versions: Iterable[str], *, strict: bool = False) -> list[str]:
    """Drop strings that are not semver (loose `NewVersion`, or `StrictNewVersion` when strict)
    and order the rest newest first; ties keep their input order."""
    parse = Version.parse_strict if strict else Version.parse
    parsed: list[tuple[Version, str]] = []
    for text in versions:
        try:
            parsed.append((parse(text), text))
        except SemverError:
            continue
    parsed.sort(key=lambda pair: pair[0], reverse=True)
    return [text for _, text in parsed]


def parse_constraint(wanted: str) -> Constraints:
    try:
        return Constraints.parse(wanted or "*")
    except SemverError as exc:
        invalid = InvalidReference(f"invalid version constraint {wanted!r}: {exc}")
        invalid.helm = str(exc)  # Masterminds' text, which helm prints alone
        raise invalid from None


def pick_version(newest_first: Sequence[str], wanted: str) -> str | None:
    """The version Helm would choose from `newest_first` for `wanted`, or None."""
    if wanted and wanted in newest_first:
        return wanted
    constraint = parse_constraint(wanted)
    for text in newest_first:
        try:
            version = Version.parse(text)
        except SemverError:
            continue
        if constraint.check(version):
            return text
    return None


def is_exact_version(text: str) -> bool:
    """Whether Helm would treat `text` as a version rather than a constraint (`NewVersion` ok)."""
    try:
        Version.parse(text)
    except SemverError:
        return False
    return True


def describe_available(newest_first: Sequence[str], limit: int = 8) -> str:
    if not newest_first:
        return "none"
    shown = ", ".join(newest_first[:limit])
    more = len(newest_first) - limit
    return f"{shown} and {more} more" if more > 0 else shown
