"""Parse errors carry Go's exact text: `template: NAME:LINE: MESSAGE` (parse/parse.go)."""

from __future__ import annotations

import pytest

from steersman.gotemplate import TemplateParseError, TemplateSet
from steersman.gotemplate.nodes import ActionNode, FieldNode, IfNode
from steersman.gotemplate.parser import parse

BUILTIN_NAMES = {"printf", "len", "eq", "and"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{{ nope 1 }}", 'function "nope" not defined'),
        ("{{ $x }}", 'undefined variable "$x"'),
        ("{{ if 1 }}", "unexpected EOF"),
        ("{{ end }}", "unexpected {{end}}"),
        ("{{ else }}", "unexpected {{else}}"),
        ("{{ .a-b }}", "bad character U+002D '-'"),
        ("{{ if }}{{ end }}", "missing value for if"),
        ("{{ }}", "missing value for command"),
        ('{{ "x" | "y" }}', "non executable command in pipeline stage 2"),
        ("{{ $x, $y := 1 }}", "too many declarations in command"),
        ("{{ range $a, 1 := . }}{{ end }}", "range can only initialize variables"),
        ("{{ range $a, $b, $c := . }}{{ end }}", "too many declarations in range"),
        ("{{ break }}", "{{break}} outside {{range}}"),
        ("{{ range . }}{{ else }}{{ continue }}{{ end }}", "{{continue}} outside {{range}}"),
        ("{{ range . }}{{ break 1 }}{{ end }}", 'unexpected "1" in {{break}}'),
        (
            '{{ define "a" }}1{{ end }}{{ define "a" }}2{{ end }}',
            'template: multiple definition of template "a"',
        ),
        ("{{ define 3 }}{{ end }}", 'unexpected "3" in define clause'),
        ('{{ define "a" }}{{ else }}{{ end }}', "unexpected {{else}} in define clause"),
        ("{{ template 3 }}", 'unexpected "3" in template clause'),
        ('{{ block "b" }}{{ end }}', "missing value for block clause"),
        ("{{ if 1 }}{{ else }}{{ else }}{{ end }}", "expected end; found {{else}}"),
        ('{{ "s".x }}', 'unexpected . after term "\\"s\\""'),
        ("{{ | .a }}", 'unexpected "|" in command'),
        ("{{ 1 := 2 }}", 'unexpected ":=" in operand'),
        ("{{ ( ) }}", "missing value for parenthesized pipeline"),
        ("{{ 08 }}", 'integer overflow: "08"'),
        ("{{ 0x }}", 'illegal number syntax: "0x"'),
        ("{{ 1.2.3 }}", 'unexpected ".3" in operand'),
        ('{{ "\\q" }}', "invalid syntax"),
        ("{{ 'ab' }}", "malformed character constant: 'ab'"),
        ("{{ '' }}", "invalid syntax"),
        ("a\n{{ .a\n}}\n{{ end }}", "unexpected {{end}}"),
    ],
)
def test_parse_error_messages(text: str, message: str) -> None:
    with pytest.raises(TemplateParseError) as err:
        parse("t", text, BUILTIN_NAMES)
    assert str(err.value).split(": ", 2)[2] == message
    assert str(err.value).startswith("template: t:")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a\nb\n{{ nope }}", 3),
        ("{{ if 1 }}\n\n", 3),
        ("{{ .a\n| nope }}", 2),
        ("x\n{{ with }}", 2),
        ("{{ `a\nb` }}{{ $x }}", 2),
    ],
)
def test_parse_error_line(text: str, line: int) -> None:
    with pytest.raises(TemplateParseError) as err:
        parse("t", text, BUILTIN_NAMES)
    assert str(err.value).startswith(f"template: t:{line}: ")


def test_unclosed_action_across_lines_names_start() -> None:
    with pytest.raises(TemplateParseError) as err:
        parse("t", "{{ if 1 }}\n{{ .a\n", BUILTIN_NAMES)
    assert str(err.value) == "template: t:3: unclosed action started at t:2"


def test_field_chain_is_folded_and_positioned_at_second_field() -> None:
    trees = parse("t", "{{ .Values.a.b }}", BUILTIN_NAMES)
    action = trees["t"].root.nodes[0]
    assert isinstance(action, ActionNode)
    field = action.pipe.cmds[0].args[0]
    assert isinstance(field, FieldNode)
    assert field.ident == ["Values", "a", "b"]
    assert field.pos == 10  # Go positions the folded chain at `.a`


def test_else_if_becomes_nested_if() -> None:
    trees = parse("t", "{{ if 1 }}a{{ else if 2 }}b{{ else }}c{{ end }}", BUILTIN_NAMES)
    node = trees["t"].root.nodes[0]
    assert isinstance(node, IfNode)
    assert node.else_list is not None
    assert isinstance(node.else_list.nodes[0], IfNode)
    assert str(node) == "{{if 1}}a{{else}}{{if 2}}b{{else}}c{{end}}{{end}}"


def test_defines_are_separate_trees_and_body_sees_only_dollar() -> None:
    trees = parse("t", '{{ $x := 1 }}{{ define "d" }}{{ $ }}{{ end }}{{ $x }}', BUILTIN_NAMES)
    assert set(trees) == {"t", "d"}
    with pytest.raises(TemplateParseError, match='undefined variable "\\$x"'):
        parse("t", '{{ $x := 1 }}{{ define "d" }}{{ $x }}{{ end }}', BUILTIN_NAMES)


def test_variables_go_out_of_scope_at_end() -> None:
    with pytest.raises(TemplateParseError, match='undefined variable "\\$y"'):
        parse("t", "{{ if 1 }}{{ $y := 2 }}{{ end }}{{ $y }}", BUILTIN_NAMES)


def test_template_set_reports_parse_errors() -> None:
    ts = TemplateSet()
    with pytest.raises(TemplateParseError) as err:
        ts.parse("chart/templates/x.yaml", "{{ include }}")
    assert str(err.value) == 'template: chart/templates/x.yaml:1: function "include" not defined'
