"""Error texts of the time package (its own quote(): non-ASCII and control bytes as \\xNN)
and strconv range clamping in `duration`; expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError


def test_duration_keeps_parse_int_range_clamp() -> None:
    # ParseInt returns MaxInt64/MinInt64 with its range error; times a second that wraps.
    template = (
        '{{ duration "9223372036854775808" }} {{ duration "-9223372036854775809" }}'
        ' {{ duration "99999999999999999999999" }} {{ duration "-9223372036854775808" }}'
    )
    assert render(template) == "-1s 0s -1s 0s"


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            '{{ mustToDate "02 Jan" "２０２４-02-29" }}',
            'mustToDate: parsing time "\\xef\\xbc\\x92\\xef\\xbc\\x90\\xef\\xbc\\x92\\xef\\xbc\\x94'
            '-02-29" as "02 Jan": cannot parse "\\xef\\xbc\\x92\\xef\\xbc\\x90\\xef\\xbc\\x92'
            '\\xef\\xbc\\x94-02-29" as "02"',
        ),
        (
            '{{ mustToDate "02 Jan" "a\\"b\\\\c\\td" }}',
            'mustToDate: parsing time "a\\"b\\\\c\\x09d" as "02 Jan": cannot parse'
            ' "a\\"b\\\\c\\x09d" as "02"',
        ),
        (
            '{{ mustToDate "02 Jan" "\\xff\\xfe" }}',
            'mustToDate: parsing time "\\xff\\xfe" as "02 Jan": cannot parse "\\xff\\xfe" as "02"',
        ),
        (
            '{{ mustToDate "\\xff2006" "2020" }}',
            'mustToDate: parsing time "2020" as "\\xff2006": cannot parse "2020" as "\\xff"',
        ),
        (
            '{{ toDate "2006" "2020" | mustDateModify "1é" }}',
            'mustDateModify: time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"',
        ),
        (
            '{{ toDate "2006" "2020" | mustDateModify "1\\"" }}',
            'mustDateModify: time: unknown unit "\\"" in duration "1\\""',
        ),
    ],
)
def test_time_error_quoting_matches_helm(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(template)
    assert str(err.value).endswith("error calling " + message)
