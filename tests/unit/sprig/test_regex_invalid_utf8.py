"""Go's regexp reads a byte that is not UTF-8 as U+FFFD of width one (RE2 would not match it);
results keep the original bytes. Expected bytes are real helm v4.1.4 renders (via b64enc)."""

from __future__ import annotations

import base64

import pytest

from hack.testkit.templates import render


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ('regexReplaceAllLiteral "." "\\xffa" "X"', b"XX"),
        ('regexReplaceAll "\\\\x{FFFD}" "\\xffa" "X"', b"Xa"),
        ('regexFind "." "\\xff"', b"\xff"),
        (
            'regexReplaceAll "(.)(a)" "é\\xffa\\ufffdb" "[$2$1]"',
            "é[a\udcff]\ufffdb".encode("utf-8", "surrogateescape"),
        ),
    ],
)
def test_bytes_match_helm(expr: str, expected: bytes) -> None:
    assert base64.b64decode(render("{{ " + expr + " | b64enc }}")) == expected


def test_match_split_and_find_all_match_helm() -> None:
    assert render('{{ regexMatch "^.a$" "\\xffa" }}') == "true"
    assert render('{{ regexSplit "" "\\xffa" -1 | len }}') == "2"
    assert render('{{ regexReplaceAll "[^a]" "\\xffa\\xfe" "X" }}') == "XaX"
    assert render('{{ regexFindAll "." "\\xffa" -1 | toJson }}') == '["\\ufffd","a"]'
