"""OCI reference parsing (Helm's newReference + ORAS rules) and auth challenge parsing."""

from __future__ import annotations

import pytest

from steersman.chart.sources.errors import InvalidReference
from steersman.chart.sources.oci import OciReference, parse_oci_reference
from steersman.chart.sources.oci_auth import parse_challenge

DIGEST = "sha256:" + "ab" * 32


@pytest.mark.parametrize(
    ("url", "name", "expected"),
    [
        ("oci://ghcr.io/org/charts/app", "", OciReference("ghcr.io", "org/charts/app", "", "")),
        ("oci://localhost:5000/app:1.2.3", "", OciReference("localhost:5000", "app", "1.2.3", "")),
        (
            "oci://localhost:5000/charts/app",
            "",
            OciReference("localhost:5000", "charts/app", "", ""),
        ),
        ("oci://r.io/app:1.0.0+b.1", "", OciReference("r.io", "app", "1.0.0+b.1", "")),
        (f"oci://r.io/app@{DIGEST}", "", OciReference("r.io", "app", "", DIGEST)),
        (
            f"oci://r.io:443/a/app:1.0@{DIGEST}",
            "",
            OciReference("r.io:443", "a/app", "1.0", DIGEST),
        ),
        ("oci://r.io/charts/", "app", OciReference("r.io", "charts/app", "", "")),
        (
            "oci://127.0.0.1:5000/my_org/my-app.x",
            "",
            OciReference("127.0.0.1:5000", "my_org/my-app.x", "", ""),
        ),
    ],
)
def test_parse(url: str, name: str, expected: OciReference) -> None:
    assert parse_oci_reference(url, name) == expected


def test_str_round_trips() -> None:
    text = f"oci://r.io:5000/a/app:1.0.0@{DIGEST}"
    assert str(parse_oci_reference(text)) == text


@pytest.mark.parametrize(
    "url",
    [
        "https://r.io/app",
        "oci://r.io",
        "oci://r.io/App",
        "oci://r.io/app@sha256:short",
        "oci://r.io/app@md5:" + "a" * 32,
        "oci://r.io/app:bad^tag",
        "oci:///app",
    ],
)
def test_invalid(url: str) -> None:
    with pytest.raises(InvalidReference):
        parse_oci_reference(url)


def test_parse_bearer_challenge() -> None:
    header = (
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",'
        'scope="repository:org/app:pull,push"'
    )
    assert parse_challenge(header) == (
        "bearer",
        {
            "realm": "https://auth.example.com/token",
            "service": "registry.example.com",
            "scope": "repository:org/app:pull,push",
        },
    )


def test_parse_basic_and_escaped_challenges() -> None:
    assert parse_challenge('Basic realm="Registry Realm"') == ("basic", {"realm": "Registry Realm"})
    assert parse_challenge('Bearer realm="a\\"b", error=insufficient_scope') == (
        "bearer",
        {"realm": 'a"b', "error": "insufficient_scope"},
    )
    assert parse_challenge("") == ("", {})
