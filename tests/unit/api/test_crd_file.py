"""Every checked-in copy of the CRD (crds/, manifests/base/crds/, the chart's crds/) is what the
models generate; regenerate them all when this fails:

.venv/bin/python -m hack.gen_crds
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from hack import gen_crds
from steersman.api import names
from steersman.api.crd import CRD_FILE, render_crd, render_crd_yaml
from steersman.cli import main

ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("path", gen_crds.CRD_COPIES, ids=lambda p: str(p.relative_to(ROOT)))
def test_checked_in_crd_is_up_to_date(path: Path) -> None:
    assert path.read_text() == render_crd_yaml(), (
        f"{path.relative_to(ROOT)} is stale: run `python -m hack.gen_crds`"
    )


def test_every_copy_is_known_to_the_generator() -> None:
    # A new copy somewhere in the tree that the generator does not write would silently go stale.
    found = {p for p in ROOT.glob(f"**/{CRD_FILE}") if ".venv" not in p.parts}
    assert found == set(gen_crds.CRD_COPIES)


def test_check_mode_names_a_stale_copy(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / CRD_FILE
    stale.write_text("# old\n")
    monkeypatch.setattr(gen_crds, "ROOT", tmp_path)
    monkeypatch.setattr(gen_crds, "CRD_COPIES", (stale,))
    assert gen_crds.main(["--check"]) == 1
    assert f"{CRD_FILE} is stale: run `python -m hack.gen_crds`" in capsys.readouterr().out
    assert gen_crds.main([]) == 0
    assert gen_crds.main(["--check"]) == 0
    assert stale.read_text() == render_crd_yaml()


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
        "shortNames": ["hr", "shr"],
        "categories": ["all", "steersman"],
    }
    (version,) = spec["versions"]
    assert (version["name"], version["served"], version["storage"]) == ("v1alpha1", True, True)
    assert version["subresources"] == {"status": {}}
    columns = [c["name"] for c in version["additionalPrinterColumns"]]
    assert columns == [
        "Chart",
        "Version",
        "Revision",
        "App Version",
        "Ready",
        "Status",
        "Suspended",
        "Age",
        "Storage",
    ]
