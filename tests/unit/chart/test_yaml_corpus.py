"""fromYaml -> toYaml / toJson over a recorded corpus of helm v4 outputs.

`data/yaml_cases.json` was produced by the real helm v4.1.4 binary (helm_yaml_oracle.py); the
interop test re-runs helm to check the recording is still what helm prints.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from hack.testenv.parts import HELM_V4
from steersman.golang.goyaml import from_yaml
from steersman.golang.jsonout import to_json
from steersman.golang.yamlout import to_yaml
from tests.unit.chart.fuzz_values import json_sources, yaml_sources
from tests.unit.chart.helm_yaml_oracle import CORPUS, load_case_inputs, run_helm_cases

CASES: list[dict[str, Any]] = json.loads(CORPUS.read_text())


def _ours(src: str) -> dict[str, Any]:
    m = from_yaml(src)
    return {
        "src": src,
        "toYaml": to_yaml(m),
        "toJson": to_json(m),
        "vToYaml": to_yaml(m["v"]) if "v" in m else None,
    }


@pytest.mark.parametrize("case", CASES, ids=[f"case{i}" for i in range(len(CASES))])
def test_matches_recorded_helm_output(case: dict[str, Any]) -> None:
    assert _ours(case["src"]) == case


def test_corpus_covers_every_input() -> None:
    assert [c["src"] for c in CASES] == load_case_inputs()


@pytest.mark.interop
def test_recording_matches_live_helm() -> None:
    assert HELM_V4.exists(), f"helm v4 binary missing at {HELM_V4}"
    live = run_helm_cases(load_case_inputs())
    assert live == CASES
    assert [_ours(c["src"]) for c in live] == live


@pytest.mark.interop
@pytest.mark.parametrize("seed", [11, 12])
def test_random_json_documents_match_live_helm(seed: int) -> None:
    """Random value trees (tricky strings, numbers, nesting) through fromYaml/toYaml/toJson."""
    live = run_helm_cases(json_sources(seed, 200))
    assert [_ours(c["src"]) for c in live] == live


@pytest.mark.interop
@pytest.mark.parametrize("seed", [21, 22])
def test_random_yaml_documents_match_live_helm(seed: int) -> None:
    """Random block YAML with YAML 1.1 scalars, tags and syntax errors, read as fromYaml."""
    live = run_helm_cases(yaml_sources(seed, 200))
    assert [_ours(c["src"]) for c in live] == live
