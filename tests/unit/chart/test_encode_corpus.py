"""toYaml / toJson / toPrettyJson of template-built values against recorded helm v4 output."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from hack.testenv.parts import HELM_V4
from steersman.golang.jsonout import to_json, to_pretty_json
from steersman.golang.types import GoInt64, GoStringSlice
from steersman.golang.yamlout import to_yaml
from tests.unit.chart.encode_cases import EXPRESSIONS
from tests.unit.chart.helm_encode_oracle import CORPUS, run_helm_expressions

RECORDED: list[dict[str, Any]] = json.loads(CORPUS.read_text())
_NAMES = {"GoInt64": GoInt64, "GoStringSlice": GoStringSlice, "math": math}


def _ours(expr: str, python: str) -> dict[str, Any]:
    value = eval(python, dict(_NAMES))  # the Go value, written in our value model
    return {
        "expr": expr,
        "toYaml": to_yaml(value),
        "toJson": to_json(value),
        "toPrettyJson": to_pretty_json(value),
    }


@pytest.mark.parametrize(
    ("index", "expr", "python"),
    [(i, e, p) for i, (e, p) in enumerate(EXPRESSIONS)],
    ids=[f"expr{i}" for i in range(len(EXPRESSIONS))],
)
def test_matches_recorded_helm(index: int, expr: str, python: str) -> None:
    assert _ours(expr, python) == RECORDED[index]


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert run_helm_expressions([e for e, _ in EXPRESSIONS]) == RECORDED


class _Struct:
    """A Go struct as the value model exposes it: JSON form through go_json()."""

    def go_json(self) -> dict[str, Any]:
        return {"Name": "x", "Alpha": {"z": 1, "a": 2}, "Inner": _Inner()}


class _Inner:
    def go_json(self) -> dict[str, Any]:
        return {"Z": 1, "A": 2}


def test_struct_fields_keep_their_order_maps_are_sorted() -> None:
    assert to_json({"s": _Struct()}) == (
        '{"s":{"Name":"x","Alpha":{"a":2,"z":1},"Inner":{"Z":1,"A":2}}}'
    )
    assert to_yaml(_Struct()) == "Alpha:\n  a: 2\n  z: 1\nInner:\n  A: 2\n  Z: 1\nName: x"
