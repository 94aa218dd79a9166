"""Kubeconfigs of remote clusters: what is read from them, what is refused and how it is said
(never quoting a value, which may be a credential)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml

from steersman.kube.kubeconfig import (
    EXEC_FLAG,
    TLS_FLAG,
    InsecureKubeConfig,
    KubeConfigError,
    RemoteConfig,
    check,
    parse,
)

TOKEN = "s3cr3t-token-marker"
CA = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"


def kubeconfig(cluster: dict[str, Any] | None = None, user: dict[str, Any] | None = None) -> bytes:
    doc = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": "other", "cluster": {"server": "https://elsewhere:1"}},
            {
                "name": "remote",
                "cluster": {
                    "server": "https://10.0.0.1:6443",
                    "certificate-authority-data": base64.b64encode(CA).decode(),
                    **(cluster or {}),
                },
            },
        ],
        "users": [{"name": "admin", "user": {"token": TOKEN, **(user or {})}}],
        "contexts": [
            {"name": "other", "context": {"cluster": "other", "user": "admin"}},
            {"name": "remote", "context": {"cluster": "remote", "user": "admin"}},
        ],
        "current-context": "remote",
    }
    return yaml.safe_dump(doc).encode()


def test_the_current_context_is_read_inline() -> None:
    cfg = parse(kubeconfig(cluster={"tls-server-name": "api.internal"}))
    assert cfg.server == "https://10.0.0.1:6443"
    assert cfg.ca_data == CA
    assert cfg.token == TOKEN
    assert cfg.tls_server_name == "api.internal"
    assert (cfg.exec, cfg.insecure) == (None, False)
    assert TOKEN not in repr(cfg)
    check(cfg, allow_exec=False, allow_insecure_tls=False)  # nothing to refuse


def test_a_client_certificate_and_basic_auth_are_read() -> None:
    user = {
        "token": None,
        "client-certificate-data": base64.b64encode(b"CERT").decode(),
        "client-key-data": base64.b64encode(b"KEY").decode(),
        "username": "u",
        "password": "p",
    }
    cfg = parse(kubeconfig(user=user))
    assert (cfg.cert_data, cfg.key_data, cfg.token) == (b"CERT", b"KEY", None)
    assert (cfg.username, cfg.password) == ("u", "p")


def test_exec_is_refused_without_its_flag() -> None:
    exec_ = {"apiVersion": "client.authentication.k8s.io/v1", "command": "aws"}
    cfg = parse(kubeconfig(user={"exec": exec_}))
    assert cfg.exec == exec_
    with pytest.raises(InsecureKubeConfig) as err:
        check(cfg, allow_exec=False, allow_insecure_tls=True)
    assert err.value.flag == EXEC_FLAG
    assert "users[].user.exec" in str(err.value) and EXEC_FLAG in str(err.value)
    check(cfg, allow_exec=True, allow_insecure_tls=False)


def test_skipping_tls_verification_is_refused_without_its_flag() -> None:
    cfg = parse(kubeconfig(cluster={"insecure-skip-tls-verify": True}))
    assert cfg.insecure
    with pytest.raises(InsecureKubeConfig) as err:
        check(cfg, allow_exec=True, allow_insecure_tls=False)
    assert err.value.flag == TLS_FLAG
    assert "insecure-skip-tls-verify: true" in str(err.value) and TLS_FLAG in str(err.value)
    check(cfg, allow_exec=False, allow_insecure_tls=True)
    # false (or a string) is not a request to skip verification
    assert not parse(kubeconfig(cluster={"insecure-skip-tls-verify": False})).insecure
    assert not parse(kubeconfig(cluster={"insecure-skip-tls-verify": "true"})).insecure


@pytest.mark.parametrize(
    ("cluster", "user", "named"),
    [
        ({"certificate-authority": "/etc/ca.crt"}, {}, "certificate-authority"),
        ({}, {"client-certificate": "/c", "client-key": "/k"}, "client-certificate"),
        ({}, {"tokenFile": "/var/run/secrets/kubernetes.io/serviceaccount/token"}, "tokenFile"),
    ],
)
def test_files_of_the_operators_machine_are_never_read(
    cluster: dict[str, Any], user: dict[str, Any], named: str
) -> None:
    with pytest.raises(KubeConfigError) as err:
        parse(kubeconfig(cluster=cluster, user=user))
    assert f"names a file ({named})" in str(err.value)
    assert "/" not in str(err.value)  # the path itself is not quoted


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"clusters: [", "the kubeconfig is not valid YAML (line 1)"),
        (f"token: {TOKEN}\n  bad: [".encode(), "the kubeconfig is not valid YAML (line 2)"),
        (b"- a list", "the kubeconfig is not a YAML mapping (apiVersion: v1, kind: Config)"),
        (b"kind: Config", "the kubeconfig has no current-context"),
        (b"current-context: nope\ncontexts: []", "the kubeconfig has no entry 'nope' in contexts"),
        (b"a: \xff", "the kubeconfig is not valid YAML"),
    ],
)
def test_invalid_kubeconfigs_say_what_is_wrong_without_quoting_them(
    raw: bytes, message: str
) -> None:
    with pytest.raises(KubeConfigError) as err:
        parse(raw)
    assert str(err.value) == message
    assert TOKEN not in str(err.value)


def test_other_refusals() -> None:
    with pytest.raises(KubeConfigError, match="auth-provider, which is not supported"):
        parse(kubeconfig(user={"auth-provider": {"name": "oidc"}}))
    with pytest.raises(KubeConfigError, match="no https:// \\(or http://\\) server"):
        parse(kubeconfig(cluster={"server": "10.0.0.1:6443"}))
    with pytest.raises(KubeConfigError, match="certificate-authority-data is not valid base64"):
        parse(kubeconfig(cluster={"certificate-authority-data": "%%%"}))


def test_the_address_in_messages_has_no_userinfo() -> None:
    assert RemoteConfig("https://u:pw@host:6443/x").address == "https://host:6443"
    assert RemoteConfig("http://host").address == "http://host"
