from datetime import UTC, datetime, timedelta, timezone

import pytest

from steersman.golang.gotime import GoTime


@pytest.mark.parametrize(
    "text",
    [
        "2025-03-04T10:15:30.123456789Z",
        "2025-03-04T10:15:30.12-05:00",
        "2025-03-04T10:15:30Z",
        "2025-03-04T10:15:30.000000001+05:30",
        "0001-01-01T00:00:00Z",
    ],
)
def test_go_strings_round_trip_exactly(text: str) -> None:
    assert GoTime.parse(text).format() == text


def test_parse_keeps_nanoseconds_and_offset() -> None:
    t = GoTime.parse("2025-03-04T10:15:30.123456789-05:00")
    assert t.nsec == 123_456_789
    assert t.datetime == datetime(
        2025, 3, 4, 10, 15, 30, 123456, tzinfo=timezone(-timedelta(hours=5))
    )
    assert t.unix_seconds() == int(datetime(2025, 3, 4, 15, 15, 30, tzinfo=UTC).timestamp())


def test_trailing_zeros_are_trimmed_and_utc_is_z() -> None:
    t = GoTime(datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC), 120_000_000)
    assert t.format() == "2025-01-02T03:04:05.12Z"


def test_zero_and_ordering() -> None:
    assert GoTime.zero().is_zero
    assert GoTime.parse("2025-01-01T00:00:00Z") < GoTime.parse("2025-01-01T00:00:00.1Z")
    assert (
        GoTime.parse("2025-01-01T01:00:00+01:00").unix_nano()
        == GoTime.parse("2025-01-01T00:00:00Z").unix_nano()
    )


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "2025-03-04",
        "2025-03-04T10:15:30",
        "2025-03-04 10:15:30Z",
        "2025-03-04T10:15:30.1234567891Z",
    ],
)
def test_non_rfc3339_is_rejected(bad: str) -> None:
    with pytest.raises(ValueError):
        GoTime.parse(bad)


def test_now_is_utc_with_nanos() -> None:
    now = GoTime.now()
    assert now.dt.tzinfo is UTC
    assert 0 <= now.nsec < 1_000_000_000
    assert GoTime.parse(now.format()) == now
