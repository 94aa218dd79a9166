"""The chart loader against what helm v4's loader made of the same charts (recorded corpus)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from hack.testenv.parts import HELM_V4
from steersman.chart.loader import load
from steersman.chart.model import Chart, ChartError, Metadata
from tests.unit.chart.chart_cases import CASES
from tests.unit.chart.helm_chart_oracle import CORPUS, pack, run_case, write_chart

RECORDED: dict[str, Any] = json.loads(CORPUS.read_text())


def _helm_view(md: Metadata, is_root: bool) -> dict[str, Any]:
    """Our metadata in the shape `toJson .Chart` has in a helm v4 template (Go field names)."""
    return {
        "APIVersion": md.api_version,
        "Annotations": md.annotations or None,
        "AppVersion": md.app_version,
        "Condition": md.condition,
        "Dependencies": [
            {
                "Alias": d.alias,
                "Condition": d.condition,
                "ImportValues": d.import_values,
                "Name": d.name,
                "Repository": d.repository,
                "Tags": d.tags,
                "Version": d.version,
            }
            for d in md.dependencies
            if d is not None
        ],
        "Deprecated": md.deprecated,
        "Description": md.description,
        "Home": md.home,
        "Icon": md.icon,
        "IsRoot": is_root,
        "Keywords": md.keywords,
        "KubeVersion": md.kube_version,
        "Maintainers": [
            {"Email": m.email, "Name": m.name, "URL": m.url} for m in md.maintainers if m
        ],
        "Name": md.name,
        "Sources": md.sources,
        "Tags": md.tags,
        "Type": md.type,
        "Version": md.version,
    }


def _all_charts(chart: Chart) -> dict[str, Chart]:
    out = {chart.chart_full_path() + "/templates": chart}
    for sub in chart.dependencies:
        out.update(_all_charts(sub))
    return out


def _load_case(tmp_path: Path, case: dict[str, Any]) -> Chart:
    chart_dir = tmp_path / "chart"
    write_chart(chart_dir, case["files"])
    if case.get("packed"):
        archive = tmp_path / "chart.tgz"
        archive.write_bytes(pack("chart", case["files"]))
        return load(archive)
    return load(chart_dir)


def _compare(name: str, tmp_path: Path, expected: dict[str, Any]) -> None:
    case = CASES[name]
    if "error" in expected:
        with pytest.raises(ChartError) as info:
            _load_case(tmp_path, case)
        assert str(info.value).replace(str(tmp_path), "<tmp>") == expected["error"]
        return
    chart = _load_case(tmp_path, case)
    ours = _all_charts(chart)
    assert sorted(ours) == sorted(expected["charts"])
    for path, seen in expected["charts"].items():
        sub = ours[path]
        view = seen["chart"]
        for dep in view["Dependencies"]:
            dep.pop("Enabled")  # set by dependency processing, not by the loader
        assert _helm_view(sub.metadata, sub.is_root()) == view
        assert sorted(f.name for f in sub.files) == seen["files"]
        if not sub.dependencies and sub.is_root():
            assert (sub.values or {}) == seen["values"]


@pytest.mark.parametrize("name", sorted(RECORDED))
def test_loader_matches_helm(name: str, tmp_path: Path) -> None:
    _compare(name, tmp_path, RECORDED[name])


def test_every_case_is_recorded() -> None:
    assert sorted(RECORDED) == sorted(CASES)


@pytest.mark.interop
@pytest.mark.parametrize("name", ["basic", "subcharts", "err_bad_values", "packed_root"])
def test_recording_matches_live_helm(name: str) -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    assert run_case(CASES[name]) == RECORDED[name]


@pytest.mark.interop
def test_helm_create_chart_loads_like_helm(tmp_path: Path) -> None:
    """The chart `helm create` writes, generated now by the real binary, with our probe added."""
    import subprocess

    from tests.unit.chart.chart_cases import PROBE, PROBE_NAME
    from tests.unit.chart.helm_chart_oracle import run_helm

    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    subprocess.run(
        [str(HELM_V4), "create", "mychart"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    chart_dir = tmp_path / "mychart"
    (chart_dir / PROBE_NAME).write_text(PROBE)
    expected = run_helm(chart_dir, "./mychart")
    chart = load(chart_dir)
    view = expected["charts"]["mychart/templates"]
    assert _helm_view(chart.metadata, True) == view["chart"]
    assert sorted(f.name for f in chart.files) == view["files"]
    assert chart.values == view["values"]
    assert [t.name for t in chart.templates] == sorted(t.name for t in chart.templates)
    assert "templates/tests/test-connection.yaml" in [t.name for t in chart.templates]


@pytest.mark.interop
@pytest.mark.parametrize("seed", range(40, 55))
def test_random_helmignore_matches_live_helm(seed: int, tmp_path: Path) -> None:
    """Random file trees and .helmignore patterns (Go filepath.Match syntax, bad patterns)."""
    from tests.unit.chart.chart_cases import PROBE, PROBE_NAME
    from tests.unit.chart.fuzz_values import random_ignore_chart
    from tests.unit.chart.helm_chart_oracle import run_helm

    files = {**random_ignore_chart(seed), PROBE_NAME: PROBE}
    chart_dir = tmp_path / "chart"
    write_chart(chart_dir, files)
    seen = run_helm(chart_dir, "./chart")
    expected = seen if "error" in seen else {"files": seen["charts"]["ign/templates"]["files"]}
    try:
        ours: dict[str, Any] = {"files": sorted(f.name for f in load(chart_dir).files)}
    except ChartError as exc:
        ours = {"error": str(exc)}
    assert ours == expected


@pytest.mark.interop
@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("short.tgz", b"hello\n"),
        ("long.tgz", b"text line\n" * 80),
        ("zip.tgz", b"PK\x03\x04rest"),
        ("page.tgz", b"  <html><body>x</body></html>" + b" " * 600),
        ("values.yaml", b"a: 1\n"),
    ],
)
def test_not_an_archive_errors_match_helm(name: str, content: bytes, tmp_path: Path) -> None:
    """A packaged-chart path that is not gzip: helm names the content type it sniffed."""
    import subprocess

    path = tmp_path / name
    path.write_bytes(content)
    proc = subprocess.run(
        [str(HELM_V4), "template", "x", str(path)],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    with pytest.raises(ChartError) as info:
        load(path)
    assert f"Error: {info.value}" == proc.stderr.strip().splitlines()[-1]


@pytest.mark.interop
def test_symlinks_are_followed_and_broken_ones_fail_like_helm(tmp_path: Path) -> None:
    import subprocess

    from tests.unit.chart.chart_cases import PROBE, PROBE_NAME
    from tests.unit.chart.helm_chart_oracle import run_helm

    outside = tmp_path / "outside"
    (outside / "dir").mkdir(parents=True)
    (outside / "file.txt").write_text("hi\n")
    (outside / "dir" / "inner.txt").write_text("d\n")
    chart_dir = tmp_path / "chart"
    write_chart(chart_dir, {"Chart.yaml": "apiVersion: v2\nname: sl\nversion: 0.1.0\n"})
    (chart_dir / PROBE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (chart_dir / PROBE_NAME).write_text(PROBE)
    (chart_dir / "linked.txt").symlink_to(outside / "file.txt")
    (chart_dir / "linkeddir").symlink_to(outside / "dir")
    seen = run_helm(chart_dir, "./chart")
    assert sorted(f.name for f in load(chart_dir).files) == seen["charts"]["sl/templates"]["files"]

    (chart_dir / "broken").symlink_to(tmp_path / "missing" / "deeper")
    proc = subprocess.run(
        [str(HELM_V4), "template", "x", str(chart_dir)],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    with pytest.raises(ChartError) as info:
        load(chart_dir)
    assert f"Error: {info.value}" == proc.stderr.strip().splitlines()[-1]
