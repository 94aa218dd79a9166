"""fmt.Sprintf/Sprint parity. Every expected string was produced by Go (helm v4 printf/print)."""

from __future__ import annotations

from typing import Any

import pytest

from steersman.golang.fmt import (
    format_value,
    go_sprint,
    go_sprintf,
    go_sprintln,
    type_name,
)
from steersman.golang.types import (
    NO_VALUE,
    GoInt64,
    GoIntSlice,
    GoStringMap,
    GoStringSlice,
)

SPRINTF_CASES: list[tuple[str, tuple[Any, ...], str]] = [
    (
        "%05s|%-05d|%+v|%+d|% d|%x|%X|%#x|%o|%#o|%O|%b|%#b",
        ("ab", 5, 5, 5, 5, 255, 255, 255, 8, 8, 8, 5, 5),
        "000ab|5    |5|+5| 5|ff|FF|0xff|10|010|0o10|101|0b101",
    ),
    (
        "%v|%v|%v|%v|%v|%v|%v|%v",
        (1000000.0, 123456.0, 1234567.0, 0.0001, 1e-05, 3.0, 1e21, 1e20),
        "1e+06|123456|1.234567e+06|0.0001|1e-05|3|1e+21|1e+20",
    ),
    ("%d|%s|%d", ("x", 5, 3.0), "%!d(string=x)|%!s(int=5)|%!d(float64=3)"),
    ("%v %v", (1,), "1 %!v(MISSING)"),
    ("%v", (1, 2), "1%!(EXTRA int=2)"),
    ("%", (), "%!(NOVERB)"),
    ("%!", (), "%!!(MISSING)"),
    ("%*d", ("a", 5), "%!(BADWIDTH)5"),
    ("%.*d", ("a", 5), "%!(BADPREC)5"),
    ("%[2]d %[1]d", (1, 2), "2 1"),
    ("%[3]d", (1, 2), "%!d(BADINDEX)"),
    ("%[2]*[1]d", (12, 5), "   12"),
    ("%5%", (), "%"),
    (
        "%q|%+q|%#q|%q",
        ("héllo\n\x01", "héllo", "ab`", 65),
        '"héllo\\n\\x01"|"h\\u00e9llo"|"ab`"|\'A\'',
    ),
    ("%c|%U|%#U", (65, 65, 233), "A|U+0041|U+00E9 'é'"),
    (
        "%e|%E|%f|%.2f|%g|%G|%.3g|%8.3f|%-8.3f|%08.3f|%+.1e",
        (
            1234.5678,
            1234.5678,
            1234.5678,
            2.675,
            1e-07,
            1e21,
            100.0,
            3.14159,
            3.14159,
            -3.14159,
            12345.0,
        ),
        "1.234568e+03|1.234568E+03|1234.567800|2.67|1e-07|1E+21|100|   3.142|3.142   |-003.142|+1.2e+04",  # noqa: E501
    ),
    (
        "%v|%d|%s|%x",
        ([1, "a", None, 2.5], [1, 2], ["a", "b"], "hi"),
        "[1 a <nil> 2.5]|[1 2]|[a b]|6869",
    ),
    ("%v|%s|%d", (None, None, None), "<nil>|%!s(<nil>)|%!d(<nil>)"),
    (
        "%T|%T|%T|%T|%T|%T|%T",
        (1, 1.0, "a", True, None, [], {}),
        "int|float64|string|bool|<nil>|[]interface {}|map[string]interface {}",
    ),
    ("%v", ({"b": 1, "a": {"x": None}, "c": []},), "map[a:map[x:<nil>] b:1 c:[]]"),
    (
        "%#v|%#v|%#v|%#v",
        ({"a": 1, "b": "x"}, [1, "a", None], 1.0, "s"),
        'map[string]interface {}{"a":1, "b":"x"}|[]interface {}{1, "a", interface {}(nil)}|1|"s"',
    ),
    ("%t|%t|%5t|%v", (True, 1, False, False), "true|%!t(int=1)|false|false"),
    (
        "%x|% x|%# x|%#x",
        ("hello", "hello", "hello", 3.0),
        "68656c6c6f|68 65 6c 6c 6f|0x68 0x65 0x6c 0x6c 0x6f|0x1.8000p+01",
    ),
    ("%b|%x", (1.0, 3.0), "4503599627370496p-52|0x1.8p+01"),
    (
        "%6.2v|%.2s|%.0d|%5.0d|%.3d|%08.3d|%-5d|%x|%X",
        (3.14159, "héllo", 0, 0, 7, 7, -3, -255, -255),
        "   3.1|hé||     |007|     007|-3   |-ff|-FF",
    ),
    ("%v|%v|%v|%v", (1000000.0, 1.5e300, -0.0, GoInt64(1)), "1e+06|1.5e+300|-0|1"),
    ("%s|%v", (GoInt64(5), 2e-05), "%!s(int64=5)|2e-05"),
    ("%05d|%+05d|%-+5d|%x", (-42, 42, 42, [10, 11]), "-0042|+0042|+42  |[a b]"),
    (
        "%x|%X|%.3x|%8.2x",
        (3.5, -0.1, 3.14159, 1.0),
        "0x1.cp+01|-0X1.999999999999AP-04|0x1.922p+01|0x1.00p+00",
    ),
    ("%#g|%#.3g|%#e|%#.0f|%#v", (1.0, 1.0, 1.0, 1.0, 1.0), "1.00000|1.00|1.000000e+00|1.|1"),
    (
        "%s|%v|%d",
        ([[1, 2], {"a": 1}], [], {"a": [1, "x"]}),
        "[[%!s(int=1) %!s(int=2)] map[a:%!s(int=1)]]|[]|map[%!d(string=a):[1 %!d(string=x)]]",
    ),
    (
        "%U|%.6U|%c|%q|%+q|%c",
        (128512, 65, 128512, 128512, 128512, -1),
        "U+1F600|U+000041|😀|'😀'|'\\U0001f600'|�",
    ),
    ("%q", ("\xa0 \u2028 \x7f 😀",), '"\\u00a0 \\u2028 \\x7f 😀"'),
    (
        "%08s|%-8q|%8q|%.2q|%08v|%8v",
        ("ab", "x", "y", "héllo", -1.5, [1, 2]),
        '000000ab|"x"     |     "y"|"hé"|-00001.5|[       1        2]',
    ),
    ("% d|%+ d|% x|%#o|%#b|% 05d", (5, 5, -5, 0, 0, 5), " 5|+5|-5|0|0b0| 0005"),
    (
        "%v|%v|%v|%v|%v",
        (100000.0, 999999.0, 0.0001, 0.000123, 12345678.9),
        "100000|999999|0.0001|0.000123|1.23456789e+07",
    ),
    ("%.0f|%.0f|%.0f|%.1f", (0.5, 1.5, 2.5, 0.05), "0|2|2|0.1"),
    (
        "%6.2f|%-8.3e|%+g|% g|%010.3f|%-010.3f",
        (3.14159, 1234.5, 1.0, 1.0, -2.5, 2.5),
        "  3.14|1.234e+03|+1| 1|-00002.500|2.500     ",
    ),
    ("%5.1v|%05v|%+v", ("hello", "ab", "x"), "    h|000ab|x"),
    ("%[1]d %[1]x %#[1]o", (64,), "64 40 0100"),
    ("%[0]d", (1,), "%!d(BADINDEX)"),
    ("%[x]d", (1,), "%!d(BADINDEX)"),
    ("%[2]d %d", (1, 2, 3), "2 3"),
    ("%d %d %[1]d %d", (1, 2), "1 2 1 2"),
    ("%[5]d", (1,), "%!d(BADINDEX)"),
    ("%[1]", (1,), "%!(NOVERB)"),
    ("%-*d|%*d", (4, 1, -4, 2), "1   |2   "),
    (
        "%.*f|%.[2]*[1]f|%[3]*.[2]*[1]f",
        (2, 3.14159, 3.14159, 1, 10),
        "3.14|%!(BADPREC)%!f(int=2)|%!(BADWIDTH)%!(BADPREC)%!f(int=2)",
    ),
    ("%3c|%-4c|%x", (65, 66, ""), "  A|B   |"),
    ("%10x|%-10X|%.1x", ("abc", "abc", "abc"), "    616263|616263    |61"),
    ("%v %s", (True, True), "true %!s(bool=true)"),
    ("%08.3d|%+.3d|%x|%o", (-7, 7, GoInt64(-1), -8), "    -007|+007|-1|-10"),
    (
        "%T %T %T %T",
        (GoInt64(1), GoStringSlice(["a"]), GoIntSlice([0, 1]), GoStringMap()),
        "int64 []string []int map[string]string",
    ),
    (
        "%x|%x|%#.0x|%x|%X",
        (0.0, -0.0, 1.0, 1e-310, 1e300),
        "0x0p+00|-0x0p+00|0x1.p+00|0x1.2688b70e62bp-1030|0X1.7E43C8800759CP+996",
    ),
    (
        "%#.0e|%#x|%#.3f|%#g|%#g|%#g",
        (1.0, 1.0, 0.0, 0.0, 100000.0, 1e-07),
        "1.e+00|0x1.0000p+00|0.000|0.00000|100000.|1.00000e-07",
    ),
    (
        "%e|%g|%f|%v|% v|%+v|%05v",
        (0.0, 0.0, 0.0, 0.0, -1.0, 1.0, 1.0),
        "0.000000e+00|0|0.000000|0|-1|1|00001",
    ),
    ("%c|%c|%q|%U", (1114112, 55296, 55296, -1), "�|�|'�'|U+FFFFFFFFFFFFFFFF"),
    ("%s|%v|%d|%x", ("hi", [], [], []), "hi|[]|[]|[]"),
]


