"""URL redaction, credential scoping and TLS context building."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from hack.testkit.chart_servers import make_tls_material
from steersman.chart.sources.errors import SourceUnavailable
from steersman.chart.sources.goerrors import scrub
from steersman.chart.sources.model import RepoAuth
from steersman.chart.sources.transport import (
    basic_authorization,
    redact,
    same_origin,
    split_userinfo,
    ssl_for,
)


def test_redact_drops_userinfo_and_query() -> None:
    assert redact("https://u:p@h.example:8443/a/b?sig=xyz#f") == "https://h.example:8443/a/b?..."
    assert redact("http://h/x") == "http://h/x"


def test_scrub_removes_userinfo_from_messages() -> None:
    assert scrub("cannot reach http://me:pw@h:1/x") == "cannot reach http://h:1/x"


def test_split_userinfo() -> None:
    assert split_userinfo("https://me:p%40ss@h/charts") == ("https://h/charts", "me", "p@ss")
    assert split_userinfo("https://h/charts") == ("https://h/charts", "", "")


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("https://h/charts", "https://h/charts/x.tgz", True),
        ("https://H:443/", "https://h/x", True),
        ("https://h/", "http://h/x", False),
        ("https://h/", "https://h:8443/x", False),
        ("https://h/", "https://cdn.h/x", False),
    ],
)
def test_same_origin(a: str, b: str, same: bool) -> None:
    assert same_origin(a, b) is same


def test_basic_authorization_allows_colons_in_the_password() -> None:
    assert basic_authorization("u", "a:b") == "Basic dTphOmI="


async def test_default_verification_without_options() -> None:
    assert await ssl_for(None) is True
    assert await ssl_for(RepoAuth("u", "p")) is True


async def test_contexts_from_pem_material() -> None:
    tls = make_tls_material()
    ctx = await ssl_for(RepoAuth(ca_pem=tls.ca_pem))
    assert isinstance(ctx, ssl.SSLContext)
    assert ctx.verify_mode == ssl.CERT_REQUIRED and ctx.check_hostname
    assert len(ctx.get_ca_certs()) == 1  # the bundle replaces the system roots
    insecure = await ssl_for(
        RepoAuth(
            insecure_skip_tls_verify=True, cert_pem=tls.client_cert_pem, key_pem=tls.client_key_pem
        )
    )
    assert isinstance(insecure, ssl.SSLContext)
    assert insecure.verify_mode == ssl.CERT_NONE and not insecure.check_hostname


async def test_bad_tls_material_is_reported_without_key_bytes(tmp_path: Path) -> None:
    tls = make_tls_material()
    with pytest.raises(SourceUnavailable, match="invalid TLS options") as err:
        await ssl_for(RepoAuth(cert_pem=tls.client_cert_pem, key_pem=tls.server_key_pem))
    assert tls.server_key_pem.decode() not in str(err.value)
    with pytest.raises(SourceUnavailable, match="invalid TLS options"):
        await ssl_for(RepoAuth(ca_file=str(tmp_path / "missing.pem")))


def test_repr_hides_secrets() -> None:
    text = repr(RepoAuth("user", "hunter2", key_pem=b"PRIVATE"))
    assert "hunter2" not in text and "PRIVATE" not in text


def test_retry_backoff_doubles_up_to_the_cap_and_honours_retry_after() -> None:
    from steersman.chart.sources import RetryPolicy

    policy = RetryPolicy(retries=9)
    assert [policy.delay(n, None) for n in range(7)] == [1, 2, 4, 8, 16, 30, 30]
    assert policy.delay(0, 5.0) == 5.0
    assert policy.delay(0, 600.0) == 30.0


async def test_retrying_stops_after_the_allowed_retries() -> None:
    from steersman.chart.sources import RetryPolicy, SourceUnavailable, Transient
    from steersman.chart.sources.transport import retrying

    calls = 0

    async def flaky() -> str:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise Transient("503")
        return "ok"

    assert await retrying(RetryPolicy(retries=2, wait_min=0.001), flaky) == "ok"
    assert calls == 3
    calls = 0
    with pytest.raises(Transient):
        await retrying(RetryPolicy(retries=1, wait_min=0.001), flaky)
    assert calls == 2

    async def permanent() -> str:
        nonlocal calls
        calls += 1
        raise SourceUnavailable("404")

    calls = 0
    with pytest.raises(SourceUnavailable):
        await retrying(RetryPolicy(retries=5, wait_min=0.001), permanent)
    assert calls == 1


async def test_a_deadline_that_aiohttp_turns_into_a_timeout_is_not_retried() -> None:
    """aiohttp raises TimeoutError in place of the caller's cancellation when its own timer
    fires at the same moment; the caller's asyncio.timeout must still end the fetch."""
    import asyncio

    from steersman.chart.sources import RetryPolicy
    from steersman.chart.sources.transport import network_errors, retrying

    calls = 0

    async def request_like_aiohttp() -> str:
        nonlocal calls
        calls += 1
        async with network_errors("fetching", "http://127.0.0.1:1/index.yaml"):
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                raise TimeoutError from None  # what aiohttp's TimerContext does
        return "never"

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await retrying(RetryPolicy(retries=5, wait_min=0.001), request_like_aiohttp)
    assert calls == 1
    assert loop.time() - started < 5
