"""Rendering a Go template with our engine and Sprig, for tests and the corpus tools.

`render` is the one helper the template tests call. The corpus (tests/gotemplate_cases/, each
expectation written by the real helm v4 binary through hack/gen_template_cases.py) is run by
tests/unit/test_gotemplate_corpus.py, hack/template_corpus_digest.py and hack/template_fuzz.py.

A corpus case is parsed under Helm's name for it (`case/templates/NOTES.txt`) so error positions
and names match, and executed with `{"Values": <values>}` (both maps typed `common.Values`, as in
Helm v4), values converted the way Helm loads values.yaml (every number a float64).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from steersman.golang.types import GoNamedMap
from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs

CASES_DIR = Path(__file__).resolve().parents[2] / "tests" / "gotemplate_cases"
TEMPLATE_NAME = "case/templates/NOTES.txt"
NO_VALUE = "<no value>"


def render(
    template: str, data: Any = None, *, name: str = "t", rand: random.Random | None = None
) -> str:
    """Parse `template` as `name` with Sprig's functions and execute it on `data` (an empty map
    when None); raises TemplateError where Go would fail."""
    ts = TemplateSet(sprig_funcs(rand=rand))
    ts.parse(name, template)
    return ts.execute(name, {} if data is None else data)


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


def render_case(case: Case) -> str:
    """A corpus case with our engine (Sprig's rand seeded, so runs repeat)."""
    values = HelmValues(helm_values(case.values or {}))
    return render(
        case.template,
        HelmValues({"Values": values}),
        name=TEMPLATE_NAME,
        rand=random.Random(1),
    )
