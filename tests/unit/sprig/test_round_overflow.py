"""round when 10**places overflows float64 (Go's math.Pow gives +Inf, Modf(±Inf) a NaN
fraction). Expected text is a real helm v4.1.4 render."""

from __future__ import annotations

from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs


def test_round_with_huge_places_matches_helm() -> None:
    ts = TemplateSet(sprig_funcs())
    ts.parse(
        "t",
        "{{ round 1e6 1e6 }} {{ round 0 400 }} {{ round -3 400 }} {{ round 1e300 10 }}"
        " {{ round 1e300 10 -1 }} {{ round -1e300 10 -1 }} {{ round 5 -400 }} {{ round 0 -400 }}"
        ' {{ round 2.5 0 0 }} {{ round 1e308 308 }} {{ round (float64 "Inf") 0 -1 }}',
    )
    assert ts.execute("t", {}) == "NaN NaN NaN +Inf +Inf -Inf NaN NaN 3 +Inf +Inf"
