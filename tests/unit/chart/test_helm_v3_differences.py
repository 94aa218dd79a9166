"""helm_major=3 reproduces Helm v3.17's loader and value flags, checked live against helm v3.

Differences from v4 covered: values.yaml and -f files hold one YAML document, no apiVersion
pre-check (a missing Chart.yaml reads `Chart.yaml file is missing`), --set-json has no
whole-object form, and an unterminated `[` in --set is an error rather than the end of input.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest

from steersman.chart.loader import load
from steersman.chart.model import ChartError
from steersman.chart.values.coalesce import ValuesError, merge_user_values
from tests.unit.chart.chart_cases import CASES
from tests.unit.chart.fuzz_values import random_set_args
from tests.unit.chart.helm_chart_oracle import pack, run_case, write_chart
from tests.unit.chart.helm_strvals_oracle import REPO_ROOT, run_helm_set
from tests.unit.chart.helm_yaml_oracle import HELM_V3
from tests.unit.chart.strvals_cases import SET_CASES
from tests.unit.chart.test_loader import _all_charts
from tests.unit.chart.test_strvals import _options, walk

pytestmark = pytest.mark.interop


def _ours_v3(args: list[str]) -> dict[str, Any]:
    try:
        values = merge_user_values(
            _options(args), lambda p: (REPO_ROOT / p).read_bytes(), helm_major=3
        )
    except ValuesError as exc:
        return {"args": args, "error": str(exc)}
    return {"args": args, "walk": walk(values)}


def test_value_flags_match_helm_v3() -> None:
    assert HELM_V3.exists(), f"helm v3 binary missing at {HELM_V3}"
    for args in SET_CASES + random_set_args(7, 20):
        assert _ours_v3(args) == run_helm_set(args, HELM_V3)


@pytest.mark.parametrize("name", sorted(CASES))
def test_loader_matches_helm_v3(name: str) -> None:
    assert HELM_V3.exists(), f"helm v3 binary missing at {HELM_V3}"
    case = CASES[name]
    seen = run_case(case, HELM_V3)
    with tempfile.TemporaryDirectory() as tmp:
        chart_dir = Path(tmp) / "chart"
        write_chart(chart_dir, case["files"])
        target = chart_dir
        if case.get("packed"):
            target = Path(tmp) / "chart.tgz"
            target.write_bytes(pack("chart", case["files"]))
        try:
            chart = load(target, helm_major=3)
        except ChartError as exc:
            assert {"error": str(exc).replace(tmp, "<tmp>")} == seen
            return
    assert "charts" in seen, seen
    ours = {path: sorted(f.name for f in c.files) for path, c in _all_charts(chart).items()}
    assert ours == {path: v["files"] for path, v in seen["charts"].items()}
    root_view = next(v for v in seen["charts"].values() if v["chart"]["IsRoot"])
    if not chart.dependencies:
        assert (chart.values or {}) == root_view["values"]
