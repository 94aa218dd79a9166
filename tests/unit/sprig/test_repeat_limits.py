"""strings.Repeat's panics for sizes Go refuses before allocating (repeat, indent, nindent);
expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError

MAX = "9223372036854775807"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (f'{{{{ repeat {MAX} "abcdef" }}}}', "repeat: strings: Repeat output length overflow"),
        (f'{{{{ indent {MAX} "x" }}}}', "indent: runtime error: makeslice: len out of range"),
        (f'{{{{ nindent {MAX} "" }}}}', "nindent: runtime error: makeslice: len out of range"),
        ('{{ repeat 281474976710657 "a" }}', "repeat: runtime error: makeslice: len out of range"),
        ('{{ indent -1 "x" }}', "indent: strings: negative Repeat count"),
    ],
)
def test_oversized_repeats_panic_like_go(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(template)
    assert str(err.value).endswith("error calling " + message)


def test_repeating_nothing_is_free() -> None:
    assert render('{{ repeat 100000000000000000 "" | len }} {{ repeat 1 "ab" }}') == "0 ab"
