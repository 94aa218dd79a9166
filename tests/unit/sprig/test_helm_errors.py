"""Sprig error texts and edge cases checked against real helm v4.1.4 (Helm's own fromJson
override is not part of this map and is not tested here).

Error rows give the text helm printed after `error calling NAME: `; the executor adds that
prefix, the functions raise TemplateFuncError with the rest. Value rows are printed results
(nil prints as nothing, as in Helm's output).
"""

from __future__ import annotations

import pytest

from steersman.golang.fmt import format_value
from steersman.golang.types import TemplateFuncError
from steersman.sprig import sprig_funcs

from .calls import call

FUNCS = sprig_funcs()

HELM_ERRORS = [
    (
        'mustFromJson "[1, 1e400]"',
        "json: cannot unmarshal number 1e400 into Go value of type float64",
    ),
    ('mustRegexFind "a\\\\Cb" "x"', "error parsing regexp: invalid escape sequence: `\\C`"),
    ("first 1", "Cannot find first on type int"),
    ("first nil", "runtime error: invalid memory address or nil pointer dereference"),
    ('append "x" 1', "Cannot push on type string"),
    ("concat (list 1) 2", "Cannot concat type int as list"),
    ("mustFirst (dict)", "Cannot find first on type map"),
    ('has 1 "abc"', "Cannot find has on type string"),
    ("slice (list 1 2) 1 5", "reflect.Value.Slice: slice index out of bounds"),
    ("chunk 0 (list 1 2)", "runtime error: makeslice: len out of range"),
    ("div 1 0", "runtime error: integer divide by zero"),
    ("mod 1 0", "runtime error: integer divide by zero"),
    ("divf 1 0", "decimal division by 0"),
    ('repeat -1 "a"', "strings: negative Repeat count"),
    ('substr 2 1 "abc"', "runtime error: slice bounds out of range [2:1]"),
    ('substr -1 10 "abc"', "runtime error: slice bounds out of range [:10] with length 3"),
    ("randInt 5 5", "invalid argument to Intn"),
    ('regexFind "(" "x"', "regexp: Compile(`(`): error parsing regexp: missing closing ): `(`"),
    ('mustRegexFind "(" "x"', "error parsing regexp: missing closing ): `(`"),
    (
        'regexFind "a**" "x"',
        "regexp: Compile(`a**`): error parsing regexp: invalid nested repetition operator: `**`",
    ),
    (
        'regexFind "[z-a]" "x"',
        "regexp: Compile(`[z-a]`): error parsing regexp: invalid character class range: `z-a`",
    ),
    (
        'regexFind "\\\\Z" "x"',
        "regexp: Compile(`\\Z`): error parsing regexp: invalid escape sequence: `\\Z`",
    ),
    (
        'regexFind "a{2,1}" "x"',
        "regexp: Compile(`a{2,1}`): error parsing regexp: invalid repeat count: `{2,1}`",
    ),
    (
        'regexFind "(?<=a)b" "x"',
        "regexp: Compile(`(?<=a)b`): error parsing regexp: invalid named capture: `(?<=a)b`",
    ),
    ('regexFind "x)" "x"', "regexp: Compile(`x)`): error parsing regexp: unexpected ): `x)`"),
    ('regexFind "[a" "x"', "regexp: Compile(`[a`): error parsing regexp: missing closing ]: `[a`"),
    ('mustRegexMatch "(" "x"', "error parsing regexp: missing closing ): `(`"),
    ('semverCompare "bad" "1.0.0"', "improper constraint: bad"),
    ('semverCompare ">1" "bad"', "invalid semantic version"),
    ('semver "1.2.3.4"', "invalid semantic version"),
    ('semver "1.2.3-01"', "version segment starts with 0"),
    ('semver "1.2.3+a..b"', "invalid semantic version"),
    ('semverCompare "" "1.5.0"', "improper constraint:"),
    ('dig "a" (dict)', "dig needs at least three arguments"),
    (
        'dig "a" "b" "d" (dict "a" 1)',
        "interface conversion: interface {} is int, not map[string]interface {}",
    ),
    ('dig 1 "d" (dict)', "interface conversion: interface {} is int, not string"),
    ('mustToJson (dict "a" (mulf 1e308 10))', "json: unsupported value: +Inf"),
    ('mustFromJson "{bad"', "invalid character 'b' looking for beginning of object key string"),
    ('mustFromJson ""', "unexpected end of JSON input"),
    ('mustFromJson "[1,]"', "invalid character ']' looking for beginning of value"),
    ('mustFromJson "{} x"', "invalid character 'x' after top-level value"),
    ('mustToDate "2006-01-02" "2024-13-01"', 'parsing time "2024-13-01": month out of range'),
    (
        'mustToDate "2006-01-02" "24-1-1"',
        'parsing time "24-1-1" as "2006-01-02": cannot parse "24-1-1" as "2006"',
    ),
    ('mustToDate "2006-01-02" "2024-02-30"', 'parsing time "2024-02-30": day out of range'),
    ('mustToDate "2006-01-02" "2024-02-03x"', 'parsing time "2024-02-03x": extra text: "x"'),
    (
        'urlParse "http://a b.com/"',
        'unable to parse url: parse "http://a b.com/": invalid character " " in host name',
    ),
    ('urlParse ":x"', 'unable to parse url: parse ":x": missing protocol scheme'),
    (
        'urlParse "http://h:port/"',
        'unable to parse url: parse "http://h:port/": invalid port ":port" after host',
    ),
    ('urlJoin (dict "host" 1)', "unable to parse host key, must be of type string, but int found"),
    ('decryptAES "k" "!!"', "illegal base64 data at input byte 0"),
    ('decryptAES "k" "YWJj"', "runtime error: slice bounds out of range [:16] with capacity 3"),
    ("randBytes -1", "runtime error: makeslice: len out of range"),
    ("deepCopy nil", "reflect: call of reflect.Value.Type on zero Value"),
    ("mustDeepCopy nil", "reflect: call of reflect.Value.Type on zero Value"),
]

