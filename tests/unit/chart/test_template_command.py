"""`steersman template` through the real CLI entry point (main): output, errors, exit codes.
Parity with helm's bytes is tests/conformance; this checks the wiring of main()."""

from __future__ import annotations

from pathlib import Path

import pytest

from steersman.cli import main

CHARTS = Path(__file__).resolve().parents[2] / "conformance" / "charts"


def test_template_prints_manifests(capsys: pytest.CaptureFixture[str]) -> None:
    chart = CHARTS / "basic"
    assert main(["template", "web", str(chart), "-n", "prod", "--set", "replicaCount=3"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("---\n# Source: basic/templates/configmap.yaml\n")
    assert "name: web-basic\n" in out
    assert "replicas: 3\n" in out


def test_template_errors_go_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", "x", "./no-such-chart"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == 'Error: path "./no-such-chart" not found\n'

    values = CHARTS / "errors" / "ci" / "fail.yaml"
    assert main(["template", str(CHARTS / "errors"), "-f", str(values)]) == 1
    assert capsys.readouterr().err == (
        "Error: execution error at (errors/templates/cm.yaml:11:8): failing for x\n\n"
        "Use --debug flag to render out invalid YAML\n"
    )


def test_show_only_missing_template(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["template", str(CHARTS / "basic"), "-s", "templates/nope.yaml"]) == 1
    assert (
        capsys.readouterr().err == "Error: could not find template templates/nope.yaml in chart\n"
    )


def test_namespace_defaults_to_the_kubeconfig_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "kubeconfig"
    config.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: dev\n"
        "contexts:\n- name: other\n  context: {namespace: wrong}\n"
        "- name: dev\n  context: {cluster: c, namespace: team-a}\n"
    )
    monkeypatch.delenv("HELM_NAMESPACE", raising=False)
    monkeypatch.setenv("KUBECONFIG", str(config))
    assert main(["template", str(CHARTS / "release")]) == 0
    assert "  namespace: team-a\n" in capsys.readouterr().out
    monkeypatch.setenv("HELM_NAMESPACE", "from-env")
    assert main(["template", str(CHARTS / "release")]) == 0
    assert "  namespace: from-env\n" in capsys.readouterr().out
