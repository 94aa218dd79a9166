"""Sprig date functions and the Go time layer; expected texts come from real helm v4.1.4
(TZ=UTC) except where the clock is involved, where `now` is pinned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from steersman.golang.duration import duration_string, parse_duration
from steersman.golang.fmt import format_value
from steersman.golang.gotime import GoTime
from steersman.golang.types import GoInt64, TemplateFuncError
from steersman.sprig import sprig_funcs
from steersman.sprig._env import go_local_zone

from .calls import call

NOW = datetime(2026, 11, 21, 10, 0, 0, 123456, tzinfo=UTC)
F = sprig_funcs(now=lambda: NOW)
RFC3339NANO = "2006-01-02T15:04:05.999999999Z07:00"


def to_date(layout: str, value: str) -> Any:
    return F["toDate"].fn(layout, value)


@pytest.mark.parametrize(
    ("layout", "value", "printed"),
    [
        (
            RFC3339NANO,
            "2024-02-03T04:05:06.123456789+05:30",
            "2024-02-03 04:05:06.123456789 +0530 +0530",
        ),
        ("2006-01-02T15:04:05Z07:00", "2024-02-03T04:05:06Z", "2024-02-03 04:05:06 +0000 UTC"),
        ("2006-01-02 15:04:05 MST", "2024-07-03 04:05:06 PDT", "2024-07-03 04:05:06 +0000 PDT"),
        (
            "2006-01-02 15:04:05 -0700",
            "2024-07-03 04:05:06 -0700",
            "2024-07-03 04:05:06 -0700 -0700",
        ),
        ("2006-01-02 15:04:05", "2024-07-03 04:05:06.5", "2024-07-03 04:05:06.5 +0000 UTC"),
        (
            "Mon, 02 Jan 2006 15:04:05 MST",
            "Wed, 03 Jul 2024 04:05:06 UTC",
            "2024-07-03 04:05:06 +0000 UTC",
        ),
        ("02/01/06 3PM", "03/07/24 4PM", "2024-07-03 16:00:00 +0000 UTC"),
        ("January 2, 2006", "march 9, 2024", "2024-03-09 00:00:00 +0000 UTC"),
        ("2006-002", "2024-060", "2024-02-29 00:00:00 +0000 UTC"),
        ("2006-01-02", "bad", "0001-01-01 00:00:00 +0000 UTC"),
    ],
)
def test_to_date_parses_like_go(layout: str, value: str, printed: str) -> None:
    assert format_value(to_date(layout, value)) == printed


def test_format_covers_every_layout_element() -> None:
    t = to_date(RFC3339NANO, "2024-02-03T04:05:06.120000789-07:00")
    layout = "Monday January 2 06 3:4:5 pm .000 .999 ,9 -07 -07:00:00 Z0700 Z07 __2 002 _2"
    assert F["date"].fn(layout, t) == (
        "Saturday February 3 24 11:5:6 am .120 .12 ,1 +00 +00:00:00 Z Z  34 034  3"
    )


def test_date_in_zone_and_fallbacks() -> None:
    t = to_date(RFC3339NANO, "2024-02-03T04:05:06.12Z")
    dz = F["dateInZone"].fn
    assert dz("2006-01-02 15:04:05.999 MST -0700", t, "Asia/Kolkata") == (
        "2024-02-03 09:35:06.12 IST +0530"
    )
    assert dz("15:04 MST", t, "Nope/Zone") == "04:05 UTC"  # unknown zone -> UTC
    assert dz("15:04 MST", t, "Local") == "04:05 UTC"
    assert dz("15:04 MST", t, "") == "04:05 UTC"
    assert F["dateInZone"].fn("2006-01-02T15:04:05Z07:00 MST", 86400, "America/New_York") == (
        "1970-01-01T19:00:00-05:00 EST"
    )


def test_time_methods_json_and_reflection() -> None:
    t = to_date("2006-01-02", "2024-02-03")
    assert F["toJson"].fn(t) == '"2024-02-03T00:00:00Z"'
    assert (F["typeOf"].fn(t), F["kindOf"].fn(t), F["unixEpoch"].fn(t)) == (
        "time.Time",
        "struct",
        "1706918400",
    )
    values = [format_value(t.go_method(m).fn()) for m in ("Year", "Month", "YearDay", "Weekday")]
    assert values == ["2024", "February", "34", "Saturday"]
    assert t.go_method("Unix").fn() == GoInt64(1706918400)


@pytest.mark.parametrize(
    ("spec", "printed"),
    [
        ("+90m", "2024-02-03 01:30:00 +0000 UTC"),
        ("bad", "2024-02-03 00:00:00 +0000 UTC"),
        ("1h2m3.5s", "2024-02-03 01:02:03.5 +0000 UTC"),
        ("-1us", "2024-02-02 23:59:59.999999 +0000 UTC"),
    ],
)
def test_date_modify(spec: str, printed: str) -> None:
    assert format_value(F["dateModify"].fn(spec, to_date("2006-01-02", "2024-02-03"))) == printed


def test_must_date_modify_reports_go_error() -> None:
    with pytest.raises(TemplateFuncError) as err:
        F["mustDateModify"].fn("1x", F["now"].fn())
    assert str(err.value) == 'time: unknown unit "x" in duration "1x"'


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('duration "3661"', "1h1m1s"),
        ('duration "-61"', "-1m1s"),
        ('duration "0"', "0s"),
        ('duration "x"', "0s"),
        ("duration (int64 86400)", "24h0m0s"),
        ("duration 95", "0s"),  # an int literal is neither string nor int64
        ('durationRound "49h"', "2d"),
        ('durationRound "-3s"', "3s"),
        ('durationRound "800h"', "1mo"),
        ('durationRound "9000h"', "1y"),
        ('durationRound "1s"', "0s"),
        ('durationRound "61s"', "1m"),
        ('durationRound "bad"', "0s"),
        ("durationRound 5", "0s"),
        ('date "2006" (int64 1700000000)', "2023"),
        ('date "2006" 1.5e9', "2026"),  # a float64 means time.Now()
    ],
)
def test_duration_and_date_inputs(expr: str, expected: str) -> None:
    assert call(F, expr) == expected


def test_now_ago_and_string_form_use_the_injected_clock() -> None:
    now = F["now"].fn()
    # A `now` value carries a monotonic reading (from the map's creation: 0 with a pinned clock).
    assert format_value(now) == "2026-11-21 10:00:00.123456 +0000 UTC m=+0.000000000"
    assert format_value(F["dateModify"].fn("1.5s", now)).endswith(" m=+1.500000000")
    assert format_value(F["date_in_zone"].fn("15:04", now, "UTC")) == "10:00"
    ticking = iter([NOW, NOW + timedelta(seconds=12, microseconds=5)])
    assert format_value(sprig_funcs(now=lambda: next(ticking))["now"].fn()).endswith(
        " m=+12.000005000"
    )
    hour_ago = GoTime.from_datetime(NOW - timedelta(minutes=59, seconds=29, microseconds=600000))
    assert F["ago"].fn(hour_ago) == "59m30s"
    assert F["ago"].fn(GoInt64(int(NOW.timestamp()) - 90)) == "1m30s"
    assert F["durationRound"].fn(GoTime.from_datetime(NOW - timedelta(days=3))) == "3d"


def test_local_zone_comes_from_now() -> None:
    cest = timezone(timedelta(hours=2), "CEST")
    f = sprig_funcs(now=lambda: datetime(2024, 7, 1, tzinfo=cest))
    assert f["date"].fn("15:04 MST", 0) == "02:00 CEST"
    assert f["htmlDate"].fn(GoInt64(0)) == "1970-01-01"


@pytest.mark.parametrize(
    ("text", "ns"),
    [("1h30m", 5_400_000_000_000), ("-1.5s", -1_500_000_000), ("1µs", 1000), ("0", 0)],
)
def test_parse_duration(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (999, "999ns"),
        (1500, "1.5µs"),
        (1_500_000, "1.5ms"),
        (3_723_000_000_000, "1h2m3s"),
    ],
)
def test_duration_string(ns: int, text: str) -> None:
    assert duration_string(ns) == text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-13-01", 'parsing time "2024-13-01": month out of range'),
        ("24-1-1", 'parsing time "24-1-1" as "2006-01-02": cannot parse "24-1-1" as "2006"'),
        ("2024-02-30", 'parsing time "2024-02-30": day out of range'),
        ("2024-02-03x", 'parsing time "2024-02-03x": extra text: "x"'),
    ],
)
def test_must_to_date_errors(value: str, message: str) -> None:
    with pytest.raises(TemplateFuncError) as err:
        F["mustToDate"].fn("2006-01-02", value)
    assert str(err.value) == message


def test_time_methods_for_templates() -> None:
    t = to_date("2006-01-02 15:04", "2020-02-29 13:45")
    assert format_value(t.go_method("AddDate").fn(0, 1, 0)) == "2020-03-29 13:45:00 +0000 UTC"
    assert format_value(t.go_method("AddDate").fn(1, 0, 0)) == "2021-03-01 13:45:00 +0000 UTC"
    assert format_value(t.go_method("AddDate").fn(0, -3, 1)) == "2019-11-30 13:45:00 +0000 UTC"
    a = to_date("2006-01-02", "2020-01-01")
    b = to_date("2006-01-02", "2021-01-01")
    assert (a.go_method("Before").fn(b), a.go_method("After").fn(b)) == (True, False)
    assert a.go_method("Equal").fn(a) and a.go_method("Compare").fn(b) == -1
    d = b.go_method("Sub").fn(a)
    assert format_value(d) == "8784h0m0s" and F["kindOf"].fn(d) == "int64"
    assert d.go_method("Hours").fn() == 8784.0
    assert format_value(a.go_method("Add").fn(d)) == format_value(b)
    assert t.go_method("Nope") is None


def test_local_zone_rules_apply_across_dst() -> None:
    # helm v4 with TZ=Europe/Paris prints exactly these.
    paris = ZoneInfo("Europe/Paris")
    f = sprig_funcs(now=lambda: datetime(2024, 1, 15, tzinfo=paris))
    assert f["date"].fn("2006-01-02 15:04 MST", 0) == "1970-01-01 01:00 CET"
    assert f["date"].fn("2006-01-02 15:04 MST", 1720000000) == "2024-07-03 11:46 CEST"
    t = f["toDate"].fn("2006-01-02 15:04", "2024-03-30 12:00")
    assert format_value(f["dateModify"].fn("24h", t)) == "2024-03-31 13:00:00 +0200 CEST"


def test_default_clock_uses_gos_local_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    go_local_zone.cache_clear()
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    try:
        assert sprig_funcs()["date"].fn("15:04 MST", 0) == "09:00 JST"
        go_local_zone.cache_clear()
        monkeypatch.setenv("TZ", "No/Such_Zone")
        assert sprig_funcs()["date"].fn("15:04 MST", 0) == "00:00 UTC"
    finally:
        go_local_zone.cache_clear()
