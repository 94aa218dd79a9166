"""Execution semantics of text/template (exec.go) and the TemplateSet API."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from steersman.golang.types import (
    GoFunc,
    GoInt64,
    GoStringMap,
    GoStringSlice,
    TemplateFuncError,
)
from steersman.gotemplate import TemplateExecError, TemplateSet

from .helm_like import FUNCS, Capabilities, Files


def run(text: str, data: Any = None, **kw: Any) -> str:
    ts = TemplateSet(FUNCS, **kw)
    ts.parse("t", text)
    return ts.execute("t", data)


def err(text: str, data: Any = None, **kw: Any) -> str:
    with pytest.raises(TemplateExecError) as e:
        run(text, data, **kw)
    return str(e.value)


# -- missing values and nil


def test_missing_key_prints_no_value_and_nil_argument_prints_nil() -> None:
    assert run("{{ .a }}|{{ print .a }}|{{ printf `%v %T` .a .a }}", {}) == (
        "<no value>|<nil>|<nil> <nil>"
    )


def test_missingkey_modes() -> None:
    assert run("{{ .a.b }}", {}, missingkey="default") == "<no value>"
    assert err("{{ .a.b }}", {}) == (
        'template: t:1:5: executing "t" at <.a.b>: nil pointer evaluating interface {}.b'
    )
    assert err("{{ .a }}", {}, missingkey="error") == (
        'template: t:1:3: executing "t" at <.a>: map has no entry for key "a"'
    )
    assert err("{{ $x := .a }}{{ $x.b }}", {"a": None}, missingkey="error") == (
        'template: t:1:19: executing "t" at <$x.b>: nil data; no entry for key "b"'
    )


def test_string_map_missing_key_is_empty_string() -> None:
    data = {"ann": GoStringMap(a="1")}
    assert run("[{{ .ann.zz }}]{{ printf `%q` .ann.zz }}", data) == '[]""'
    assert err("{{ .ann.a.x }}", data) == (
        'template: t:1:7: executing "t" at <.ann.a.x>: can\'t evaluate field x in type string'
    )


def test_parenthesised_nil_does_not_fail() -> None:
    assert run("{{ ((.g).kubeVersion) }}|{{ (.g).a.b }}", {"g": None}) == "<no value>|<no value>"


def test_range_element_nil_versus_variable_nil() -> None:
    data = {"l": [None]}
    assert err("{{ range .l }}{{ .x }}{{ end }}", data).endswith(
        "nil pointer evaluating interface {}.x"
    )
    assert run("{{ range .l }}{{ . }}{{ end }}", data) == "<no value>"


def test_data_nil_makes_fields_no_value() -> None:
    assert run("{{ .a.b }}{{ $ }}", None) == "<no value><no value>"


# -- truth, and/or


@pytest.mark.parametrize(
    ("value", "truth"),
    [
        (0, False),
        (0.0, False),
        ("", False),
        ([], False),
        ({}, False),
        (None, False),
        (False, False),
        (GoInt64(0), False),
        (1, True),
        ("0", True),
        ([0], True),
        (Capabilities(), True),
    ],
)
def test_truthiness(value: Any, truth: bool) -> None:
    assert run("{{ if .v }}T{{ else }}F{{ end }}", {"v": value}) == ("T" if truth else "F")


def test_and_or_short_circuit_and_return_operands() -> None:
    data = {"a": None, "s": "x", "n": 0}
    assert run("{{ and .s .n }}|{{ or .n .s }}|{{ and .a .a.b }}|{{ or .s .a.b }}", data) == (
        "0|x|<no value>|x"
    )


# -- functions and argument conversion


def test_pipeline_value_is_the_last_argument() -> None:
    assert (
        run('{{ "hello" | trunc 3 }}|{{ 3 | printf "%d-%s" "x" }}', {})
        == "hel|%!d(string=x)-%!s(int=3)"
    )


def test_int_parameter_accepts_integral_float_literal_only() -> None:
    assert run('{{ trunc 2.0 "hello" }}', {}) == "he"
    assert err('{{ trunc 2.5 "hello" }}', {}).endswith("expected integer; found 2.5")


def test_int64_is_not_int() -> None:
    msg = err('{{ trunc .n "hello" }}', {"n": GoInt64(2)})
    assert msg.endswith("wrong type for value; expected int; got int64")


def test_function_errors_are_wrapped_with_the_command_as_context() -> None:
    def boom(s: str) -> str:
        raise TemplateFuncError("bad " + s)

    ts = TemplateSet({"boom": GoFunc(boom, ("string",), can_error=True)})
    ts.parse("t", 'x\n  {{ boom "y" | printf "%s" }}')
    with pytest.raises(TemplateExecError) as e:
        ts.execute("t", {})
    assert str(e.value) == 'template: t:2:5: executing "t" at <boom "y">: error calling boom: bad y'


def test_variadic_argument_count() -> None:
    assert err("{{ eq }}", {}).endswith("wrong number of args for eq: want at least 1 got 0")
    assert err("{{ ne 1 }}", {}).endswith("wrong number of args for ne: want 2 got 1")


def test_user_function_overrides_builtin_and_loses_short_circuit() -> None:
    calls: list[Any] = []

    def my_and(*args: Any) -> Any:
        calls.append(args)
        return "mine"

    ts = TemplateSet({"and": GoFunc(my_and, (), "interface {}")})
    ts.parse("t", "{{ and 0 1 }}")
    assert ts.execute("t", {}) == "mine"
    assert calls == [(0, 1)]


# -- structs and methods


def test_struct_fields_methods_and_stringer() -> None:
    data = {"Capabilities": Capabilities()}
    text = (
        '{{ .Capabilities.APIVersions.Has "apps/v1" }} {{ .Capabilities.KubeVersion }} '
        "{{ .Capabilities.KubeVersion.Minor }} {{ printf `%+v` .Capabilities.KubeVersion.Major }}"
    )
    assert run(text, data) == "true v1.35.0 35 1"
    assert err("{{ .Capabilities.Nope }}", data).endswith(
        "can't evaluate field Nope in type interface {}"
    )


def test_named_map_method_and_zero_value() -> None:
    files = Files({"a.txt": b"A"})
    assert run('{{ .Files.Get "a.txt" }}|{{ printf "%q" .Files.b }}', {"Files": files}) == 'A|""'


# -- range


def test_range_over_map_is_sorted_and_int_counts() -> None:
    data = {"m": {"b": 2.0, "a": 1.0}, "s": GoStringSlice(["x", "y"])}
    text = "{{ range $k, $v := .m }}{{ $k }}={{ $v }} {{ end }}{{ range 2 }}{{ . }}{{ end }}"
    assert (
        run(text + "{{ range $i, $v := .s }}{{ $i }}{{ $v }}{{ end }}", data)
        == "a=1 b=2 01" + "0x1y"
    )


def test_range_over_float_is_an_error() -> None:
    assert err("{{ range .n }}{{ end }}", {"n": 3.0}).endswith("range can't iterate over 3")


def test_range_variables_reset_each_iteration_and_break() -> None:
    text = (
        "{{ range $i, $v := .l }}{{ if eq $i 1 }}{{ continue }}{{ end }}"
        "{{ if eq $i 3 }}{{ break }}{{ end }}{{ $v }}{{ end }}"
    )
    assert run(text, {"l": ["a", "b", "c", "d", "e"]}) == "ac"


# -- templates


def test_later_parse_overrides_define_but_empty_body_does_not() -> None:
    ts = TemplateSet()
    ts.parse("a", '{{ define "x" }}A{{ end }}')
    ts.parse("b", '{{ define "x" }}B{{ end }}')
    ts.parse("c", '{{ define "x" }} {{/* nothing */}} {{ end }}')
    ts.parse("main", '{{ template "x" }}')
    assert ts.execute("main", None) == "B"
    assert ts.has("a") and ts.has("x") and not ts.has("y")


def test_template_gets_its_own_variables_and_dot() -> None:
    ts = TemplateSet()
    ts.parse("t", '{{ define "d" }}{{ $ }}-{{ . }}{{ end }}{{ $x := 1 }}{{ template "d" 5 }}')
    assert ts.execute("t", {"a": 1}) == "5-5"


def test_undefined_template_and_recursion_limit() -> None:
    assert err('{{ template "nope" }}', {}) == (
        'template: t:1:12: executing "t" at <{{template "nope"}}>: template "nope" not defined'
    )
    msg = err('{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}', {})
    assert msg == (
        'template: t:1:28: executing "r" at <{{template "r" .}}>: '
        "exceeded maximum template depth (100000)"
    )


def test_execute_unknown_template() -> None:
    ts = TemplateSet()
    with pytest.raises(TemplateExecError) as e:
        ts.execute("nope", {})
    assert str(e.value) == 'template: no template "nope" associated with template "gotpl"'


def test_functions_can_call_back_into_the_set() -> None:
    ts = TemplateSet()

    def include(name: str, data: Any) -> str:
        return ts.execute(name, data)

    def current() -> str:
        return ts.executing or ""

    ts.add_funcs(
        {
            "include": GoFunc(include, ("string", "interface {}"), can_error=True),
            "current": GoFunc(current, ()),
        }
    )
    ts.parse(
        "t", '{{ define "d" }}[{{ . }} in {{ current }}]{{ end }}{{ include "d" 1 | printf "%s!" }}'
    )
    assert ts.execute("t", {}) == "[1 in d]!"
    ts.parse("u", '{{ include "d" .x.y }}')
    with pytest.raises(TemplateExecError) as e:
        ts.execute("u", {})
    assert str(e.value) == (
        'template: u:1:17: executing "u" at <.x.y>: nil pointer evaluating interface {}.y'
    )


def test_nested_execution_error_is_wrapped_by_the_calling_function() -> None:
    ts = TemplateSet()
    ts.add_funcs({"include": GoFunc(lambda n, d: ts.execute(n, d), ("string", "interface {}"))})
    ts.parse("t", '{{ define "d" }}{{ .a.b }}{{ end }}{{ include "d" . }}')
    with pytest.raises(TemplateExecError) as e:
        ts.execute("t", {})
    assert str(e.value) == (
        'template: t:1:38: executing "t" at <include "d" .>: error calling include: '
        'template: t:1:21: executing "d" at <.a.b>: nil pointer evaluating interface {}.b'
    )


def test_clone_isolates_new_definitions() -> None:
    ts = TemplateSet()
    ts.parse("base", '{{ define "x" }}base{{ end }}')
    other = ts.clone()
    other.parse("gotpl", '{{ define "x" }}clone{{ end }}{{ template "x" }}')
    assert other.execute("gotpl", None) == "clone"
    ts.parse("m", '{{ template "x" }}')
    assert ts.execute("m", None) == "base"


def test_custom_delimiters() -> None:
    assert run("<% .a %> {{ .a }}", {"a": 1}, delims=("<%", "%>")) == "1 {{ .a }}"


def test_action_with_declaration_prints_nothing() -> None:
    assert run("{{ $x := 5 }}[{{ $x = 6 }}]{{ $x }}", {}) == "[]6"


def test_named_map_methods_win_over_keys() -> None:
    data = {"Files": Files({"Get": b"key", "a": b"A"})}
    assert run("{{ .Files.a }}", data) == "[65]"
    assert err("{{ .Files.Get }}", data).endswith("wrong number of args for Get: want 1 got 0")
    assert run('{{ $f := .Files }}{{ $f.Get "a" }}', data) == "A"


def test_sets_sharing_cached_trees_keep_their_own_functions() -> None:
    text = "{{ who }}{{ range .l }}{{ who }}{{ end }}"
    sets = []
    for label in ("a", "b"):
        ts = TemplateSet({"who": GoFunc(lambda label=label: label, ())})
        ts.parse("t", text)
        sets.append(ts)
    data = {"l": [1, 2]}
    assert [ts.execute("t", data) for ts in sets * 2] == ["aaa", "bbb", "aaa", "bbb"]

    results: list[str] = []

    def worker(ts: TemplateSet) -> None:
        results.extend(ts.execute("t", data) for _ in range(300))

    threads = [threading.Thread(target=worker, args=(ts,)) for ts in sets]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(results)) == ["aaa", "bbb"]
    assert results.count("aaa") == results.count("bbb") == 300
