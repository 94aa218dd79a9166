"""Times before year 1: Go's time.Time has year 0 and negative years (a layout without a year
parses into year 0), which our GoTime keeps 400-year cycles later. Expected texts are real
helm v4.1.4 renders (TZ=UTC)."""

from __future__ import annotations

from datetime import UTC

import pytest

from hack.testkit.templates import render
from steersman.golang.gotime import ZERO_TIME, GoTime
from steersman.gotemplate import TemplateError


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ toDate "15:04" "10:30" }}', "0000-01-01 10:30:00 +0000 UTC"),
        ('{{ toDate "Jan" "Mar" | toJson }}', '"0000-03-01T00:00:00Z"'),
        ('{{ toDate "x" "x" | unixEpoch }}', "-62167219200"),
        ('{{ toDate "002" "060" }}', "0000-02-29 00:00:00 +0000 UTC"),
        ('{{ toDate "2006 002" "0000 366" }}', "0000-12-31 00:00:00 +0000 UTC"),
        ('{{ toDate "15:04 MST" "00:30 PST" }}', "0000-01-01 00:30:00 +0000 PST"),
        ('{{ toDate "2006-01-02 -0700" "0001-01-01 +0100" }}', "0001-01-01 00:00:00 +0100 +0100"),
        (
            '{{ toDate "2006-01-02 -0700" "0000-01-01 -0100" | date "06 2006 Mon" }}',
            "00 0000 Sat",
        ),
        ('{{ toDate "15:04" "10:30" | dateModify "-24h" }}', "-0001-12-31 10:30:00 +0000 UTC"),
        (
            '{{ (toDate "15:04" "10:30").AddDate -1 0 0 | date "06 2006 Jan Mon" }}',
            "01 -0001 Jan Fri",
        ),
        ('{{ (toDate "2006" "0001").AddDate -1000 0 0 }}', "-0999-01-01 00:00:00 +0000 UTC"),
        ('{{ (toDate "2006" "0001").AddDate 0 0 -1 }}', "0000-12-31 00:00:00 +0000 UTC"),
        ('{{ (toDate "2006" "2020").AddDate -2020 0 0 }}', "0000-01-01 00:00:00 +0000 UTC"),
        (
            '{{ (toDate "15:04" "10:30").Year }} {{ (toDate "15:04" "10:30").Weekday }} '
            '{{ (toDate "15:04" "10:30").IsZero }} {{ (toDate "2006" "0001").IsZero }}',
            "0 Saturday false true",
        ),
        ('{{ (toDate "2006" "0000").Sub (toDate "2006" "0001") }}', "-8784h0m0s"),
        (
            '{{ dateInZone "2006-01-02 15:04:05 MST" (toDate "Jan" "Feb") "Asia/Tokyo" }}',
            "0000-02-01 09:18:59 LMT",
        ),
        (
            '{{ toDate "Jan _2 15:04:05.000" "Feb 29 01:02:03.456" | dateModify "1.5ms"'
            ' | date "2006 Jan 2 .000000" }}',
            "0000 Feb 29 .457500",
        ),
    ],
)
def test_years_before_one_match_go(template: str, expected: str) -> None:
    assert render(template) == expected


@pytest.mark.parametrize(
    ("layout", "value", "message"),
    [
        ("002", "000", 'parsing time "000": day-of-year out of range'),
        ("2006 002", "2001 366", 'parsing time "2001 366": day-of-year out of range'),
        ("Jan 002", "Mar 060", 'parsing time "Mar 060": day-of-year does not match month'),
        ("2 002", "3 060", 'parsing time "3 060": day-of-year does not match day'),
        ("2006-01-02", "2001-02-29", 'parsing time "2001-02-29": day out of range'),
    ],
)
def test_day_of_year_checks_match_go(layout: str, value: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(f'{{{{ mustToDate "{layout}" "{value}" }}}}')
    assert str(err.value).endswith("error calling mustToDate: " + message)


def test_shifted_times_are_canonical() -> None:
    # The same instant built two ways is one value (equal fields), and the zero time is year 1.
    assert GoTime.at(ZERO_TIME.unix_seconds(), 0, UTC) == ZERO_TIME
    assert ZERO_TIME.year == 1 and ZERO_TIME.unix_seconds() == -62135596800
    year_zero = GoTime.at(-62167219200, 0, UTC)
    assert year_zero.year == 0 and year_zero.add_ns(0) == year_zero


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Years after 9999 (kept 400-year cycles earlier, like those before year 1).
        (
            '{{ $t := toDate "2006" "9999" }}{{ ($t.AddDate 1 0 0).Year }}'
            ' {{ ($t.AddDate 500 0 0) | date "2006 Mon" }} {{ ($t.AddDate 1 0 0).Unix }}',
            "10000 10499 Thu 253402300800",
        ),
        ('{{ date "2006-01-02 15:04:05 MST" (int64 253402300800) }}', "10000-01-01 00:00:00 UTC"),
        # UnixNano is int64 arithmetic in Go and wraps.
        ('{{ (toDate "2006" "0000").UnixNano }}', "-6826986978871345152"),
        # Round/Truncate count from the zero time; halves round up.
        (
            '{{ $t := toDate "2006-01-02T15:04:05.999999999Z07:00"'
            ' "2024-02-29T23:59:59.623456789+05:30" }}'
            '{{ $s := (toDate "05" "01").Sub (toDate "05" "00") }}'
            "{{ $t.Round $s }} {{ $t.Truncate $s }}",
            "2024-03-01 00:00:00 +0530 +0530 2024-02-29 23:59:59 +0530 +0530",
        ),
        (
            '{{ $t := toDate "2006" "0000" | dateModify "-1.5s" }}'
            '{{ $s := (toDate "05" "01").Sub (toDate "05" "00") }}'
            "{{ $t.Round $s }} {{ $t.Truncate $s }}",
            "-0001-12-31 23:59:59 +0000 UTC -0001-12-31 23:59:58 +0000 UTC",
        ),
        (
            '{{ (toDate "2006" "0000").MarshalJSON | toString }}'
            ' {{ (toDate "2006" "2020").MarshalText | toString }}',
            '"0000-01-01T00:00:00Z" 2020-01-01T00:00:00Z',
        ),
    ],
)
def test_far_times_and_more_methods_match_go(template: str, expected: str) -> None:
    assert render(template) == expected


def test_marshal_json_refuses_years_before_zero() -> None:
    with pytest.raises(TemplateError) as err:
        render('{{ ((toDate "2006" "0000").AddDate -1 0 0).MarshalJSON }}')
    assert str(err.value).endswith(
        "error calling MarshalJSON: Time.MarshalJSON: year outside of range [0,9999]"
    )
