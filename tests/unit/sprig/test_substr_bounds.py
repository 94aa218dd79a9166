"""substr's Go slice panics: a negative bound is reported without the length, as the Go runtime
does. Expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from steersman.gotemplate import TemplateError, TemplateSet
from steersman.sprig import sprig_funcs


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ('{{ substr -3 -3 "  x  " }}', "slice bounds out of range [:-3]"),
        ('{{ substr -1 9 "abc" }}', "slice bounds out of range [:9] with length 3"),
        ('{{ substr 5 2 "abc" }}', "slice bounds out of range [5:2]"),
        ('{{ substr 4 -1 "abc" }}', "slice bounds out of range [4:3]"),
    ],
)
def test_substr_panics_like_go(template: str, message: str) -> None:
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", template)
    with pytest.raises(TemplateError) as err:
        ts.execute("t", {})
    assert str(err.value).endswith("error calling substr: runtime error: " + message)
