"""Every exported function carries the Go signature of the real Sprig v3.3.0 function.

go_signatures.json was extracted from Sprig's functions.go and the declarations it names
(env and expandenv left out, as Helm deletes them); the executor type-checks arguments
against these, so a wrong parameter type would change which calls fail.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steersman.golang.fmt import func_type_name
from steersman.sprig import sprig_funcs

GO_SIGNATURES: dict[str, str] = json.loads(
    (Path(__file__).parent / "go_signatures.json").read_text()
)
FUNCS = sprig_funcs()


def test_same_function_names_as_sprig_minus_env() -> None:
    assert sorted(FUNCS) == sorted(GO_SIGNATURES)
    assert "env" not in FUNCS and "expandenv" not in FUNCS


@pytest.mark.parametrize("name", sorted(GO_SIGNATURES))
def test_signature(name: str) -> None:
    assert func_type_name(FUNCS[name]) == GO_SIGNATURES[name]
