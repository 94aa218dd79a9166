"""go-yaml's reader refuses the first character it cannot take: invalid UTF-8 or a control
character, whichever comes first (each verdict compared with helm v4.1.4 on a rendered
manifest holding these bytes)."""

from __future__ import annotations

import pytest

from steersman.chart.render.engine import _utf8_problem


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"k: \x1f\x8b\x08ab\xff", "control characters are not allowed"),
        (b"k: a\x01\xff", "control characters are not allowed"),
        (b"k: a\xffb\x01", "invalid leading UTF-8 octet"),
        (b"k: a\x01b", "control characters are not allowed"),
        (b"k: \xc3", "incomplete UTF-8 octet sequence"),
        (b"k: \t\xc3\xa9 \xc2\x85 \xef\xbb\xbf", None),  # tab, e-acute, NEL, BOM: printable
        (b"k: \xef\xbf\xbe", "control characters are not allowed"),  # U+FFFE
    ],
)
def test_first_refused_character(data: bytes, problem: str | None) -> None:
    assert _utf8_problem(data) == problem
