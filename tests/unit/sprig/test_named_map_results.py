"""set/unset/merge* given a named map (Helm's common.Values) return it typed as their
map[string]interface {} result, still the same map: changes through either name show in
both. Expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from hack.testkit.templates import NO_VALUE, HelmValues, render


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{{ set .Values "k" 1 | typeOf }} {{ unset .Values "k" | typeOf }}'
            " {{ .Values | typeOf }}",
            "map[string]interface {} map[string]interface {} common.Values",
        ),
        (
            '{{ merge .Values (dict "z" 1) | typeOf }} {{ mustMerge .Values (dict) | typeOf }}'
            ' {{ mergeOverwrite .Values (dict "x" 1) | typeOf }} {{ .Values.z }}',
            "map[string]interface {} map[string]interface {} map[string]interface {} 1",
        ),
        (
            '{{ $m := set $ "k" 1 }}{{ typeOf $m }} {{ typeOf $ }} {{ $m.Values.s }} {{ $.k }}',
            "map[string]interface {} common.Values str 1",
        ),
        # Both names keep seeing one map.
        (
            '{{ $m := merge .Values (dict "z" 1) }}{{ $_ := set $m "q" 2 }}{{ .Values.q }} '
            '{{ $_ := unset .Values "q" }}{{ $m.q }} {{ $m.z }}',
            "2  1",
        ),
        (
            '{{ $m := set .Values "k" 1 }}{{ $_ := mergeOverwrite (dict "v" .Values)'
            ' (dict "v" (dict "nv" 3)) }}{{ $m.nv }} {{ .Values.nv }}'
            " {{ len $m }} {{ len .Values }}",
            "3 3 4 4",
        ),
        (
            '{{ $m := set .Values "k" 1 }}{{ $_ := set $m.m "n" 2 }}{{ .Values.m.n }}'
            " {{ $m.m | typeOf }}",
            "2 map[string]interface {}",
        ),
        # Reflection sees the unnamed type: DeepEqual against the named map is false.
        (
            '{{ $m := set .Values "k" 1 }}{{ deepEqual $m .Values }}'
            " {{ deepEqual (deepCopy $m) $m }} {{ deepCopy $m | typeOf }}"
            ' {{ dig "k" 0 $m }} {{ kindOf $m }}',
            "false true map[string]interface {} 1 map",
        ),
        ('{{ $m := set .Values "k" 1 }}{{ printf "%T" $m }}', "map[string]interface {}"),
    ],
)
def test_named_map_results_match_helm(template: str, expected: str) -> None:
    values = HelmValues({"s": "str", "m": {"k": "v"}})
    got = render(template, HelmValues({"Values": values}))
    assert got.replace(NO_VALUE, "") == expected