HELM_VALUES = [
    ('mustFromJson "12345678901234567890"', "1.2345678901234567e+19"),
    ('mustRegexFind "\\\\Q\\\\C\\\\E" "a\\\\Cb"', "\\C"),
    ('regexMatch "(" "x"', "false"),
    ('semverCompare ">=1.0 <2" "1.5.0"', "true"),
    ('semverCompare "*" "1.5.0-rc1"', "false"),
    ('toJson (dict "a" (mulf 1e308 10))', ""),
    ('genPrivateKey "x"', "Unknown type x"),
    ('derivePassword 1 "nope" "p" "u" "s"', "cannot find password template nope"),
    ('htpasswd "a:b" "p"', "invalid username: a:b"),
    ('mustMerge (dict) (dict "a" 1)', "map[a:1]"),
    ("toString nil", "<nil>"),
    ("quote nil", ""),
    ('join "," nil', ""),
    ("sortAlpha nil", "[<nil>]"),
    ('sortAlpha "x"', "[x]"),
    ('toStrings "x"', "[x]"),
    ('keys (dict "b" 1 "a" 2) | sortAlpha', "[a b]"),
    ('values (dict "b" 1 "a" 1)', "[1 1]"),
    ('coalesce nil ""', ""),
    ("typeOf (coalesce)", "<nil>"),
    ("typeOf (first (list))", "<nil>"),
    ('tuple 1 "a"', "[1 a]"),
    ("uniq (list (list 1) (list 1))", "[[1]]"),
    ("slice (list)", ""),
    ("typeOf (slice (list))", "<nil>"),
]


@pytest.mark.parametrize(("expr", "message"), HELM_ERRORS, ids=[r[0] for r in HELM_ERRORS])
def test_error_text_matches_helm(expr: str, message: str) -> None:
    with pytest.raises(TemplateFuncError) as err:
        call(FUNCS, expr)
    assert str(err.value).rstrip() == message


@pytest.mark.parametrize(("expr", "expected"), HELM_VALUES, ids=[r[0] for r in HELM_VALUES])
def test_edge_value_matches_helm(expr: str, expected: str) -> None:
    result = call(FUNCS, expr)
    assert ("" if result is None else format_value(result)) == expected
