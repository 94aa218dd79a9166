"""Rendering one template with the template language and Sprig, no Helm: the helper the Sprig
unit tests share (Helm's rendering has its own, `steersman.chart.render_release`)."""

from __future__ import annotations

from typing import Any

from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs


def render(template: str, data: Any = None) -> str:
    """`template` parsed as "t" and executed on `data` (an empty map by default)."""
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", template)
    return ts.execute("t", {} if data is None else data)
