"""Sprig functions executed by our text/template engine, on values typed the way Helm loads
values.yaml (every number a float64). Expected outputs are real helm v4.1.4 renders of the
same templates and values."""

from __future__ import annotations

from typing import Any

import pytest

from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs


def values() -> dict[str, Any]:
    # replicaCount: 3, image: {repository: nginx, tag: ""}, labels: {b: "2", a: "1"},
    # big: 1000000, ratio: 0.5, list: [c, a, b], nested: {x: {y: 1}} (YAML 1.1: y is true)
    return {
        "replicaCount": 3.0,
        "image": {"repository": "nginx", "tag": ""},
        "labels": {"b": "2", "a": "1"},
        "big": 1000000.0,
        "ratio": 0.5,
        "list": ["c", "a", "b"],
        "nested": {"x": {"true": 1.0}},
    }


CASES = [
    (
        '{{ $d := dict "k" 1 }}{{ $_ := set $d "j" 2 }}{{ $_ := unset $d "k" }}{{ $d | toJson }}',
        '{"j":2}',
    ),
    (
        '{{ $m := merge (dict "image" (dict "tag" "1.0")) .Values }}{{ .Values.image.tag }}|'
        "{{ $m.image.repository }}|{{ toJson .Values.image }}",
        '|nginx|{"repository":"nginx","tag":""}',
    ),
    (
        '{{ $_ := mergeOverwrite .Values.nested (dict "x" (dict "z" 2)) }}'
        "{{ toJson .Values.nested }} {{ .Values.nested | deepCopy | toJson }}",
        '{"x":{"true":1,"z":2}} {"x":{"true":1,"z":2}}',
    ),
    ('{{ keys .Values.labels | sortAlpha | join "," }}', "a,b"),
    ('{{ .Values.image.tag | default "latest" | quote }}', '"latest"'),
    (
        '{{ "foo-bar_baz" | regexReplaceAll "[-_]" "." }}|'
        '{{ regexReplaceAll "[-_]" "foo-bar" "." }}',
        ".|foo.bar",
    ),
    (
        "{{ .Values.big | int64 }} {{ .Values.big }} {{ add .Values.replicaCount 1 }}"
        " {{ mul .Values.ratio 4 }} {{ mulf .Values.ratio 4 }}",
        "1000000 1e+06 4 0 2",
    ),
    (
        '{{ list 1 "a" nil | toJson }} {{ .Values.list | sortAlpha | toJson }}'
        " {{ .Values.list | toStrings | typeOf }}",
        '[1,"a",null] ["a","b","c"] []string',
    ),
    ('{{ (eq .Values.replicaCount 3.0) | ternary "three" "other" }}', "three"),
    ("{{ range $i, $v := until 3 }}{{ $i }}{{ $v }} {{ end }}", "00 11 22 "),
    ('{{ dig "x" "y" "none" .Values.nested }}', "none"),
    ('{{ printf "%s-%d" "a" (len .Values.list) | trunc 63 | trimSuffix "-" }}', "a-3"),
    (
        '{{ hasKey .Values "image" }} {{ empty .Values.image.tag }}'
        ' {{ coalesce .Values.image.tag .Values.missing "x" }}',
        "true true x",
    ),
    ('{{ pluck "tag" .Values.image (dict "tag" "z") | first }}', ""),
]


