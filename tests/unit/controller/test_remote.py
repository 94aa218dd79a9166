"""spec.kubeConfig.secretRef: which key of the Secret holds the kubeconfig (Flux's order), and
the messages when none does."""

from __future__ import annotations

import base64

import pytest

from steersman.controller.remote import RemoteClusterError, kubeconfig_bytes


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def test_value_then_value_yaml_when_no_key_is_named() -> None:
    both = {"value": b64("first"), "value.yaml": b64("second")}
    assert kubeconfig_bytes(both, None, "ns/s") == b"first"
    assert kubeconfig_bytes({"value.yaml": b64("second")}, None, "ns/s") == b"second"
    assert kubeconfig_bytes({"value": "", "value.yaml": b64("second")}, None, "ns/s") == b"second"


def test_a_named_key_is_the_only_one_read() -> None:
    data = {"value": b64("default"), "config": b64("named")}
    assert kubeconfig_bytes(data, "config", "ns/s") == b"named"
    with pytest.raises(RemoteClusterError) as err:
        kubeconfig_bytes(data, "other", "ns/s")
    assert str(err.value) == (
        "Secret ns/s has no key 'other' (spec.kubeConfig.secretRef.key): add the kubeconfig "
        "under that key, or name the key that holds it"
    )
    assert not err.value.missing and not err.value.insecure


@pytest.mark.parametrize("data", [None, {}, {"other": b64("x")}])
def test_no_default_key(data: dict[str, str] | None) -> None:
    with pytest.raises(RemoteClusterError) as err:
        kubeconfig_bytes(data, None, "ns/s")
    assert str(err.value) == (
        "Secret ns/s has neither a 'value' nor a 'value.yaml' key with a kubeconfig: add one, "
        "or set spec.kubeConfig.secretRef.key"
    )


def test_data_that_is_not_base64() -> None:
    with pytest.raises(RemoteClusterError, match="Secret ns/s key 'value' is not valid base64"):
        kubeconfig_bytes({"value": "not base64!"}, None, "ns/s")
