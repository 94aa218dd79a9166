"""Version selection with Helm's rules (IndexFile.Get / GetTagMatchingVersionOrConstraint)."""

from __future__ import annotations

import pytest

from steersman.chart.sources.errors import InvalidReference
from steersman.chart.sources.versions import (
    DEVEL_CONSTRAINT,
    describe_available,
    is_exact_version,
    pick_version,
    sort_newest_first,
)

NEWEST_FIRST = ["2.0.0-beta.1", "1.10.0", "1.9.3", "1.9.3-rc.1", "1.2.0+meta", "1.0.0", "0.1.0"]


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        ("", "1.10.0"),  # empty is `*`: highest stable
        ("*", "1.10.0"),
        ("^1.9", "1.10.0"),
        ("~1.9", "1.9.3"),
        ("1.9.x", "1.9.3"),
        ("<1.9.3", "1.2.0+meta"),
        (">=1.9.3-0 <1.9.3", "1.9.3-rc.1"),  # a pre-release only when the constraint names one
        ("2.0.0-beta.1", "2.0.0-beta.1"),
        (DEVEL_CONSTRAINT, "2.0.0-beta.1"),
        ("1.2.0+meta", "1.2.0+meta"),  # exact string match
        ("1.2.0", "1.2.0+meta"),  # metadata is ignored by the comparison
        ("^3", None),
        (">=2", None),  # 2.0.0-beta.1 is a pre-release and the constraint names none
        ("0.1.0 || 1.0.0", "1.0.0"),
    ],
)
def test_pick_version(wanted: str, expected: str | None) -> None:
    assert pick_version(NEWEST_FIRST, wanted) == expected


def test_exact_string_wins_over_ordering() -> None:
    # Helm returns an exact textual match before evaluating any constraint.
    assert pick_version(["1.0.0", "v1.0.0"], "v1.0.0") == "v1.0.0"


def test_unparsable_constraint_is_an_invalid_reference() -> None:
    with pytest.raises(InvalidReference, match="invalid version constraint 'latest please'"):
        pick_version(NEWEST_FIRST, "latest please")


def test_sort_newest_first_drops_non_semver() -> None:
    tags = ["latest", "1.0.0", "v1.1.0", "1.2", "1.10.0", "1.2.0-rc.1", "01.3.0"]
    loose = ["1.10.0", "01.3.0", "1.2", "1.2.0-rc.1", "v1.1.0", "1.0.0"]
    assert sort_newest_first(tags) == loose
    # OCI tags are parsed strictly, like Helm's registry client: no `v`, no short forms.
    assert sort_newest_first(tags, strict=True) == ["1.10.0", "1.2.0-rc.1", "1.0.0"]


def test_is_exact_version_uses_loose_parsing() -> None:
    assert is_exact_version("1.0")
    assert is_exact_version("v2.3.4-rc.1+b")
    assert not is_exact_version("^1.0")
    assert not is_exact_version("1.x")


def test_describe_available_is_brief() -> None:
    versions = [f"1.0.{i}" for i in range(20, 0, -1)]
    assert describe_available(versions, limit=3) == "1.0.20, 1.0.19, 1.0.18 and 17 more"
    assert describe_available([]) == "none"
