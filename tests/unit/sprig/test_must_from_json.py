"""mustFromJson is json.Unmarshal into interface{}: Go's scanner error texts (an input that
ends inside a literal reports the space the scanner feeds at EOF), U+FFFD for invalid UTF-8
and lone surrogate escapes, numbers beyond float64 as errors. Expected texts are real
helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("nul", "invalid character ' ' in literal null (expecting 'l')"),
        ("tru", "invalid character ' ' in literal true (expecting 'e')"),
        ("\\xff\\x00", "invalid character 'ÿ' looking for beginning of value"),
        ("é", "invalid character 'Ã' looking for beginning of value"),
        ("1.", "invalid character ' ' after decimal point in numeric literal"),
        ("[1,", "unexpected end of JSON input"),
        ("1e400", "json: cannot unmarshal number 1e400 into Go value of type float64"),
        (
            '{\\"a\\":1e400,\\"b\\":2e400}',
            "json: cannot unmarshal number 1e400 into Go value of type float64",
        ),
    ],
)
def test_errors_match_helm(text: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(f'{{{{ mustFromJson "{text}" }}}}')
    assert str(err.value).endswith("error calling mustFromJson: " + message)


def test_invalid_text_becomes_replacement_characters() -> None:
    assert render('{{ mustFromJson "\\"\\\\ud800\\"" | toJson }}') == '"\ufffd"'
    assert render('{{ mustFromJson "\\"a\\xffb\\"" | b64enc }}') == "Ye+/vWI="
    assert render('{{ mustFromJson "\\"\\\\ud83d\\\\ude00\\"" }}') == "😀"
