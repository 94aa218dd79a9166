"""golang/semver.py: Masterminds/semver v3 parsing, ordering and constraints.

MATRIX was produced by real helm v4.1.4 (`semverCompare` over every pair): row = constraint,
column = VERSIONS entry, `T` = satisfied.
"""

from __future__ import annotations

import pytest

from steersman.golang.semver import Constraints, SemverError, Version, satisfies

VERSIONS = [
    "1.2.3",
    "1.2.9",
    "1.3.0",
    "2.0.0",
    "0.2.5",
    "0.3.0",
    "0.0.3",
    "0.0.4",
    "1.20.0-gke.1",
    "1.2.3-beta.10",
    "1.2.3-beta.2",
    "1.2.3-alpha",
    "v1.2",
    "1",
    "1.2.4-rc",
    "3.0.0-0",
    "0.0.0",
]

MATRIX = [
    (">=1.19-0", "...T....T......T."),
    (">=1.19", "...T............."),
    ("~1.2.3", "TT..............."),
    ("~1.2", "TT..........T...."),
    ("~1", "TTT.........TT..."),
    ("~>1.2.x", "TT..........T...."),
    ("^1.2.3", "TTT.............."),
    ("^0.2.3", "....T............"),
    ("^0.0.3", "......T.........."),
    ("^0.0", "......TT........T"),
    ("^0", "....TTTT........T"),
    ("^1.x", "TTT.........TT..."),
    ("^0.x", "....TTTT........T"),
    ("1.2 - 1.4", "TTT.........T...."),
    ("1.2.x - 2", "TTTT........T...."),
    ("1.x", "TTT.........TT..."),
    ("*", "TTTTTTTT....TT..T"),
    ("x", "TTTTTTTT....TT..T"),
    (">1.x", "...T............."),
    (">1.2.x", "..TT............."),
    ("<1.2.x", "....TTTT.....T..T"),
    ("<=1.2", "TT..TTTT....TT..T"),
    ("<=1.x", "TTT.TTTT....TT..T"),
    (">=1.2.x", "TTTT........T...."),
    ("!=1.2.x", "..TTTTTT.....T..T"),
    ("!=1.x", "...TTTTT........T"),
    ("!=1.2.3", ".TTTTTTT....TT..T"),
    ("=1.2.3", "T................"),
    ("1.2.3", "T................"),
    ("v1.2.3", "T................"),
    (">= 1.2, < 2", "TTT.........T...."),
    (">=1.2 <2", "TTT.........T...."),
    ("1.2.3 || >=2.0, <3", "T..T............."),
    (">1.2.3-alpha", "TTTT....TTT...TT."),
    ("<1.2.3-beta.2", "....TTTT...TTT..T"),
    ("~1.2.3-beta", "TT.......TT...T.."),
    ("^1.2.3-beta", "TTT.....TTT...T.."),
    (">=1.0.0-0 <2.0.0-0", "TTT.....TTTTTTT.."),
    (">=0.0.0-0", "TTTTTTTTTTTTTTTTT"),
    ("=1.2.3+build", "T................"),
    ("~0", "....TTTT........T"),
    ("~0.0", "......TT........T"),
    ("~0.0.0", "TTTTTTTT....TT..T"),
    (">01.2", "..TT............."),
    ("1.2.3 - 1.2.4-rc", "T.............T.."),
    ("<2", "TTT.TTTT....TT..T"),
]


@pytest.mark.parametrize(("constraint", "row"), MATRIX, ids=[r[0] or "<empty>" for r in MATRIX])
def test_constraint_matrix_matches_helm(constraint: str, row: str) -> None:
    got = "".join("T" if satisfies(constraint, v) else "." for v in VERSIONS)
    assert got == row


