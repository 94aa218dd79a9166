"""chunk, deepCopy and dig corners found by differential fuzzing; expected texts are real
helm v4.1.4 renders."""

from __future__ import annotations

from typing import Any

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError

PREFIX_ERR = "error calling "

# The templates see `.Values`, empty.
NO_VALUES: dict[str, Any] = {"Values": {}}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Sprig's float arithmetic: negative sizes give [] or one chunk unless a length is < 0.
        ("{{ chunk -5 (list 1) }}", "[[1]]"),
        ("{{ chunk -1 (list 1 2) }}", "[]"),
        ("{{ chunk -3 (list 1 2 3 4) }}", "[]"),
        ("{{ chunk 2 (until 5) }}", "[[0 1] [2 3] [4]]"),
        ("{{ chunk 3 (until 6) | toJson }}", "[[0,1,2],[3,4,5]]"),
        # chunk's result is a [][]interface {}, its chunks []interface {}.
        ("{{ chunk 2 (list) | typeOf }}", "[][]interface {}"),
        ('{{ printf "%v %T" (chunk 1 (list 1)) (chunk 1 (list)) }}', "[[1]] [][]interface {}"),
        ("{{ chunk 2 (until 5) | first | typeOf }}", "[]interface {}"),
        ("{{ chunk 2 (until 5) | kindOf }}", "slice"),
        ("{{ slice (chunk 1 (list 1 2)) 1 | typeOf }}", "[][]interface {}"),
        ("{{ deepCopy (chunk 1 (list 1 nil)) | typeOf }}", "[][]interface {}"),
        ("{{ append (chunk 1 (list 1)) 2 | typeOf }}", "[]interface {}"),
        # copystructure copies nil elements; only a nil argument itself fails.
        ('{{ deepCopy (list nil "") }} {{ deepCopy (dict "a" nil) }}', "[<nil> ] map[a:<nil>]"),
        ('{{ deepCopy (list (list nil) (dict "x" nil)) }}', "[[<nil>] map[x:<nil>]]"),
    ],
)
def test_render_matches_helm(template: str, expected: str) -> None:
    assert render(template, NO_VALUES) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{ chunk -1 (until 3) }}", "chunk: runtime error: makeslice: len out of range"),
        ("{{ chunk -5 (list) }}", "chunk: runtime error: makeslice: len out of range"),
        ("{{ chunk -1 (list 1) }}", "chunk: runtime error: makeslice: len out of range"),
        ("{{ chunk 0 (list 1) }}", "chunk: runtime error: makeslice: len out of range"),
        ("{{ deepCopy nil }}", "deepCopy: reflect: call of reflect.Value.Type on zero Value"),
        # A failed type assertion names a nil interface "nil" (not %T's "<nil>").
        (
            '{{ dig "a" "dflt" nil }}',
            "dig: interface conversion: interface {} is nil, not map[string]interface {}",
        ),
        (
            '{{ dig "a" "b" "d" (dict "a" nil) }}',
            "dig: interface conversion: interface {} is nil, not map[string]interface {}",
        ),
        ('{{ dig nil "d" (dict) }}', "dig: interface conversion: interface {} is nil, not string"),
        ('{{ dig 1 "d" (dict) }}', "dig: interface conversion: interface {} is int, not string"),
    ],
)
def test_errors_match_helm(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(template, NO_VALUES)
    assert str(err.value).endswith(PREFIX_ERR + message)


def test_chunk_result_is_refused_where_a_plain_list_is_declared() -> None:
    # genSelfSignedCert's ips parameter is a []interface {}: Go refuses a [][]interface {}.
    with pytest.raises(TemplateError) as err:
        render('{{ genSelfSignedCert "x" (chunk 1 (list)) nil 1 }}', NO_VALUES)
    assert str(err.value).endswith(
        "wrong type for value; expected []interface {}; got [][]interface {}"
    )
