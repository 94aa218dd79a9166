"""Renders the templates in parity_cases.py and compares with what real Helm printed."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from steersman.gotemplate import TemplateError, TemplateParseError, TemplateSet

from .helm_like import FUNCS, Capabilities, Files
from .parity_cases import CASES

NAME = "c/templates/NOTES.txt"


def _go_values(v: Any) -> Any:
    """values.yaml as Helm sees it: every number is a float64."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, int | float):
        return float(v)
    if isinstance(v, list):
        return [_go_values(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _go_values(x) for k, x in v.items()}
    raise TypeError(v)


def render_like_helm(template: str, values: str | None, funcs: bool) -> str:
    data = {
        "Values": _go_values(yaml.safe_load(values) or {}) if values else {},
        "Release": {
            "Name": "x",
            "Namespace": "default",
            "IsInstall": True,
            "IsUpgrade": False,
            "Revision": 1,
            "Service": "Helm",
        },
        "Template": {"Name": NAME, "BasePath": "c/templates"},
        "Capabilities": Capabilities(),
        "Files": Files(),
    }
    ts = TemplateSet(FUNCS if funcs else None)
    try:
        ts.parse(NAME, template)
        return "OK " + ts.execute(NAME, data).replace("<no value>", "")
    except TemplateParseError as e:
        # Helm's cleanupParseError keeps the location and the last ": "-separated part.
        parts = str(e).split(": ")
        return f"Error: parse error at ({parts[1]}): {parts[-1]}"
    except TemplateError as e:
        return f"Error: {e}"


@pytest.mark.parametrize(("group", "template", "values", "expected"), CASES)
def test_matches_helm(group: str, template: str, values: str | None, expected: str) -> None:
    assert render_like_helm(template, values, funcs=group == "funcs") == expected
