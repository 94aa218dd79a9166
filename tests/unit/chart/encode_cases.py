"""Template expressions whose Go values are known exactly, for toYaml/toJson checks.

Each entry: (Go template pipeline producing a value, Python expression for the same Go value in
Steersman's value model). helm_encode_oracle.py records what helm prints for
`toYaml`, `toJson` and `toPrettyJson` of each.
"""

from __future__ import annotations

EXPRESSIONS: list[tuple[str, str]] = [
    ("list 1 2 3", "[1, 2, 3]"),
    ("int64 9223372036854775807", "GoInt64(9223372036854775807)"),
    ("int64 -9223372036854775808", "GoInt64(-9223372036854775808)"),
    ("1.5", "1.5"),
    ("1e6", "1e6"),
    ("1e21", "1e21"),
    ("1e20", "1e20"),
    ("1e19", "1e19"),
    ("-1e19", "-1e19"),
    ("0.0000001", "1e-7"),
    ("0.000001", "1e-6"),
    ("123456789.0", "123456789.0"),
    ("1234567.5", "1234567.5"),
    ("0.1", "0.1"),
    ("-0.0", "-0.0"),
    ("100000.5", "100000.5"),
    ("3.0", "3.0"),
    ("1e300", "1e300"),
    ("5e-324", "5e-324"),
    ('float64 "NaN"', "float('nan')"),
    ('list "<a>" "&" ">"', "['<a>', '&', '>']"),
    ('"\\u2028\\u2029"', "'\\u2028\\u2029'"),
    ('"\\x7f"', "'\\x7f'"),
    ('"\\u0085"', "'\\u0085'"),
    ('"\\u0080"', "'\\u0080'"),
    ('"\\ufffe"', "'\\ufffe'"),
    ('"\\x01\\x08\\x0c\\t\\n\\r"', "'\\x01\\x08\\x0c\\t\\n\\r'"),
    ('"é 😀"', "'é 😀'"),
    ("list", "[]"),
    ("dict", "{}"),
    ('dict "b" 1 "a" 2 "B" 3 "a10" 4 "a9" 5', "{'b': 1, 'a': 2, 'B': 3, 'a10': 4, 'a9': 5}"),
    ('dict "x" (list) "y" (dict) "z" (list (list) (dict))', "{'x': [], 'y': {}, 'z': [[], {}]}"),
    ('splitList "," "a,b,,c"', "GoStringSlice(['a', 'b', '', 'c'])"),
    ("true", "True"),
    ('list nil true false "" "null" "yes"', "[None, True, False, '', 'null', 'yes']"),
    ('"a\\nb"', "'a\\nb'"),
    ('"multi\\nline\\n"', "'multi\\nline\\n'"),
    ('dict "k" "v\\n" "l" (list "x\\ny")', "{'k': 'v\\n', 'l': ['x\\ny']}"),
    ('b64dec "aGVsbG8="', "'hello'"),
    (
        'dict "n" (dict "m" (dict "o" (list 1 (dict "p" "q"))))',
        "{'n': {'m': {'o': [1, {'p': 'q'}]}}}",
    ),
]

EXPRESSIONS += [
    ('"a\\u0085b"', "'a\\u0085b'"),
    ('"a  \\u0085  b"', "'a  \\u0085  b'"),
    ('"a\\u0085\\u0085\\u0085b"', "'a\\u0085\\u0085\\u0085b'"),
    ('"\\u0085lead"', "'\\u0085lead'"),
    ('"trail \\u0085"', "'trail \\u0085'"),
    ('dict "k\\u0085ey" 1', "{'k\\u0085ey': 1}"),
]
