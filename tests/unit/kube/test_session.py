"""The API client's HTTP session: no per-request environment lookups, proxy resolved once."""

from __future__ import annotations

import asyncio

import pytest
from kubernetes_asyncio import client

from steersman.kube.session import _env_proxy, new_api_client


def config(host: str) -> client.Configuration:
    cfg = client.Configuration()
    cfg.host = host
    return cfg


def test_session_does_not_trust_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HTTPS_PROXY", raising=False)
    monkeypatch.delenv("https_proxy", raising=False)

    async def make() -> tuple[bool, bool, object]:
        api = new_api_client(config("https://10.0.0.1:6443"))
        session = api.rest_client.pool_manager
        try:
            return session.trust_env, session.closed, api.rest_client.proxy
        finally:
            await api.close()

    trust, closed, proxy = asyncio.run(make())
    assert (trust, closed, proxy) == (False, False, None)


def test_https_proxy_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "internal.example,.svc")
    assert _env_proxy("https://api.cluster.example:6443") == "http://proxy.example:3128"
    assert _env_proxy("https://internal.example:6443") is None
    assert _env_proxy("https://kubernetes.default.svc") is None
    monkeypatch.delenv("HTTPS_PROXY")
    monkeypatch.delenv("https_proxy", raising=False)
    assert _env_proxy("https://api.cluster.example:6443") is None
