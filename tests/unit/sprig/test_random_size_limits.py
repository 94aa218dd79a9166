"""rand* with sizes Go refuses (makeslice beyond maxAlloc; real helm v4.1.4 texts), and the
sizes below that where Go would grind or run out of memory (a fatal error ending helm): we fail
the render instead of spending minutes and gigabytes."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{{ randAlpha 9223372036854775807 }}",
            "randAlpha: runtime error: makeslice: len out of range",
        ),
        (
            "{{ randBytes 9223372036854775807 }}",
            "randBytes: runtime error: makeslice: len out of range",
        ),
        ("{{ randAlpha 70368744177665 }}", "randAlpha: runtime error: makeslice: len out of range"),
        ("{{ randAscii 70368744177664 }}", "randAscii: runtime: out of memory"),
        ("{{ randBytes 100000000 }}", "randBytes: runtime: out of memory"),
    ],
)
def test_oversized_random_values_fail(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(template)
    assert str(err.value).endswith("error calling " + message)


def test_negative_and_zero_counts_are_empty() -> None:
    assert render("{{ randNumeric -5 }}|{{ randAlphaNum 0 }}|{{ randAlpha 3 | len }}") == "||3"
