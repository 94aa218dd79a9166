"""values.schema.json validation messages against recorded helm v4 output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from steersman.chart.dependencies import copy_chart, process_dependencies
from steersman.chart.loader import load
from steersman.chart.schema import ValuesSchemaError, check_values, json_equal
from steersman.chart.values import coalesce_values
from tests.unit.chart.helm_chart_oracle import write_chart
from tests.unit.chart.helm_schema_oracle import CORPUS, HELM_V4, run_helm_schema
from tests.unit.chart.schema_cases import SCHEMA_CASES, chart_files

RECORDED: list[str] = json.loads(CORPUS.read_text())


def _ours(tmp_path: Path, index: int) -> str:
    chart_dir = tmp_path / "s"
    write_chart(chart_dir, chart_files(index))
    chart = copy_chart(load(chart_dir))
    process_dependencies(chart, {})
    try:
        check_values(chart, coalesce_values(chart, {}))
    except ValuesSchemaError as exc:
        return str(exc) + "\n"  # helm's error output adds the final newline
    return ""


@pytest.mark.parametrize(
    "index", range(len(SCHEMA_CASES)), ids=[f"schema{i}" for i in range(len(SCHEMA_CASES))]
)
def test_matches_recorded_helm(index: int, tmp_path: Path) -> None:
    assert _ours(tmp_path, index) == RECORDED[index]


def test_json_equality_keeps_types_apart() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert json_equal({"a": [1, None]}, {"a": [1.0, None]})


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert [run_helm_schema(i) for i in range(6)] == RECORDED[:6]
