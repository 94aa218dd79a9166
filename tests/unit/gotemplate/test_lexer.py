"""Tokenizer behaviour from Go's parse/lex.go (trim markers, numbers, fields, lines)."""

from __future__ import annotations

import pytest

from steersman.gotemplate import lexer as L


def kinds(text: str) -> list[tuple[int, str]]:
    return [(i[0], i[2]) for i in L.lex(text, "{{", "}}", True, True)]


def test_text_and_action() -> None:
    assert kinds("a {{ .X }} b") == [
        (L.TEXT, "a "),
        (L.LEFT_DELIM, "{{"),
        (L.SPACE, " "),
        (L.FIELD, ".X"),
        (L.SPACE, " "),
        (L.RIGHT_DELIM, "}}"),
        (L.TEXT, " b"),
        (L.EOF, ""),
    ]


def test_trim_markers_remove_surrounding_whitespace() -> None:
    assert kinds("a \n\t{{- 3 -}} \n b") == [
        (L.TEXT, "a"),
        (L.LEFT_DELIM, "{{"),
        (L.NUMBER, "3"),
        (L.RIGHT_DELIM, "}}"),
        (L.TEXT, "b"),
        (L.EOF, ""),
    ]


def test_minus_without_space_is_a_number() -> None:
    assert kinds("{{-3}}")[1] == (L.NUMBER, "-3")


def test_comment_with_trim_markers_disappears() -> None:
    assert kinds("x  {{- /* c\n */ -}}  y") == [(L.TEXT, "x"), (L.TEXT, "y"), (L.EOF, "")]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{/* x */ }}", "comment ends before closing delimiter"),
        ("{{/* x", "unclosed comment"),
        ("{{ .a", "unclosed action"),
        ("{{ (1 }}", "unclosed left paren"),
        ("{{ 1) }}", "unexpected right paren"),
        ('{{ "a\n" }}', "unterminated quoted string"),
        ("{{ `a", "unterminated raw quoted string"),
        ("{{ 'a\n' }}", "unterminated character constant"),
        ("{{ .a-b }}", "bad character U+002D '-'"),
        ("{{ 3abc }}", 'bad number syntax: "3a"'),
        ("{{ é$ }}", "bad character U+0024 '$'"),
        ("{{ \x01 }}", "unrecognized character in action: U+0001"),
        ("{{ $x :- 1 }}", "expected :="),
    ],
)
def test_errors(text: str, message: str) -> None:
    last = L.lex(text, "{{", "}}", True, True)[-1]
    assert (last[0], last[2]) == (L.ERROR, message)


@pytest.mark.parametrize(
    "number", ["0x1F", "0o17", "0b101", "1_000", "1e3", "1.5e-7", ".5", "-3", "+4", "0x1p4", "1i"]
)
def test_number_forms(number: str) -> None:
    assert kinds("{{" + number + "}}")[1] == (L.NUMBER, number)


def test_complex_and_char_constants() -> None:
    assert kinds("{{1+2i}}")[1] == (L.COMPLEX, "1+2i")
    assert kinds("{{'\\n'}}")[1] == (L.CHAR_CONSTANT, "'\\n'")


def test_fields_variables_keywords() -> None:
    got = kinds("{{ $x := .a.b | len }}{{ range $i, $v = . }}{{ break }}{{ end }}")
    typs = [t for t, _ in got if t != L.SPACE]
    assert typs == [
        L.LEFT_DELIM,
        L.VARIABLE,
        L.DECLARE,
        L.FIELD,
        L.FIELD,
        L.PIPE,
        L.IDENTIFIER,
        L.RIGHT_DELIM,
        L.LEFT_DELIM,
        L.RANGE,
        L.VARIABLE,
        L.CHAR,
        L.VARIABLE,
        L.ASSIGN,
        L.DOT,
        L.RIGHT_DELIM,
        L.LEFT_DELIM,
        L.BREAK,
        L.RIGHT_DELIM,
        L.LEFT_DELIM,
        L.END,
        L.RIGHT_DELIM,
        L.EOF,
    ]


def test_break_is_an_identifier_when_a_function_has_that_name() -> None:
    items = L.lex("{{ break }}", "{{", "}}", False, True)
    assert (items[2][0], items[2][2]) == (L.IDENTIFIER, "break")


def test_line_numbers_count_newlines_in_text_actions_and_raw_strings() -> None:
    items = L.lex("a\nb{{ `x\ny`\n .z }}\n{{ 1 }}", "{{", "}}", True, True)
    lines = {i[2]: i[3] for i in items}
    assert lines["`x\ny`"] == 2
    assert lines[".z"] == 4
    assert lines["1"] == 5


def test_custom_delimiters() -> None:
    got = [(i[0], i[2]) for i in L.lex("<% .a %>{{", "<%", "%>", True, True)]
    assert got[:4] == [(L.LEFT_DELIM, "<%"), (L.SPACE, " "), (L.FIELD, ".a"), (L.SPACE, " ")]
    assert got[-2] == (L.TEXT, "{{")
