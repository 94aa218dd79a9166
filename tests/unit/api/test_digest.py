"""Digests of values: canonical, stable across key order and process runs."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from datetime import date

import pytest

from steersman.api import digest, values_digest
from steersman.api.digest import canonical_json


def test_canonical_form_is_sorted_compact_utf8_json() -> None:
    assert canonical_json({"b": [1, 2.5, None], "a": {"ü": True}}) == (
        '{"a":{"ü":true},"b":[1,2.5,null]}'.encode()
    )


def test_digest_is_sha256_of_the_canonical_form() -> None:
    expected = hashlib.sha256(b'{"a":1,"b":"x"}').hexdigest()
    assert digest({"b": "x", "a": 1}) == f"sha256:{expected}"


def test_key_order_does_not_matter_but_content_does() -> None:
    one = {"image": {"tag": "1.0", "repo": "nginx"}, "replicas": 2}
    same = {"replicas": 2, "image": {"repo": "nginx", "tag": "1.0"}}
    assert values_digest(one) == values_digest(same)
    assert values_digest(one) != values_digest({**one, "replicas": 3})
    assert values_digest({"a": [1, 2]}) != values_digest({"a": [2, 1]})  # lists are ordered
    assert values_digest({"a": 1}) != values_digest({"a": "1"})


def test_no_values_equals_empty_values() -> None:
    assert values_digest(None) == values_digest({}) == digest({})


def test_stable_across_processes() -> None:
    # Hash randomisation must not leak in: another interpreter computes the same digest.
    code = "from steersman.api import values_digest; print(values_digest({'b': 1, 'a': [1, 'x']}))"
    other = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert other == values_digest({"a": [1, "x"], "b": 1})


def test_dates_from_yaml_digest_as_iso_strings() -> None:
    assert values_digest({"d": date(2026, 1, 2)}) == values_digest({"d": "2026-01-02"})


def test_non_json_values_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot digest a set"):
        digest({"s": {1, 2}})
    with pytest.raises(ValueError):
        digest({"f": float("nan")})
