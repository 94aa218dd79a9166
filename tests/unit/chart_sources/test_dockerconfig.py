"""Registry credentials from a kubernetes.io/dockerconfigjson Secret's document."""

from __future__ import annotations

import base64
import json

import pytest

from steersman.chart.sources import InvalidReference, registry_credentials


def doc(auths: dict[str, object]) -> bytes:
    return json.dumps({"auths": auths}).encode()


@pytest.mark.parametrize("key", ["ghcr.io", "https://ghcr.io", "https://ghcr.io/v1/", "GHCR.io"])
def test_keys_are_matched_by_host(key: str) -> None:
    data = doc(
        {"other.io": {"username": "x", "password": "y"}, key: {"username": "u", "password": "p"}}
    )
    assert registry_credentials(data, "ghcr.io") == ("u", "p")


def test_auth_field_and_ports() -> None:
    auth = base64.b64encode(b"robot$ci:se:cret").decode()
    assert registry_credentials(doc({"127.0.0.1:5000": {"auth": auth}}), "127.0.0.1:5000") == (
        "robot$ci",
        "se:cret",
    )
    with pytest.raises(InvalidReference, match=r"no credentials for registry 127\.0\.0\.1:5001"):
        registry_credentials(doc({"127.0.0.1:5000": {"auth": auth}}), "127.0.0.1:5001")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b'{"credsStore": "x"}', "no 'auths' object"),
        (doc({"r.io": {"auth": "!!!"}}), "not base64 of user:password"),
        (doc({"r.io": {"auth": base64.b64encode(b"nocolon").decode()}}), "not base64"),
        (doc({"r.io": {"username": "u"}}), "no username and password for r.io"),
    ],
)
def test_unusable_documents_say_why_without_secrets(data: bytes, message: str) -> None:
    with pytest.raises(InvalidReference, match=message) as err:
        registry_credentials(data, "r.io")
    assert "nocolon" not in str(err.value)
