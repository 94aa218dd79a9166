"""Case functions on strings with bytes that are not UTF-8 (held as U+DC80..U+DCFF): functions
that rebuild the string from runes write U+FFFD, xstrings' word splitter glues bad bytes to
the neighbouring word. Expected bytes are real helm v4.1.4 renders (through b64enc)."""

from __future__ import annotations

import base64

import pytest

from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs


def render_bytes(expr: str) -> bytes:
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", "{{ " + expr + " | b64enc }}")
    return base64.b64decode(ts.execute("t", {}))


FFFD = "\ufffd".encode()


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('snakecase "aB\\xffc"', b"a_b" + FFFD + b"c"),
        ('kebabcase "HTTP\\xffServer"', b"http-" + FFFD + b"server"),
        ('snakecase "a\\xff_b"', b"a" + FFFD + b"_b"),
        ('camelcase "a_\\xffb"', b"A" + FFFD + b"b"),
        ('snakecase "1\\xff2a"', b"1\xff2a"),
        ('snakecase "\\xff"', b"\xff"),
        ('title "a\\xffb c\\xfe"', b"A" + FFFD + b"b C" + FFFD),
        ('untitle "A\\xffB C\\xfe"', b"a" + FFFD + b"B c" + FFFD),
        ('swapcase "a\\xffB"', b"A" + FFFD + b"b"),
        ('upper "é\\xff"', "É".encode() + FFFD),
        ('lower "É\\xff"', "é".encode() + FFFD),
        ('upper "a\\xff"', b"A" + FFFD),
        ('upper "\\xff"', FFFD),
    ],
)
def test_bad_bytes_match_helm(expr: str, expected: bytes) -> None:
    assert render_bytes(expr) == expected
