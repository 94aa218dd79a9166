"""HTTPS_PROXY / HTTP_PROXY / NO_PROXY read as Go's http.ProxyFromEnvironment reads them."""

from __future__ import annotations

import pytest

from steersman.chart.sources import InvalidReference, ProxySettings

PROXY = "http://proxy.corp:3128"


def settings(no_proxy: str = "") -> ProxySettings:
    return ProxySettings(http_proxy=PROXY, https_proxy="https-proxy:8443", no_proxy=no_proxy)


def test_scheme_picks_the_variable_and_a_bare_proxy_gets_http() -> None:
    s = settings()
    assert s.proxy_for("http://charts.example.com/index.yaml") == PROXY
    assert s.proxy_for("https://charts.example.com/index.yaml") == "http://https-proxy:8443"
    assert ProxySettings(http_proxy=PROXY).proxy_for("https://charts.example.com/") is None


def test_environment_upper_case_wins_and_lower_case_is_read() -> None:
    env = {"HTTPS_PROXY": "http://upper:1", "https_proxy": "http://lower:1", "no_proxy": "x.io"}
    s = ProxySettings.from_environment(env)
    assert s == ProxySettings(https_proxy="http://upper:1", no_proxy="x.io")
    assert ProxySettings.from_environment({}) == ProxySettings()


@pytest.mark.parametrize(
    "url", ["http://localhost:8080/", "http://127.0.0.1/", "http://127.9.9.9:1/", "http://[::1]/"]
)
def test_loopback_is_never_proxied(url: str) -> None:
    assert settings().proxy_for(url) is None


@pytest.mark.parametrize(
    ("no_proxy", "url", "proxied"),
    [
        ("*", "http://anything.example.com/", False),
        ("example.com", "http://example.com/", False),
        ("example.com", "http://charts.example.com/", False),
        ("example.com", "http://notexample.com/", True),
        (".example.com", "http://example.com/", True),
        (".example.com", "http://charts.example.com/", False),
        ("*.example.com", "http://charts.example.com/", False),
        ("*.example.com", "http://example.com/", True),
        ("10.0.0.0/8", "http://10.1.2.3:8080/", False),
        ("10.0.0.0/8", "http://11.1.2.3/", True),
        ("10.1.2.3", "http://10.1.2.3/", False),
        ("charts.svc:8080", "http://charts.svc:8080/", False),
        ("charts.svc:8080", "http://charts.svc:9090/", True),
        ("charts.svc:80", "http://charts.svc/", False),  # the scheme's default port
        (" a.io , CHARTS.SVC ", "http://charts.svc/", False),
        ("", "http://charts.svc/", True),
    ],
)
def test_no_proxy(no_proxy: str, url: str, proxied: bool) -> None:
    assert (settings(no_proxy).proxy_for(url) is not None) is proxied


def test_unsupported_proxy_schemes_are_named_without_credentials() -> None:
    s = ProxySettings(https_proxy="socks5://user:secret@proxy:1080")
    with pytest.raises(InvalidReference, match="HTTPS_PROXY: socks5:// proxies") as err:
        s.proxy_for("https://charts.example.com/")
    assert "secret" not in str(err.value)
