"""Loading + user values + dependency processing + coalescing, against recorded helm v4 output.

For each chart of the tree that helm renders, the `.Values` it sees (with Go types) must match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steersman.chart.dependencies import copy_chart, is_compatible_range, process_dependencies
from steersman.chart.loader import load
from steersman.chart.model import Chart
from steersman.chart.values import (
    ValueOptions,
    coalesce_tables,
    coalesce_values,
    merge_user_values,
    subchart_values,
)
from tests.unit.chart.deps_cases import RUNS, chart_files
from tests.unit.chart.helm_chart_oracle import write_chart
from tests.unit.chart.helm_deps_oracle import CORPUS, HELM_V4, run_helm_values
from tests.unit.chart.test_strvals import walk

RECORDED: list[dict[str, Any]] = json.loads(CORPUS.read_text())


def _rendered_values(chart: Chart, values: dict[str, Any], out: dict[str, str]) -> None:
    out[chart.chart_full_path() + "/templates"] = walk(values)
    for sub in chart.dependencies:
        _rendered_values(sub, subchart_values(values, sub.name), out)


def _ours(tmp_path: Path, name: str, args: list[str]) -> dict[str, Any]:
    chart_dir = tmp_path / "root"
    write_chart(chart_dir, chart_files(name))
    chart = copy_chart(load(chart_dir))
    opts = ValueOptions(values=[v for f, v in zip(args[::2], args[1::2], strict=True)])
    user = merge_user_values(opts)
    process_dependencies(chart, user)
    probes: dict[str, str] = {}
    _rendered_values(chart, coalesce_values(chart, user), probes)
    return {"chart": name, "args": args, "values": probes}


@pytest.mark.parametrize(
    "index", range(len(RUNS)), ids=[f"{c}-{i}" for i, (c, _) in enumerate(RUNS)]
)
def test_values_match_helm(index: int, tmp_path: Path) -> None:
    name, args = RUNS[index]
    assert _ours(tmp_path, name, args) == RECORDED[index]


def test_loaded_chart_is_not_mutated_by_processing(tmp_path: Path) -> None:
    chart_dir = tmp_path / "root"
    write_chart(chart_dir, chart_files("imports"))
    loaded = load(chart_dir)
    before = (loaded.values, [d.import_values for d in loaded.metadata.dependencies if d])
    chart = copy_chart(loaded)
    process_dependencies(chart, {})
    assert (loaded.values, [d.import_values for d in loaded.metadata.dependencies if d]) == before
    assert chart.values != loaded.values


def test_compatible_range_and_tables() -> None:
    assert is_compatible_range("~0.1.0", "0.1.5")
    assert not is_compatible_range("", "0.1.0")
    assert not is_compatible_range(">=1.0.0", "0.1.0")
    assert coalesce_tables({"a": None, "b": 1}, {"a": 2, "c": 3}) == {"b": 1, "c": 3}


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert [run_helm_values(c, a) for c, a in RUNS[:4]] == RECORDED[:4]
