"""The lexer's regex fast path against its rune-by-rune states (the lex.go transcription).

Every item (type, position, value, line) of the fast path must equal the slow path's, including
the final ERROR item; the cases below are the places where the fast path has to stop and hand
over, plus a seeded random soup of token fragments and delimiters.
"""

from __future__ import annotations

import random

import pytest

from steersman.gotemplate import lexer as L


def fast_and_slow(
    text: str, ldelim: str = "{{", rdelim: str = "}}", brk: bool = True, cont: bool = True
) -> tuple[list[L.Item], list[L.Item]]:
    fast = L._Lexer(text, ldelim, rdelim, brk, cont).run()
    slow = L._Lexer(text, ldelim, rdelim, brk, cont).run_slow()
    return fast, slow


EDGE_CASES = [
    # trim markers, next to spaces and newlines
    "a \n {{- .a -}} \n b",
    "{{.a -}}\n\n x",
    "{{ .a  -}}x",
    "{{ .a\n\t-}}x",
    "{{-\n.a\n-}}",
    "x\n{{-\n3}}",
    "{{- -}}",
    "{{-3}}",
    "{{ 3 -}}",
    "{{ - }}",
    "{{ .a -}",
    "{{ .a - }}",
    # comments
    "{{/* c */}}x",
    "a  {{- /* c\n */ -}}  b\n{{ .x }}",
    "{{/* c */ }}",
    "{{/* c",
    "{{ /* c */ }}",
    # names, fields, variables
    "{{ . }}{{.}}{{ .a.b }}{{ $x.y }}{{ $ }}{{$}}",
    "{{ .héllo }}{{ $é }}{{ fé }}{{ é }}",
    "{{ .a-b }}",
    "{{ .1 }}",
    "{{ a.b }}{{ true.x }}",
    "{{ .",
    "{{ $",
    "{{ x",
    # strings and constants
    '{{ "a\\"b" "}}" }}',
    '{{ "a',
    '{{ "a\n" }}',
    '{{ "a\\',
    "{{ `a\nb` }}\n{{ .x }}",
    "{{ `a",
    "{{ 'a' '\\n' '\\'' }}",
    "{{ 'a",
    "{{ 'a\n' }}",
    # numbers
    "{{ 1 12 0 08 1e3 1.5 .5 0x1F 0X1p-2 0b101 0o17 1_000 3i 1+2i -3 +4 }}",
    "{{ 1e }}{{ 0x }}{{ 3abc }}{{ 1(2) }}{{ 1|x }}{{ 1,2 }}",
    # punctuation and parentheses
    "{{ (.a | b) }}{{ $x := 1 }}{{ $x = 2 }}{{ range $i, $v := . }}",
    "{{ ( .a }}",
    "{{ ) }}",
    "{{ (() }}",
    "{{ a : b }}",
    "{{ % }}",
    "{{ \x01 }}",
    "{{ .a",
    "{{",
    "}}{{ }}",
    # keywords
    "{{ if .a }}{{ else if .b }}{{ else }}{{ end }}{{ nil }}{{ range . }}{{ break }}"
    "{{ continue }}{{ end }}{{ with . }}{{ end }}{{ define `x` }}{{ block `y` . }}"
    "{{ template `x` }}",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_fast_path_matches_the_rune_by_rune_states(text: str) -> None:
    fast, slow = fast_and_slow(text)
    assert fast == slow


@pytest.mark.parametrize("brk", [True, False])
@pytest.mark.parametrize("cont", [True, False])
def test_break_and_continue_are_keywords_only_when_not_functions(brk: bool, cont: bool) -> None:
    fast, slow = fast_and_slow("{{ break }}{{ continue }}", brk=brk, cont=cont)
    assert fast == slow
    assert [i[0] for i in fast if i[2] in ("break", "continue")] == [
        L.BREAK if brk else L.IDENTIFIER,
        L.CONTINUE if cont else L.IDENTIFIER,
    ]


@pytest.mark.parametrize(
    ("ldelim", "rdelim", "text"),
    [
        ("<%", "%>", "a <%- .a | b -%> c <%/* x */%> {{ .b }}"),
        ("[[", "]]", "[[ .a ]] [[- 1 -]] [[ (.a) ]] [[ 1]] [[.a]]"),
        # a right delimiter starting with a letter, a digit or a dot ends names and numbers
        # only where lex.go says: "$x" with "x" as delimiter is the variable "$" then "x"
        ("e", "x", "e $x ex e .x e1x e breakx ex e 1 x"),
        ("{{", "1}", "{{ 21} {{ $1} {{ .a1}"),
        ("{{", ".}", "{{ 2.} {{ a.} {{ $.} {{ ..}"),
        ("{{", "-}}", "{{ .a -}} {{ .a --}} {{ 1-}}"),
        ("((", "))", "(( (.a) )) (( ( )) ))"),
        ('"', "'", '" .a \' " "x" \''),
        (" ", "  ", "a .b  c"),
    ],
)
def test_custom_delimiters(ldelim: str, rdelim: str, text: str) -> None:
    fast, slow = fast_and_slow(text, ldelim, rdelim)
    assert fast == slow


def test_lines_follow_newlines_in_spaces_trim_markers_and_raw_strings() -> None:
    items, slow = fast_and_slow("{{ .a\n}}\n{{- \n .b `x\ny` -}}\n\n{{ .c }}")
    assert items == slow
    assert {i[2]: i[3] for i in items if i[0] in (L.FIELD, L.RAW_STRING)} == {
        ".a": 1,
        ".b": 4,
        "`x\ny`": 4,
        ".c": 7,
    }


def test_common_actions_need_no_rune_by_rune_step(monkeypatch: pytest.MonkeyPatch) -> None:
    slow_steps: list[int] = []
    original = L._Lexer.lex_inside_action_slow

    def counted(self: L._Lexer) -> bool | None:
        slow_steps.append(self.pos)
        return original(self)

    monkeypatch.setattr(L._Lexer, "lex_inside_action_slow", counted)
    text = (
        '{{- include "x.labels" . | nindent 4 }}\n{{ if and .a (not $.b) -}}{{ $v := 1 }}'
        "{{ range $k, $v := .Values.x }}{{ `r` }}{{ 'c' }}{{ end }}{{ end }}"
    )
    L.lex(text, "{{", "}}", True, True)
    assert slow_steps == []
    L.lex("{{ 1e3 }}{{ .é }}", "{{", "}}", True, True)
    assert slow_steps == [3, 12]  # the number and the non-ASCII field go rune by rune


_FRAGMENTS = [
    "{{", "}}", "{{-", "-}}", " ", "\n", "\t", "\r", "-", ".", "$", "x", "é", "1", "0x", "e",
    "i", "+", ":", "=", ":=", ",", "|", "(", ")", '"', "'", "`", "\\", "/*", "*/", "true",
    "if", "break", "end", "nil", "_", ".X", "$v", "<<", ">>", "%", "3.5", "1_0", "\x01", "}",
]  # fmt: skip
_DELIMS = [("{{", "}}"), ("<<", ">>"), ("{%", "%}"), ("(", ")"), ("e", "x"), ("", ""), ("1", ".")]


def test_random_fragments_lex_alike() -> None:
    rnd = random.Random(15)
    for _ in range(5000):
        text = "".join(rnd.choice(_FRAGMENTS) for _ in range(rnd.randint(0, 12)))
        ldelim, rdelim = rnd.choice(_DELIMS)
        brk, cont = rnd.random() < 0.5, rnd.random() < 0.5
        fast, slow = fast_and_slow(text, ldelim, rdelim, brk, cont)
        assert fast == slow, (text, ldelim, rdelim)
