"""A chart that leans on ~65 Sprig functions the way public charts do (bitnami-style helpers,
checksums, regex, semver, merge, dates, certificates) renders byte-for-byte like helm v4.

Random and time-dependent values only enter through lengths or prefixes, so both outputs are
deterministic.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hack.testenv.parts import HELM_V4
from steersman.cli import main

pytestmark = pytest.mark.interop
CHART = Path(__file__).resolve().parents[1] / "charts" / "sprig"


def test_sprig_heavy_chart_matches_helm_template(capsys: pytest.CaptureFixture[str]) -> None:
    if not HELM_V4.exists():
        if os.environ.get("STEERSMAN_NO_HELM") == "1":
            pytest.skip("STEERSMAN_NO_HELM=1: helm v4 deliberately absent")
        pytest.fail(f"helm v4 not found at {HELM_V4}; run `make provision`")
    helm = subprocess.run(
        [str(HELM_V4), "template", "rel", str(CHART)], capture_output=True, text=True, check=True
    )
    assert main(["template", "rel", str(CHART)]) == 0
    ours = capsys.readouterr().out
    assert "kind: ConfigMap" in helm.stdout
    assert ours == helm.stdout
