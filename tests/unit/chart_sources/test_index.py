"""index.yaml parsing and chart URL resolution with Helm's rules."""

from __future__ import annotations

import pytest

from steersman.chart.sources.errors import SourceUnavailable
from steersman.chart.sources.index import parse_index, resolve_reference_url

INDEX = b"""\
apiVersion: v1
entries:
  demo:
  - name: demo
    version: 1.2.0
    urls: [demo-1.2.0.tgz]
    digest: abc
  - name: demo
    version: 1.10.0
    urls: [https://cdn.example.com/demo-1.10.0.tgz, mirror/demo-1.10.0.tgz]
  - name: demo
    version: not-semver
    urls: [x.tgz]
  - null
  - name: demo
    version: 2.0.0-rc.1
  - version: 3.0.0
  numeric:
  - name: numeric
    version: 1.5
    urls: [n.tgz]
generated: "2024-01-01T00:00:00Z"
"""


def test_entries_are_sorted_newest_first_and_invalid_ones_skipped() -> None:
    index = parse_index(INDEX, "test")
    assert index.versions("demo") == ["2.0.0-rc.1", "1.10.0", "1.2.0"]
    ten = index.entries["demo"][1]
    assert ten.urls == ("https://cdn.example.com/demo-1.10.0.tgz", "mirror/demo-1.10.0.tgz")
    assert ten.digest == ""
    assert index.entries["demo"][2].digest == "abc"
    assert index.entries["demo"][0].urls == ()
    assert index.versions("numeric") == ["1.5"]  # a YAML number becomes its text
    assert index.versions("missing") == []


def test_json_index_is_accepted() -> None:
    doc = b'{"apiVersion": "v1", "entries": {"a": [{"name": "a", "version": "1.0.0"}]}}'
    assert parse_index(doc, "json").versions("a") == ["1.0.0"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "index.yaml is empty"),
        (b"entries: {}\n", "no API version specified"),
        (b"apiVersion: v1\nentries: [1]\n", "entries is not a mapping"),
        (b"- a\n- b\n", "not a mapping"),
        (b"apiVersion: v1\nentries: {a: [\n", "not valid YAML"),
    ],
)
def test_broken_indexes(data: bytes, message: str) -> None:
    with pytest.raises(SourceUnavailable, match=message):
        parse_index(data, "https://example.com/index.yaml")


@pytest.mark.parametrize(
    ("base", "ref", "expected"),
    [
        ("http://localhost:8123/", "/nginx-0.2.0.tgz", "http://localhost:8123/nginx-0.2.0.tgz"),
        (
            "http://localhost:8123/charts/",
            "nginx-0.2.0.tgz",
            "http://localhost:8123/charts/nginx-0.2.0.tgz",
        ),
        (
            "http://localhost:8123/charts/",
            "/nginx-0.2.0.tgz",
            "http://localhost:8123/nginx-0.2.0.tgz",
        ),
        (
            "http://localhost:8123/charts-no-slash",
            "nginx-0.2.0.tgz",
            "http://localhost:8123/charts-no-slash/nginx-0.2.0.tgz",
        ),
        (
            "http://localhost:8123",
            "https://charts.helm.sh/stable/nginx-0.2.0.tgz",
            "https://charts.helm.sh/stable/nginx-0.2.0.tgz",
        ),
        (
            "http://localhost:8123/charts%2fescaped",
            "nginx-0.2.0.tgz",
            "http://localhost:8123/charts%2fescaped/nginx-0.2.0.tgz",
        ),
        (
            "http://localhost:8123/charts?with=query",
            "nginx-0.2.0.tgz",
            "http://localhost:8123/charts/nginx-0.2.0.tgz?with=query",
        ),
        ("https://h", "index.yaml", "https://h/index.yaml"),
        ("https://h/a/b", "../c.tgz", "https://h/a/c.tgz"),
    ],
)
def test_resolve_reference_url(base: str, ref: str, expected: str) -> None:
    assert resolve_reference_url(base, ref) == expected
