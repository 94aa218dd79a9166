"""The Go-template corpus fixtures are Go's output: re-run cases through helm v4 and compare.

Running all ~1470 cases takes 70-180 s on 2 cores (two helm processes per error case), so by
default a fixed fifth of them (every fifth case in file order) is checked; set
STEERSMAN_CORPUS_FULL=1 to check all. Regenerate with `.venv/bin/python -m hack.gen_template_cases`.
"""

from __future__ import annotations

import os
from typing import Any

import pytest

from hack.gen_template_cases import RESULT_KEYS, case_files, load_file, run_all
from hack.template_oracle import OracleError
from hack.testenv.parts import HELM_V4

pytestmark = [pytest.mark.interop, pytest.mark.slow]


def stored_cases() -> list[dict[str, Any]]:
    return [case for path in case_files() for case in load_file(path)["cases"]]


def test_fixtures_equal_helm_v4_output() -> None:
    if not HELM_V4.exists():
        if os.environ.get("STEERSMAN_NO_HELM") == "1":
            pytest.skip("STEERSMAN_NO_HELM=1: helm v4 deliberately absent")
        pytest.fail(f"helm v4 not found at {HELM_V4}; run `make provision`")
    cases = stored_cases()
    if os.environ.get("STEERSMAN_CORPUS_FULL") != "1":
        cases = cases[::5]
    assert len(cases) >= 250
    diffs = []
    for case, result in zip(cases, run_all(cases), strict=True):
        if isinstance(result, OracleError):
            diffs.append(f"{case['name']}: oracle problem: {result}")
            continue
        stored = {k: case.get(k) for k in RESULT_KEYS}
        fresh = {k: getattr(result, k) for k in RESULT_KEYS}
        if stored != fresh:
            diffs.append(f"{case['name']}: stored {stored!r} != helm {fresh!r}")
    assert diffs == []
