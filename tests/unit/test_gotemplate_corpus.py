"""The Go-template + Sprig conformance corpus: every case in tests/gotemplate_cases/ vs our engine.

Each expectation was produced by the real helm v4 binary (hack/gen_template_cases.py), so a case
passes only when our engine writes Go's bytes or raises Go's exact error text;
tests/interop/test_gotemplate_corpus_fixtures.py proves the fixtures are still helm's output.

The case template is parsed under Helm's name for it (`case/templates/NOTES.txt`) so error
positions and names match, and executed with `{"Values": <values>}` (both maps typed
`common.Values`, as in Helm v4), values converted the way Helm loads values.yaml (every number a
float64).
"""

from __future__ import annotations

import os
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from steersman.golang.types import GoNamedMap
from steersman.gotemplate import TemplateError, TemplateSet
from steersman.sprig import sprig_funcs

CASES_DIR = Path(__file__).resolve().parent.parent / "gotemplate_cases"
TEMPLATE_NAME = "case/templates/NOTES.txt"
NO_VALUE = "<no value>"


class HelmValues(GoNamedMap):
    """Helm v4's `common.Values`: the type of `.Values` and of the top-level context `$`."""

    go_type = "common.Values"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    template: str
    values: Any
    output: str | None
    raw_output: str | None
    error: str | None


def load_cases() -> list[Case]:
    cases: list[Case] = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for raw in doc["cases"]:
            cases.append(
                Case(
                    file=path.stem,
                    name=raw["name"],
                    template=raw["template"],
                    values=raw.get("values"),
                    output=raw.get("output"),
                    raw_output=raw.get("raw_output"),
                    error=raw.get("error"),
                )
            )
    return cases


CASES = load_cases()


def helm_values(value: Any) -> Any:
    """values.yaml -> Go: sigs.k8s.io/yaml goes through JSON, so every number becomes float64."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, list):
        return [helm_values(v) for v in value]
    if isinstance(value, dict):
        return {str(k): helm_values(v) for k, v in value.items()}
    raise TypeError(f"unsupported value in a case file: {value!r}")


def render(case: Case) -> str:
    """Parse and execute the case with our engine; raises TemplateError like Go would fail."""
    ts = TemplateSet(funcs=sprig_funcs(rand=random.Random(1)))
    ts.parse(TEMPLATE_NAME, case.template)
    values = HelmValues(helm_values(case.values or {}))
    return ts.execute(TEMPLATE_NAME, HelmValues({"Values": values}))


@pytest.fixture(autouse=True, scope="module")
def utc_local_time() -> Iterator[None]:
    """helm ran with TZ=UTC; `date`/`toDate` use the local zone, so run ours in UTC too."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_corpus_is_big_and_complete() -> None:
    names = [c.name for c in CASES]
    assert len(names) == len(set(names)), "case names must be unique"
    assert len(CASES) >= 600
    missing = [c.name for c in CASES if (c.output is None) == (c.error is None)]
    assert missing == [], f"cases without exactly one expectation (run the generator): {missing}"


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}::{c.name}" for c in CASES])
def test_case(case: Case) -> None:
    if case.error is not None:
        with pytest.raises(TemplateError) as caught:
            render(case)
        assert str(caught.value) == case.error
        return
    out = render(case)
    if case.raw_output is not None:
        assert out == case.raw_output  # Go's bytes before Helm drops "<no value>"
    assert out.replace(NO_VALUE, "") == case.output
