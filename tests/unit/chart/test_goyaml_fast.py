"""goyaml.unmarshal's one-pass event walk and its repeat cache against the reference decoder
(go-yaml's event-by-event decoder plus sigs.k8s.io/yaml's JSON round trip, itself held to helm
by test_yaml_corpus): same values with the same types, same errors, and the hand-over to the
reference for every document the walk does not model."""

from __future__ import annotations

import math
import random
from typing import Any

import pytest

from steersman.golang import goyaml
from tests.unit.chart.fuzz_values import json_sources, yaml_sources
from tests.unit.chart.helm_yaml_oracle import load_case_inputs


def _same(a: Any, b: Any) -> bool:
    """Equal with Go's types: 1.0 is not True, key order counts, NaN equals NaN."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def _outcome(decode: Any, src: str | bytes) -> tuple[str, Any]:
    try:
        return "value", decode(src)
    except goyaml.YAMLError as exc:
        return "error", str(exc)


def _check(src: str | bytes) -> None:
    goyaml._last = (None, None)
    kind, ours = _outcome(goyaml.unmarshal, src)
    ref_kind, ref = _outcome(goyaml.reference_unmarshal, src)
    assert kind == ref_kind and _same(ours, ref), (src, ours, ref)


def _fast(src: str) -> bool:
    return goyaml._fast_unmarshal(src.encode("utf-8")) is not goyaml._NOT_SURE


FAST = [
    "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\ndata:\n  k: v\n",
    "a: 1\nb: -2\nc: 3.5\nd: 0x1F\ne: 017\nf: 1_000\ng: 1e3\nh: .5\n",
    "a: yes\nb: On\nc: n\nd: ~\ne: null\nf:\ng: ''\nh: '1'\ni: \"true\"\n",
    "t: 2001-12-14\nu: 2001-12-14t21:59:43.10-05:00\n2002-01-01: k\n",
    "flow: {a: [1, 2, {b: c}], d: []}\nempty: {}\n",
    "- a\n- [b, c]\n- {d: e}\n",
    "# only a comment\n",
    "",
    "---\n",
    "--- |\n  text\n",
    "plain scalar",
    "'<<': quoted merge is a key\nv: <<\n",
    "a: 1\na: 2\nb: {x: 1, x: 2}\n",
    "\ufeffa: b\n",
    "a: b\r\nc:\r\n  - d\r\n",
    "a: |\n  ---\n  x\nb: >\n  folded\n  text\n",
    "a: 1\n---\nb: [\n",  # only the first document is read, as go-yaml does
    "cel: self.all(key, !key.contains('*')) && x != y\nstar: '*'\namp: a&b\n",
    "big: 18446744073709551615\nneg: -9223372036854775808\n",
    "k: v # comment\n# comment\nl: w\n",
]

REFERENCE = [
    "a: &x 1\nb: *x\n",
    "a: &x [1]\nb: &x [2]\nc: *x\n",
    "&a [*a]",
    "a: *nope",
    "base: &b {x: 1}\nd:\n  <<: *b\n  y: 2\n",
    "<<: {kind: X}",
    "merge_bad:\n  <<: 1\n",
    "a: ! y\n",
    "a: !<!> y\n",
    "a: !!str 1\n",
    "a: !!binary aGVsbG8=\n",
    "a: !custom x\n",
    "1: a\n",
    "on: x\n",
    "~: x\n",
    ": x\n",
    "? [a]\n: b\n",
    "? {a: b}\n: c\n",
    "a: .nan\n",
    "a: -.inf\n",
    "a: [",
    "a: b: c",
    "a:\n\t- b\n",
    "a: \x01\n",
    "- ]",
]


@pytest.mark.parametrize("src", FAST)
def test_walk_decodes_what_the_reference_decodes(src: str) -> None:
    assert _fast(src), "expected the one-pass walk to take this document"
    _check(src)


@pytest.mark.parametrize("src", REFERENCE)
def test_unmodelled_documents_go_to_the_reference(src: str) -> None:
    assert not _fast(src), "expected the hand-over to the reference decoder"
    _check(src)


def test_alias_bomb_is_refused_as_go_yaml_refuses_it() -> None:
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    src = "\n".join(lines) + "\n"
    assert not _fast(src)
    with pytest.raises(goyaml.YAMLError, match="excessive aliasing"):
        goyaml.unmarshal(src)


def test_nesting_past_libyaml_limit_errs_like_the_reference() -> None:
    _check("[" * 1500 + "]" * 1500)
    _check("a:\n" + "".join(" " * i + "b:\n" for i in range(1, 1200)))


def test_invalid_utf8_and_surrogates_go_to_the_reference() -> None:
    _check(b"a: \xff\n")
    _check("a: \udcff\n")


def test_recorded_corpus_and_random_documents_agree() -> None:
    sources = [*load_case_inputs(), *json_sources(11, 150), *yaml_sources(21, 150)]
    rnd = random.Random(15)
    pieces = [*"ab1 :-[]{},'\"#&*!|>\n\t~.<", "yes", "0x1F", "2001-01-01", "  ", "\n  "]
    sources += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 40))) for _ in range(3000)]
    fast = 0
    for src in sources:
        _check(src)
        fast += _fast(src)
    assert fast > 300  # the walk takes a good share of them, not just the easy few


def test_a_repeated_big_document_is_answered_with_a_fresh_copy() -> None:
    src = "items:\n" + "".join(f"- name: n{i}\n  value: {i}\n" for i in range(200))
    goyaml._last = (None, None)
    first = goyaml.unmarshal(src)
    first["items"][0]["name"] = "changed"
    first["items"].append("extra")
    second = goyaml.unmarshal(src)
    assert _same(second, goyaml.reference_unmarshal(src))
    assert second["items"][0] is not first["items"][0]
    second["items"].clear()
    assert len(goyaml.unmarshal(src)["items"]) == 200


def test_from_yaml_keeps_helm_wrapping_on_both_paths() -> None:
    assert goyaml.from_yaml("- a") == {
        "Error": "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal array "
        "into Go value of type map[string]interface {}"
    }
    assert goyaml.from_yaml("a: *x") == {
        "Error": "error converting YAML to JSON: yaml: unknown anchor 'x' referenced"
    }
    assert goyaml.from_yaml_array("a: 1") == [
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal object into Go "
        "value of type []interface {}"
    ]
