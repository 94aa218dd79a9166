"""The chart stored on our records equals what helm v4 stores, for every conformance chart
(and the `helm create` chart): helm's client-side dry run prints the release it would store."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from steersman.chart.loader import load
from steersman.engine.records import stored_chart
from tests.integration.storage.helmcli import Helm

pytestmark = [pytest.mark.integration, pytest.mark.interop]

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance" / "charts"


def _normal(value: Any) -> Any:
    """Drop what differs only in spelling: the chart loader keeps file times to the
    microsecond (helm to the nanosecond), and JSON numbers are float64 to Go either way
    (helm prints 12345678901234567000 where Python prints 1.2345678901234567e+19)."""
    if isinstance(value, dict):
        return {
            k: v.partition(".")[0].rstrip("Z") + "Z"
            if k in ("modtime", "schemamodtime")
            else _normal(v)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


async def helm_record(helm: Helm, chart_dir: Path) -> dict[str, Any] | None:
    code, out, _ = await helm.run(
        "install", "x", str(chart_dir), "--dry-run=client", "-o", "json", check=False
    )
    return dict(json.loads(out)) if code == 0 else None


async def test_stored_chart_matches_helm_v4(
    helm_v4: Path, helm_env: dict[str, str], tmp_path: Path
) -> None:
    helm = Helm(helm_v4, helm_env, "default")
    await helm.run("create", str(tmp_path / "web"))
    dirs = [
        tmp_path / "web",
        *sorted(d for d in CONFORMANCE.iterdir() if (d / "Chart.yaml").exists()),
    ]
    compared = []
    for chart_dir in dirs:
        rel = await helm_record(helm, chart_dir)
        if rel is None:
            continue  # charts whose rendering fails on purpose
        stored = stored_chart(load(chart_dir), rel.get("config") or {})
        ours = json.loads(json.dumps(stored.to_json()))
        assert _normal(ours) == _normal(rel["chart"]), chart_dir.name
        compared.append(chart_dir.name)
    assert len(compared) >= 20, compared
