"""Loading + user values + dependency processing + coalescing, against recorded helm v4 output.

For each chart of the tree that helm renders, the `.Values` it sees (with Go types) must match.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hack.testenv.parts import HELM_V4
from steersman.chart.dependencies import copy_chart, is_compatible_range, process_dependencies
from steersman.chart.loader import load
from steersman.chart.model import Chart
from steersman.chart.values.coalesce import (
    ValueOptions,
    ValuesError,
    coalesce_tables,
    coalesce_values,
    merge_user_values,
    subchart_values,
)
from tests.unit.chart.deps_cases import _DEFINE, PROBE, RUNS, chart_files
from tests.unit.chart.fuzz_values import random_import_chart, random_value_layers
from tests.unit.chart.helm_chart_oracle import write_chart
from tests.unit.chart.helm_deps_oracle import CORPUS, run_helm_values
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


def _layered_chart(seed: int) -> tuple[dict[str, str], dict[str, Any]]:
    root, sub, grand, user = random_value_layers(seed)
    files = {
        "Chart.yaml": "apiVersion: v2\nname: root\nversion: 0.1.0\n",
        "values.yaml": json.dumps(root),
        "templates/_walk.tpl": _DEFINE,
        "templates/probe.yaml": PROBE,
        "charts/sub/Chart.yaml": "apiVersion: v2\nname: sub\nversion: 0.1.0\n",
        "charts/sub/values.yaml": json.dumps(sub),
        "charts/sub/templates/probe.yaml": PROBE,
        "charts/sub/charts/grand/Chart.yaml": "apiVersion: v2\nname: grand\nversion: 0.1.0\n",
        "charts/sub/charts/grand/values.yaml": json.dumps(grand),
        "charts/sub/charts/grand/templates/probe.yaml": PROBE,
    }
    return files, user


def _import_chart(seed: int) -> tuple[dict[str, str], dict[str, Any]]:
    files, user = random_import_chart(seed)
    files["templates/_walk.tpl"] = _DEFINE
    for prefix in ("", "charts/child/", "charts/child/charts/grand/"):
        files[f"{prefix}templates/probe.yaml"] = PROBE
    return files, user


@pytest.mark.interop
@pytest.mark.parametrize(
    ("kind", "seed"),
    [("layers", s) for s in range(1000, 1012)] + [("imports", s) for s in range(12)],
)
def test_random_value_layers_match_live_helm(kind: str, seed: int, tmp_path: Path) -> None:
    """Random defaults at three chart levels plus random user values (and, for "imports",
    random import-values), coalesced as helm does: type clashes, nulls, globals, subchart
    sections, imports - including helm's error texts."""
    import base64
    import os
    import subprocess

    files, user = _layered_chart(seed) if kind == "layers" else _import_chart(seed)
    chart_dir = tmp_path / "root"
    write_chart(chart_dir, files)
    user_file = tmp_path / "user.json"
    user_file.write_text(json.dumps(user))
    proc = subprocess.run(
        [str(HELM_V4), "template", "x", str(chart_dir), "-f", str(user_file)],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(tmp_path), "PATH": os.environ.get("PATH", "")},
    )
    expected: dict[str, str] = {}
    if proc.returncode != 0:
        expected["error"] = proc.stderr.strip().splitlines()[-1].removeprefix("Error: ")
    for line in proc.stdout.splitlines():
        if line.startswith("# probe "):
            _, _, path, dump = line.split(" ")
            expected[path] = base64.b64decode(dump).decode()
    ours: dict[str, str] = {}
    try:
        chart = copy_chart(load(chart_dir))
        values = merge_user_values(ValueOptions(value_files=[str(user_file)]))
        process_dependencies(chart, values)
        _rendered_values(chart, coalesce_values(chart, values), ours)
    except ValuesError as exc:
        ours = {"error": str(exc)}
    assert ours == expected