# mergo rules: empty destinations, nil and empty sources, type clashes, sub-map sharing.
MERGE_CASES = [
    (
        '{{ $src := dict "a" (dict "b" 1) }}'
        "{{ $dst := dict }}"
        "{{ $_ := merge $dst $src }}"
        '{{ $_ := set $dst.a "c" 2 }}'
        "{{ toJson $src }}",
        '{"a":{"b":1,"c":2}}',
    ),
    (
        '{{ $src := dict "a" (dict "b" 1) }}'
        '{{ $dst := dict "a" (dict) }}'
        "{{ $_ := merge $dst $src }}"
        '{{ $_ := set $dst.a "c" 2 }}'
        "{{ toJson $src }}",
        '{"a":{"b":1}}',
    ),
    (
        '{{ $src := dict "a" (dict "b" 1) }}'
        '{{ $dst := dict "a" (dict "x" 0) }}'
        "{{ $_ := merge $dst $src }}"
        '{{ $_ := set $dst.a "c" 2 }}'
        "{{ toJson $src }}"
        " {{ toJson $dst }}",
        '{"a":{"b":1}} {"a":{"b":1,"c":2,"x":0}}',
    ),
    (
        '{{ toJson (merge (dict "a" nil "b" 0 "c" "" "d" false "e" (list))'
        ' (dict "a" 1 "b" 2 "c" "x" "d" true "e" (list 1))) }}',
        '{"a":1,"b":2,"c":"x","d":true,"e":[1]}',
    ),
    (
        '{{ toJson (mergeOverwrite (dict "a" 1 "b" 2 "c" (list 1))'
        ' (dict "a" nil "b" "" "c" (list))) }}',
        '{"a":null,"b":"","c":[]}',
    ),
    ('{{ toJson (merge (dict "a" (dict "x" 1)) (dict "a" "str")) }}', '{"a":{"x":1}}'),
    ('{{ toJson (mergeOverwrite (dict "a" (dict "x" 1)) (dict "a" "str")) }}', '{"a":"str"}'),
    ('{{ toJson (mergeOverwrite (dict "a" "str") (dict "a" (dict "x" 1))) }}', '{"a":{"x":1}}'),
    ('{{ toJson (merge (dict "a" (list 1)) (dict "a" (dict "x" 1))) }}', '{"a":[1]}'),
    ('{{ toJson (merge (dict) (dict "a" 1) (dict "a" 2 "b" 3)) }}', '{"a":1,"b":3}'),
    ('{{ toJson (mergeOverwrite (dict) (dict "a" 1) (dict "a" 2 "b" 3)) }}', '{"a":2,"b":3}'),
    ('{{ toJson (merge (dict "l" (list)) (dict "l" (list 1 2))) }}', '{"l":[1,2]}'),
    ('{{ toJson (merge (dict "x" 1) (dict "l" (list 1 2))) }}', '{"l":[1,2],"x":1}'),
    ('{{ toJson (merge (dict "x" 1 "l" "s") (dict "l" (list 1 2))) }}', '{"l":"s","x":1}'),
    (
        '{{ toJson (mergeOverwrite (dict "a" (dict "b" (dict "c" 1 "d" 2)))'
        ' (dict "a" (dict "b" (dict "c" 9)))) }}',
        '{"a":{"b":{"c":9,"d":2}}}',
    ),
    (
        '{{ toJson (merge (dict "a" (dict)) (dict "a" (dict "q" (dict "r" 1)))) }}',
        '{"a":{"q":{"r":1}}}',
    ),
    ('{{ toJson (merge (dict "a" 0.0) (dict "a" 5)) }}', '{"a":5}'),
    ('{{ toJson (mergeOverwrite (dict "a" (dict)) (dict "a" (dict))) }}', '{"a":{}}'),
    ('{{ toJson (merge (dict "a" 1) (dict "a" (dict "b" 1))) }}', '{"a":1}'),
]


@pytest.mark.parametrize(
    ("template", "expected"), CASES + MERGE_CASES, ids=[c[0][:60] for c in CASES + MERGE_CASES]
)
def test_render_matches_helm(template: str, expected: str) -> None:
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", template)
    assert ts.execute("t", {"Values": values()}).replace("<no value>", "") == expected


def test_wrong_argument_type_is_rejected_by_the_go_signature() -> None:
    # trunc takes an int: a float64 from values.yaml is a type error in Go.
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", "{{ trunc .Values.ratio .Values.image.repository }}")
    with pytest.raises(Exception, match="wrong type for value; expected int; got float64"):
        ts.execute("t", {"Values": values()})


def test_url_join_rejects_invalid_userinfo_like_go() -> None:
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", '{{ urlJoin (dict "userinfo" "a b:c@d" "host" "h") }}')
    with pytest.raises(Exception) as err:
        ts.execute("t", {})
    assert str(err.value).endswith(
        'error calling urlJoin: unable to parse userinfo in dict: parse "proto://a b:c@d@host":'
        " net/url: invalid userinfo"
    )