@pytest.mark.parametrize(("fmt", "args", "expected"), SPRINTF_CASES)
def test_sprintf_matches_go(fmt: str, args: tuple[Any, ...], expected: str) -> None:
    assert go_sprintf(fmt, *args) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1000000.0, "1e+06"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (123456789.0, "1.23456789e+08"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (3.0, "3"),
        (-0.0, "-0"),
        (float("inf"), "+Inf"),
        (float("-inf"), "-Inf"),
        (float("nan"), "NaN"),
        (0.1 + 0.2, "0.30000000000000004"),
        (None, "<nil>"),
        (NO_VALUE, "<no value>"),
        ({"b": 2, "a": 1}, "map[a:1 b:2]"),
        ({}, "map[]"),
        (["a", 1, None, 2.5], "[a 1 <nil> 2.5]"),
        (b"hi", "[104 105]"),
        (GoInt64(7), "7"),
        (True, "true"),
    ],
)
def test_format_value(value: Any, expected: str) -> None:
    assert format_value(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "int"),
        (GoInt64(1), "int64"),
        (1.0, "float64"),
        ("s", "string"),
        (True, "bool"),
        (None, "<nil>"),
        ([], "[]interface {}"),
        ({}, "map[string]interface {}"),
        (GoStringSlice(), "[]string"),
        (GoIntSlice(), "[]int"),
        (GoStringMap(), "map[string]string"),
        (b"", "[]uint8"),
    ],
)
def test_type_name(value: Any, expected: str) -> None:
    assert type_name(value) == expected


def test_sprint_spaces_only_between_non_strings() -> None:
    assert go_sprint(1, 2, "a", 3, "b", "c", None, 4, None) == "1 2a3bc<nil> 4 <nil>"


def test_sprintln_always_spaces() -> None:
    assert go_sprintln(1, "a", 2) == "1 a 2\n"
