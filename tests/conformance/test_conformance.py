"""Byte-for-byte conformance of `steersman template` with the real `helm template`.

Every case (hack/testkit/conformance.py: each chart's ci/*.yaml, the extra flag sets in
cases.yaml and the `helm create` chart) is rendered by real helm v4.1.4 and by Steersman in
process through the CLI's own code path; stdout, the exit status and the `Error: ...` text must be
identical. The same cases run against helm v3.17.3 with Steersman in Helm 3 mode.

Known differences are listed below with the reason and run as strict xfails, so a fix shows up
as an unexpected pass.
"""

from __future__ import annotations

import pytest

from hack.testenv.parts import HELM_V4
from hack.testkit.conformance import HELM_V3, Case, compare, discover_cases, run_helm, run_ours

pytestmark = pytest.mark.interop

CASES = discover_cases()

KNOWN_V4: dict[str, str] = {}

_GO_123 = "helm v3.17.3 is built with Go 1.23"
KNOWN_V3: dict[str, str] = {
    "control-flow::default": f"{_GO_123}: text/template cannot range over an int",
    "control-flow::alt": f"{_GO_123}: text/template cannot range over an int",
    "errors::eqTypes": f"{_GO_123}: `eq` errors without naming the types",
    "errors::funcError": "helm v3 bundles an older Masterminds/semver (`Invalid Semantic Version`)",
    "schema::fail-type": "helm v3 validates with gojsonschema, whose messages differ",
    "schema::fail-maximum": "helm v3 validates with gojsonschema, whose messages differ",
    "schema::fail-required": "helm v3 validates with gojsonschema, whose messages differ",
    "schema::fail-enum": "helm v3 validates with gojsonschema, whose messages differ",
    "typed::bad-set": "helm v3 fails on an unterminated --set index; v4 (and Steersman) ignore it",
}


def _params(major: int, known: dict[str, str]) -> list[object]:
    return [
        pytest.param(c, id=c.id, marks=pytest.mark.xfail(reason=known[c.id], strict=True))
        if c.id in known
        else pytest.param(c, id=c.id)
        for c in CASES
    ]


def _check(case: Case, major: int) -> None:
    binary = HELM_V4 if major == 4 else HELM_V3
    if not binary.exists():
        pytest.fail(f"helm binary not found at {binary}; run `make provision`")
    helm = run_helm(case, major)
    ours = run_ours(case, major)
    problem = compare(ours, helm)
    if problem is not None and ours.stdout != helm.stdout:
        assert ours.stdout == helm.stdout, problem
    assert problem is None, problem


def test_corpus_size() -> None:
    charts = {c.chart for c in CASES}
    assert len(charts) >= 26, sorted(charts)
    assert len(CASES) >= 100
    assert len(set(c.id for c in CASES)) == len(CASES), "case ids must be unique"


@pytest.mark.parametrize("case", _params(4, KNOWN_V4))
def test_matches_helm_v4(case: Case) -> None:
    _check(case, 4)


@pytest.mark.parametrize("case", _params(3, KNOWN_V3))
def test_matches_helm_v3(case: Case) -> None:
    _check(case, 3)
