"""--set / --set-string / --set-json / --set-literal against recorded helm v4 results."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hack.testenv.parts import HELM_V4
from steersman.chart.values.coalesce import ValueOptions, ValuesError, merge_user_values
from steersman.chart.values.strvals import StrvalsError, parse, parse_string, typed_value
from steersman.golang.fmt import go_quote
from steersman.golang.jsonout import to_json
from steersman.golang.types import GoInt64
from tests.unit.chart.fuzz_values import random_set_args
from tests.unit.chart.helm_strvals_oracle import CORPUS, REPO_ROOT, run_helm_set
from tests.unit.chart.strvals_cases import SET_CASES

RECORDED: list[dict[str, Any]] = json.loads(CORPUS.read_text())


def _type_of(v: Any) -> str:
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, GoInt64):
        return "int64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    return type(v).__name__


def walk(v: Any) -> str:
    """The same dump the oracle's template prints."""
    if isinstance(v, dict):
        return "{" + "".join(f"{go_quote(k)}:{walk(v[k])}," for k in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + "".join(walk(x) + "," for x in v) + "]"
    return f"{_type_of(v)}={to_json(v)}"


def _options(args: list[str]) -> ValueOptions:
    opts = ValueOptions()
    flags = {
        "--set": opts.values,
        "--set-string": opts.string_values,
        "--set-json": opts.json_values,
        "--set-literal": opts.literal_values,
        "--set-file": opts.file_values,
        "-f": opts.value_files,
    }
    for flag, value in zip(args[::2], args[1::2], strict=True):
        flags[flag].append(value)
    return opts


def _ours(args: list[str]) -> dict[str, Any]:
    try:
        values = merge_user_values(_options(args), lambda p: (REPO_ROOT / p).read_bytes())
    except ValuesError as exc:
        return {"args": args, "error": str(exc)}
    return {"args": args, "walk": walk(values)}


@pytest.mark.parametrize(
    "index", range(len(SET_CASES)), ids=[f"set{i}" for i in range(len(SET_CASES))]
)
def test_matches_recorded_helm(index: int) -> None:
    assert _ours(SET_CASES[index]) == RECORDED[index]


def test_typed_values() -> None:
    assert typed_value("123", False) == 123 and type(typed_value("123", False)) is GoInt64
    assert typed_value("0", False) == 0 and type(typed_value("0", False)) is GoInt64
    assert typed_value("1e3", False) == "1e3"
    assert typed_value("FaLsE", False) is False
    assert typed_value("true", True) == "true"


def test_parse_helpers() -> None:
    assert parse("a.b=1,c={x,y}") == {"a": {"b": 1}, "c": ["x", "y"]}
    assert parse_string("a=1") == {"a": "1"}
    with pytest.raises(StrvalsError, match="nested level"):
        parse(".".join(f"k{i}" for i in range(32)) + "=1")


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert [run_helm_set(args) for args in SET_CASES[:8]] == RECORDED[:8]


@pytest.mark.interop
@pytest.mark.parametrize("seed", [31, 32])
def test_random_set_expressions_match_live_helm(seed: int) -> None:
    """Random expressions made of `.[]={},\\` and friends: values or Helm's exact error."""
    for args in random_set_args(seed, 25):
        assert _ours(args) == run_helm_set(args)
