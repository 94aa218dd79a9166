"""until/untilStep/seq at the int64 edges. seq's `end+1` wraps as in Go (real helm v4.1.4
renders below). Where Go would append until the process runs out of memory (a fatal error that
ends helm: a huge count, or `i += step` wrapping past int64 forever) we fail the render with an
error instead, so a template cannot exhaust the operator's memory."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{ seq 9223372036854775807 }}|{{ seq -9223372036854775808 | len }}", "|0"),
        ("{{ seq 9223372036854775806 9223372036854775807 }}", ""),
        ("{{ seq 9223372036854775800 3 9223372036854775807 }}", ""),
        (
            "{{ untilStep 0 10 3 }} {{ untilStep 10 0 -4 }}"
            " {{ untilStep 9223372036854775806 9223372036854775807 1 }}",
            "[0 3 6 9] [10 6 2] [9223372036854775806]",
        ),
    ],
)
def test_edges_match_helm(template: str, expected: str) -> None:
    assert render(template) == expected


@pytest.mark.parametrize(
    "template",
    [
        "{{ until 9223372036854775807 }}",
        "{{ untilStep 0 9223372036854775807 4611686018427387904 }}",
        "{{ untilStep 0 -9223372036854775808 -4611686018427387905 }}",
    ],
)
def test_runaway_lists_fail_instead_of_eating_memory(template: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(template)
    assert str(err.value).endswith("runtime: out of memory")
