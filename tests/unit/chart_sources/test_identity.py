"""The fetch identity: every credential and TLS option changes it, and no secret shows in it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from steersman.chart.sources.identity import fetch_identity
from steersman.chart.sources.model import RepoAuth

URL = "https://charts.example.com/stable"
BASE = RepoAuth(
    username="reader",
    password="pw-marker-123",
    ca_pem=b"ca",
    cert_pem=b"cert",
    key_pem=b"key-marker-456",
)


@pytest.mark.parametrize(
    "change",
    [
        {"username": "other"},
        {"password": "pw-marker-124"},
        {"ca_pem": b"another ca"},
        {"ca_pem": None},
        {"cert_pem": b"another cert"},
        {"key_pem": b"another key"},
        {"insecure_skip_tls_verify": True},
        {"pass_credentials_all": True},
        {"plain_http": True},
    ],
)
def test_every_option_is_part_of_the_identity(change: dict[str, object]) -> None:
    assert fetch_identity(URL, BASE) != fetch_identity(URL, replace(BASE, **change))  # type: ignore[arg-type]


def test_url_and_userinfo_are_part_of_it() -> None:
    assert fetch_identity(URL, BASE) == fetch_identity(URL, BASE)
    assert fetch_identity(URL, None) == fetch_identity(URL, RepoAuth())
    assert fetch_identity(URL, None) != fetch_identity(URL + "/other", None)
    with_userinfo = "https://u:p@charts.example.com/stable"
    assert fetch_identity(URL, None) != fetch_identity(with_userinfo, None)


def test_files_count_by_content(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    ca.write_bytes(b"first")
    first = fetch_identity(URL, RepoAuth(ca_file=str(ca)))
    ca.write_bytes(b"second")
    assert fetch_identity(URL, RepoAuth(ca_file=str(ca))) != first
    missing = RepoAuth(ca_file=str(tmp_path / "absent"))
    assert fetch_identity(URL, missing) != fetch_identity(URL, None)


def test_no_secret_in_the_identity() -> None:
    identity = fetch_identity(URL, BASE)
    assert len(identity) == 64 and int(identity, 16) >= 0
    for secret in ("pw-marker-123", "key-marker-456", "reader"):
        assert secret not in identity
