"""tomllex (BurntSushi's lexer as a syntax check): valid documents pass untouched, malformed
ones fail with BurntSushi's text (the full comparison with helm is
tests/interop/test_from_toml_errors.py)."""

from __future__ import annotations

import pytest

from steersman.golang.tomllex import TomlLexError, check_syntax
from steersman.golang.tomlout import from_toml

VALID = [
    "",
    "a = 1",
    '[t]\nx = "s"\ny = [1, 2, {z = 3}]',
    "a.b.c = true\n\"q k\" = 'raw'",
    "x = 1979-05-27T07:32:00Z\nd = 1979-05-27\nt = 07:32:00",
    "m = \"\"\"\nline\\\n  more\"\"\"\nr = '''raw\nx'''",
    "n = -inf\np = nan\nh = 0xDEAD_beef\no = 0o755\nb = 0b1010\nf = 6.02e+23\ni = +1_000",
    "[[arr]]\nk = 1\n[[arr]]\nk = 2",
    'e = "\\u00e9\\U0001F600\\t"',
    "# c\n  a = 1 # c\n\n[ t . u ] # x\nv = {}",
    "s = {a = 1, b = {c = [ ]}}",
]


@pytest.mark.parametrize("doc", VALID)
def test_valid_documents_pass(doc: str) -> None:
    check_syntax(doc)
    assert "Error" not in from_toml(doc)


@pytest.mark.parametrize(
    ("doc", "text"),
    [
        ("one", "toml: line 1: unexpected EOF; expected key separator '='"),
        (
            "a = [1,",
            'toml: line 1 (last key "a"): unexpected EOF; expected value',
        ),
        (
            "[t]\nx = 1\ny = ?",
            "toml: line 3 (last key \"t.y\"): expected value but found '?' instead",
        ),
        (
            "a = {b = 1 c = 2}",
            'toml: line 1 (last key "a.b"): expected a comma or an inline table terminator '
            "'}', but got 'c' instead",
        ),
    ],
)
def test_errors_read_as_burntsushi(doc: str, text: str) -> None:
    with pytest.raises(TomlLexError) as exc:
        check_syntax(doc)
    assert str(exc.value) == text
    assert from_toml(doc) == {"Error": text}
