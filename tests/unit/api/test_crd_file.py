"""The checked-in CRD is what the models generate; regenerate it when this fails:

.venv/bin/python -m steersman.api.crd > crds/helm.steersman.dev_helmreleases.yaml
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from steersman.api import names
from steersman.api.crd import CRD_FILE, render_crd, render_crd_yaml
from steersman.cli import main

CHECKED_IN = Path(__file__).resolve().parents[3] / "crds" / CRD_FILE


def test_checked_in_crd_is_up_to_date() -> None:
    assert CHECKED_IN.read_text() == render_crd_yaml(), (
        f"{CHECKED_IN} is stale: run `python -m steersman.api.crd > crds/{CRD_FILE}`"
    )


def test_rendering_is_deterministic_and_parses_back() -> None:
    text = render_crd_yaml()
    assert text == render_crd_yaml()
    assert "&id" not in text and "*id" not in text  # no YAML anchors
    assert yaml.safe_load(text) == render_crd()


def test_module_and_cli_print_the_same_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "steersman.api.crd"], capture_output=True, text=True, check=True
    ).stdout
    assert out == render_crd_yaml()
    assert main(["crd"]) == 0
    assert capsys.readouterr().out == out


def test_names_block() -> None:
    crd = render_crd()
    assert crd["metadata"]["name"] == "helmreleases.helm.steersman.dev"
    spec = crd["spec"]
    assert spec["group"] == names.GROUP and spec["scope"] == "Namespaced"
    assert spec["names"] == {
        "kind": "HelmRelease",
        "listKind": "HelmReleaseList",
        "plural": "helmreleases",
        "singular": "helmrelease",
        "shortNames": ["hr"],
        "categories": ["all"],
    }
    (version,) = spec["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    assert version["subresources"] == {"status": {}}
    columns = [c["name"] for c in version["additionalPrinterColumns"]]
    assert columns == ["Chart", "Version", "Revision", "Storage", "Ready", "Status", "Age"]