@pytest.mark.parametrize(
    ("text", "printed", "original"),
    [
        ("1.2.3", "1.2.3", "1.2.3"),
        ("v1.2", "1.2.0", "v1.2"),
        ("1", "1.0.0", "1"),
        ("01.02.03", "1.2.3", "01.02.03"),
        ("1.2.3-beta.1+build.5", "1.2.3-beta.1+build.5", "1.2.3-beta.1+build.5"),
    ],
)
def test_parse_coerces_like_new_version(text: str, printed: str, original: str) -> None:
    v = Version.parse(text)
    assert (str(v), v.original) == (printed, original)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.2.3.4", "invalid semantic version"),
        ("", "invalid semantic version"),
        ("1.2.3-01", "version segment starts with 0"),
        ("1.2.3-a..b", "invalid semantic version"),
        (
            "18446744073709551616",
            "error parsing version segment: strconv.ParseUint: "
            'parsing "18446744073709551616": value out of range',
        ),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(SemverError) as err:
        Version.parse(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("v1.2.3", "invalid characters in version"),
        ("1.2", "invalid semantic version"),
        ("01.2.3", "version segment starts with 0"),
        ("", "version string empty"),
        ("1.2.3+", "invalid metadata string"),
    ],
)
def test_strict_parse_errors(text: str, message: str) -> None:
    with pytest.raises(SemverError) as err:
        Version.parse_strict(text)
    assert str(err.value) == message


def test_strict_parse_accepts_full_versions() -> None:
    assert str(Version.parse_strict("1.2.3-rc.1+m")) == "1.2.3-rc.1+m"


def test_ordering_follows_semver_precedence() -> None:
    ordered = [
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.10.0",
    ]
    versions = [Version.parse(v) for v in reversed(ordered)]
    assert [str(v) for v in sorted(versions)] == ordered
    assert Version.parse("1.0.0+a") == Version.parse("1.0.0+b")


def test_constraints_errors_and_string() -> None:
    with pytest.raises(SemverError) as err:
        Constraints.parse(">=a")
    assert str(err.value) == "improper constraint: >=a"
    assert str(Constraints.parse(">=1.2, <2 || ~3")) == ">=1.2 <2 || ~3"


def test_include_prerelease_flag() -> None:
    c = Constraints.parse(">=1.0")
    v = Version.parse("1.5.0-rc.1")
    assert not c.check(v)
    assert c.check(v, include_prerelease=True)


# More helm v4.1.4 results: operator spellings, spacing, metadata, pre-release rules, errors.
MORE = [
    (">= 1.2.3", "1.2.3", "true"),
    (" >=1.2.3 ", "1.2.3", "true"),
    ("=>1.2", "1.2.0", "true"),
    ("=<1.2", "1.2.5", "true"),
    ("~>1.2", "1.2.5", "true"),
    ("1.2.3 - 1.4.5 || 2.x", "2.9.0", "true"),
    (">=1.2.3,<2", "1.9.0", "true"),
    (">=1.2.3 ,<2", "1.9.0", "true"),
    (">=1.2.3 || ", "1.9.0", "error: improper constraint:"),
    ("v1.x", "1.9.0", "true"),
    (">=1.2.3-alpha.1", "1.2.3-alpha.10", "true"),
    ("<1.0.0-0", "0.9.9-rc", "true"),
    ("^1.2.3-rc.1", "1.3.0-rc.1", "true"),
    ("1.x.x", "1.5.0", "true"),
    ("X.X", "3.0.0", "true"),
    (">=1.2.3+meta", "1.2.3", "true"),
    (">1.2.3", "1.2.3+meta", "false"),
    ("1.2.3.4", "1.2.3", "error: improper constraint: 1.2.3.4"),
    (">=01.2.3", "1.2.3", "true"),
    (">=1.2.3", "v1.2.3", "true"),
    (">=1.2.3", "1.2.3-", "error: invalid semantic version"),
    ("~1.2.3-beta.2", "1.2.3-beta.10", "true"),
    ("!=1.2.3-beta", "1.2.3-beta", "false"),
    (">1.2", "1.3.0-rc.1", "false"),
    (">1.2-0", "1.3.0-rc.1", "true"),
]


@pytest.mark.parametrize(("constraint", "version", "expected"), MORE)
def test_more_semver_compare_cases(constraint: str, version: str, expected: str) -> None:
    try:
        got = "true" if satisfies(constraint, version) else "false"
    except SemverError as e:
        got = "error: " + str(e).rstrip()
    assert got == expected
