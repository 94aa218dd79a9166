"""chart.valuesFiles: files inside the chart merged in order replace its default values."""

from __future__ import annotations

from pathlib import Path

import pytest

from steersman.chart import ChartError, load
from steersman.chart.sources import apply_values_files


@pytest.fixture
def chart_dir(tmp_path: Path) -> Path:
    d = tmp_path / "app"
    (d / "templates").mkdir(parents=True)
    (d / "Chart.yaml").write_text("apiVersion: v2\nname: app\nversion: 1.2.3+orig\n")
    (d / "values.yaml").write_text("a: 1\nnested: {x: 1, w: 1}\nlist: [1, 2]\n")
    (d / "values-prod.yaml").write_text("nested: {w: 2, z: 2}\nlist: [3]\nprod: true\n")
    (d / "env").mkdir()
    (d / "env" / "eu.yaml").write_text("nested: {z: 3}\nregion: eu\n")
    (d / "templates" / "cm.yaml").write_text("kind: ConfigMap\n")
    return d


def test_merged_in_order_over_values_yaml(chart_dir: Path) -> None:
    chart = load(chart_dir)
    out = apply_values_files(chart, ["values.yaml", "values-prod.yaml", "./env/eu.yaml"])
    assert out.values == {
        "a": 1,
        "nested": {"x": 1, "w": 2, "z": 3},
        "list": [3],
        "prod": True,
        "region": "eu",
    }
    assert out.metadata.version.startswith("1.2.3+") and out.metadata.version != "1.2.3+orig"
    assert chart.values == {"a": 1, "nested": {"x": 1, "w": 1}, "list": [1, 2]}  # untouched
    assert chart.metadata.version == "1.2.3+orig"


def test_values_yaml_is_not_included_unless_listed(chart_dir: Path) -> None:
    out = apply_values_files(load(chart_dir), ["env/eu.yaml"])
    assert out.values == {"nested": {"z": 3}, "region": "eu"}


def test_version_mark_follows_the_files_and_their_content(chart_dir: Path) -> None:
    chart = load(chart_dir)
    one = apply_values_files(chart, ["values-prod.yaml"]).metadata.version
    assert apply_values_files(chart, ["values-prod.yaml"]).metadata.version == one
    assert apply_values_files(chart, ["env/eu.yaml"]).metadata.version != one
    (chart_dir / "values-prod.yaml").write_text("prod: false\n")
    assert apply_values_files(load(chart_dir), ["values-prod.yaml"]).metadata.version != one
    assert apply_values_files(chart, []) is chart


def test_missing_and_invalid_files(chart_dir: Path) -> None:
    chart = load(chart_dir)
    with pytest.raises(ChartError, match=r"no values file found at path 'nope\.yaml'"):
        apply_values_files(chart, ["nope.yaml"])
    out = apply_values_files(chart, ["nope.yaml", "env/eu.yaml"], ignore_missing=True)
    assert out.values == {"nested": {"z": 3}, "region": "eu"}
    (chart_dir / "bad.yaml").write_text("- a list\n")
    with pytest.raises(ChartError, match=r"unmarshaling values from 'bad\.yaml' failed"):
        apply_values_files(load(chart_dir), ["bad.yaml"])
