"""fromJson / fromJsonArray (Go's encoding/json errors included) against recorded helm v4."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hack.testenv.parts import HELM_V4
from steersman.golang.jsonout import JSONError, from_json, from_json_array, to_json, unmarshal
from tests.unit.chart.helm_json_oracle import CORPUS, JSON_TEXTS, run_helm_json

RECORDED: list[dict[str, Any]] = json.loads(CORPUS.read_text())


def _ours(text: str) -> dict[str, Any]:
    return {
        "text": text,
        "fromJson": to_json(from_json(text)),
        "fromJsonArray": to_json(from_json_array(text)),
    }


@pytest.mark.parametrize(
    "index", range(len(JSON_TEXTS)), ids=[f"json{i}" for i in range(len(JSON_TEXTS))]
)
def test_matches_recorded_helm(index: int) -> None:
    assert _ours(JSON_TEXTS[index]) == RECORDED[index]


def test_unmarshal_types_and_errors() -> None:
    assert unmarshal('{"a":[1,true,null]}') == {"a": [1.0, True, None]}
    assert type(unmarshal("[1]")[0]) is float
    with pytest.raises(JSONError, match="unexpected end of JSON input"):
        unmarshal("[1,")
    with pytest.raises(JSONError, match="cannot unmarshal number 1e400"):
        unmarshal("[1e400]")


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert run_helm_json(JSON_TEXTS) == RECORDED
