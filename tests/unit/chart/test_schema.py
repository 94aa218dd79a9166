"""values.schema.json validation messages against recorded helm v4 output."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hack.testenv.parts import HELM_V4
from steersman.chart.dependencies import copy_chart, process_dependencies
from steersman.chart.loader import load
from steersman.chart.values.coalesce import coalesce_values
from steersman.chart.values.schema import ValuesSchemaError, check_values, json_equal
from tests.unit.chart.helm_chart_oracle import write_chart
from tests.unit.chart.helm_schema_oracle import CORPUS, CORPUS_V3, run_helm_schema
from tests.unit.chart.helm_yaml_oracle import HELM_V3
from tests.unit.chart.schema_cases import SCHEMA_CASES, UNORDERED, chart_files

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
    ours, expected = _ours(tmp_path, index), RECORDED[index]
    if index in UNORDERED:
        assert sorted(ours.splitlines()) == sorted(expected.splitlines())
    else:
        assert ours == expected


def test_json_equality_keeps_types_apart() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert json_equal({"a": [1, None]}, {"a": [1.0, None]})


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert [run_helm_schema(i) for i in range(6)] == RECORDED[:6]


RECORDED_V3: list[str] = json.loads(CORPUS_V3.read_text())


def _ours_v3(tmp_path: Path, index: int) -> str:
    chart_dir = tmp_path / "s"
    write_chart(chart_dir, chart_files(index))
    chart = copy_chart(load(chart_dir, helm_major=3))
    process_dependencies(chart, {})
    try:
        check_values(chart, coalesce_values(chart, {}), helm_major=3)
    except ValuesSchemaError as exc:
        return str(exc) + "\n"
    return ""


@pytest.mark.parametrize(
    "index", range(len(SCHEMA_CASES)), ids=[f"v3schema{i}" for i in range(len(SCHEMA_CASES))]
)
def test_matches_recorded_helm_v3(index: int, tmp_path: Path) -> None:
    ours, expected = _ours_v3(tmp_path, index), RECORDED_V3[index]
    if index in UNORDERED:
        # Same errors; helm v3 lists them in Go's random map order.
        assert sorted(ours.splitlines()) == sorted(expected.splitlines())
    else:
        assert ours == expected


@pytest.mark.interop
def test_recording_matches_live_helm_v3() -> None:
    assert HELM_V3.exists(), f"helm v3 binary missing at {HELM_V3}"
    assert [run_helm_schema(i, HELM_V3) for i in range(6)] == RECORDED_V3[:6]
