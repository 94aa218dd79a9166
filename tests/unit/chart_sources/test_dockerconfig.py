"""Registry credentials from a kubernetes.io/dockerconfigjson Secret's document, and from
helm's registry config as oras-go's store reads it."""

from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest

from steersman.chart.sources import AuthFailed, InvalidReference, registry_credentials
from steersman.chart.sources.dockerconfig import RegistryConfig, RegistryStores
from steersman.chart.sources.model import RegistryCredential


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


def test_a_secret_never_names_a_program_to_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The operator's Secret: credHelpers and credsStore are ignored (no helper is run, even
    one on PATH), its `auths` entry is the answer."""
    ran = tmp_path / "ran"
    helper = tmp_path / "docker-credential-evil"
    helper.write_text(f'#!/bin/sh\ntouch {ran}\necho \'{{"Username":"h","Secret":"s"}}\'\n')
    helper.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    data = json.dumps(
        {
            "credHelpers": {"r.io": "evil"},
            "credsStore": "evil",
            "auths": {"r.io": {"username": "u", "password": "p"}},
        }
    ).encode()
    assert registry_credentials(data, "r.io") == ("u", "p")
    only_helpers = json.dumps({"credHelpers": {"r.io": "evil"}, "auths": {}}).encode()
    with pytest.raises(InvalidReference, match=r"no credentials for registry r\.io"):
        registry_credentials(only_helpers, "r.io")
    assert not ran.exists()


def _config(doc: dict[str, object]) -> RegistryConfig:
    return RegistryConfig.from_document("/x/config.json", doc)


def test_registry_config_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """oras-go's DynamicStore: credHelpers by exact key, then credsStore, then auths; a
    config with none of them asks the platform's default helper if it is on PATH."""
    monkeypatch.setenv("PATH", str(tmp_path))
    cfg = _config(
        {"credHelpers": {"r.io": "a", "https://s.io": "b"}, "credsStore": "c", "auths": {}}
    )
    assert (cfg.helper_for("r.io"), cfg.helper_for("s.io"), cfg.helper_for("t.io")) == (
        "a",
        "c",
        "c",
    )
    assert _config({"auths": {}}).helper_for("r.io") == ""
    default = tmp_path / "docker-credential-secretservice"
    default.write_text("#!/bin/sh\n")
    default.chmod(0o755)
    assert _config({}).helper_for("r.io") == "secretservice"
    assert _config({"auths": {"r.io": {}}}).helper_for("r.io") == ""


def test_registry_config_auths_entries() -> None:
    auth = base64.b64encode(b"u:p:q").decode()
    cfg = _config(
        {
            "auths": {
                "https://r.io/v1/": {"auth": auth, "username": "ignored"},
                "t.io": {"identitytoken": "idt", "registrytoken": "rt"},
                "R.io": {"username": "cased", "password": "x"},
                "n.io": None,
            }
        }
    )
    assert cfg.auths_credential("r.io") == RegistryCredential("u", "p:q")
    assert cfg.auths_credential("t.io") == RegistryCredential(
        refresh_token="idt", access_token="rt"
    )
    assert cfg.auths_credential("R.io").username == "cased"  # no case folding
    assert cfg.auths_credential("n.io").is_empty
    assert cfg.auths_credential("none.io").is_empty
    for entry, text in [
        ({"auth": "@@@@"}, "illegal base64 data at input byte 0"),
        ({"auth": "dTpw="}, "illegal base64 data at input byte 4"),
        # Go's decodeQuantum positions, each seen from helm v4.1.4
        ({"auth": "dTpwcQ="}, "illegal base64 data at input byte 7"),
        ({"auth": "dTpwcQ=x"}, "illegal base64 data at input byte 6"),
        ({"auth": "dTpwcQ==x"}, "illegal base64 data at input byte 8"),
        ({"auth": "dTpw\r\ncQ"}, "illegal base64 data at input byte 6"),
        ({"auth": "d="}, "illegal base64 data at input byte 1"),
        ({"auth": base64.b64encode(b"secret").decode()}, "does not conform"),
        ({"auth": 5}, "cannot unmarshal number into Go struct field AuthConfig.auth of type"),
        ("x", "cannot unmarshal string into Go value of type config.AuthConfig"),
    ]:
        with pytest.raises(InvalidReference, match=text) as exc:
            _config({"auths": {"r.io": entry}}).auths_credential("r.io")
        assert "secret" not in str(exc.value)


async def test_stores_fall_back_in_order() -> None:
    """oras-go's NewStoreWithFallbacks: the first store with a credential answers; an error
    ends the lookup; Docker Hub's registry host is asked for under its v1 URL."""
    helm_cfg = _config({"auths": {"a.io": {"auth": "@@@@"}, "h.io": {"username": "h"}}})
    docker_cfg = _config(
        {
            "auths": {
                "h.io": {"username": "d", "password": "x"},
                "https://index.docker.io/v1/": {"username": "hub", "password": "y"},
            }
        }
    )
    stores = RegistryStores([helm_cfg, docker_cfg])
    assert await stores("h.io") == RegistryCredential("h")  # not empty: no fallback
    assert await stores("registry-1.docker.io") == RegistryCredential("hub", "y")
    assert (await stores("none.io")).is_empty
    with pytest.raises(AuthFailed, match=r"^failed to decode auth field"):
        await stores("a.io")


async def test_a_hung_helper_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from steersman.chart.sources import credhelper

    sleep = shutil.which("sleep")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(credhelper, "HELPER_TIMEOUT", 0.3)
    helper = tmp_path / "docker-credential-slow"
    helper.write_text(f"#!/bin/sh\nexec {sleep} 30\n")
    helper.chmod(0o755)
    with pytest.raises(credhelper.CredentialHelperError, match=r"no answer within 0\.3s"):
        await _config({"credsStore": "slow"}).credential("r.io")
