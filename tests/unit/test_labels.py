"""steersman.labels: the selector grammar and checks of apimachinery's labels.Parse (the
integration test compares the same parser with the apiserver's)."""

from __future__ import annotations

import pytest

from steersman.labels import LabelSelectorError, Requirement, parse


def test_requirements_are_parsed_and_sorted_by_key() -> None:
    assert parse("z in (b,a), !y, x").requirements == (
        Requirement("x", "exists"),
        Requirement("y", "!"),
        Requirement("z", "in", frozenset({"a", "b"})),
    )


@pytest.mark.parametrize(
    ("selector", "labels", "expected"),
    [
        ("", {}, True),
        ("a=", {"a": ""}, True),
        ("a=", {}, False),
        ("a!=x", {}, True),
        ("a notin (x)", {}, True),
        ("a in (x)", {}, False),
        ("a>2", {"a": "10"}, True),
        ("a>2", {"a": "two"}, False),
        ("a<2", {}, False),
        ("a in (,x)", {"a": ""}, True),
        ("in in (notin)", {"in": "notin"}, True),
    ],
)
def test_matching(selector: str, labels: dict[str, str], expected: bool) -> None:
    assert parse(selector)(labels) is expected


@pytest.mark.parametrize(
    ("selector", "reason"),
    [
        ("a in b", "found 'b' expected: '('"),
        ("a b", "found 'b', expected: in, notin, =, ==, !=, gt, lt"),
        ("!a=b", "found '=', expected: ',' or 'end of string'"),
        ("a,", "found '', expected: identifier after ','"),
        ("=a", "found '=', expected: !, identifier, or 'end of string'"),
        ("a in (x y)", "found 'y', expected: ',' or ')'"),
        ("a>b", "the value must be an integer"),
        ("A.b/c", "prefix part must be a lowercase DNS subdomain"),
        ("a=-x", "a label value must consist of alphanumeric characters"),
    ],
)
def test_refusals_say_why(selector: str, reason: str) -> None:
    with pytest.raises(LabelSelectorError) as caught:
        parse(selector)
    assert str(caught.value).startswith(f"invalid label selector {selector!r}: ")
    assert reason in str(caught.value)
