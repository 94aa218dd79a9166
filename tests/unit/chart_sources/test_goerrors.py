"""Go's and oras-go's texts for failed requests (chart/sources/goerrors.py). The integration
tests compare them with helm itself (test_template_oci_errors.py, test_template_remote.py);
these pin the pieces that need no server: resolv.conf, status texts, registry error bodies."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp.client_reqrep import ConnectionKey

from steersman.chart.sources import goerrors
from steersman.chart.sources.goerrors import (
    decode_error,
    go_error,
    registry_status_error,
    status_text,
    strip_password,
    url_error,
)

_KEY = ConnectionKey("nonexistent.invalid", 443, True, True, None, None, None, None)
_URL = "http://r:5000/v2/c/x/tags/list"


@pytest.fixture
def resolv_conf(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    path = tmp_path / "resolv.conf"
    monkeypatch.setattr(goerrors, "RESOLV_CONF", str(path))
    goerrors.nameserver.cache_clear()
    yield path
    goerrors.nameserver.cache_clear()


@pytest.mark.parametrize(
    ("text", "server"),
    [
        ("search example.com\nnameserver 10.0.0.2\nnameserver 10.0.0.3\n", "10.0.0.2:53"),
        ("nameserver fd00::53\n", "[fd00::53]:53"),
        ("nameserver not-an-ip\nnameserver 1.1.1.1\n", "1.1.1.1:53"),
        ("# nothing\n", "127.0.0.1:53"),
    ],
)
def test_the_nameserver_is_the_first_of_resolv_conf(
    resolv_conf: Path, text: str, server: str
) -> None:
    resolv_conf.write_text(text)
    assert goerrors.nameserver() == server


def test_a_name_that_does_not_resolve(resolv_conf: Path) -> None:
    resolv_conf.write_text("nameserver 10.255.255.53\n")
    gai = socket.gaierror(socket.EAI_NONAME, "Name or service not known")
    exc = aiohttp.ClientConnectorDNSError(_KEY, gai)
    assert url_error("GET", "https://nonexistent.invalid/v2/", exc) == (
        'Get "https://nonexistent.invalid/v2/": dial tcp: lookup nonexistent.invalid on '
        "10.255.255.53:53: no such host"
    )


def test_a_refused_connection_names_the_address_dialled() -> None:
    refused = ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 5000)")
    key = ConnectionKey("localhost", 5000, False, True, None, None, None, None)
    assert go_error(aiohttp.ClientConnectorError(key, refused)) == (
        "dial tcp 127.0.0.1:5000: connect: connection refused"
    )


def test_a_password_in_the_url_is_shown_as_stars() -> None:
    assert strip_password("https://me:secret@h/x") == "https://me:***@h/x"
    assert strip_password("https://me@h/x") == "https://me@h/x"
    assert strip_password("https://h/a@b") == "https://h/a@b"


def test_status_texts_are_gos() -> None:
    assert [status_text(s) for s in (404, 413, 418, 422, 500, 599)] == [
        "Not Found",
        "Request Entity Too Large",
        "I'm a teapot",
        "Unprocessable Entity",
        "Internal Server Error",
        "",
    ]


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        (
            b'{"errors": [{"code": "UNKNOWN", "message": "boom", "detail": "d"}]}',
            "unknown: boom: d",
        ),
        (
            b'{"errors": [{"code": "NAME_UNKNOWN", "message": "m", "detail": {"b": 1, "a": [2]}}]}',
            "name unknown: m: map[a:[2] b:1]",
        ),
        (b'{"errors": [{"code": "DENIED"}, {"code": "X", "message": "y"}]}', "denied; x: y"),
        (b'{"errors": []}', "Service Unavailable"),
        (b"<html>busy</html>", "Service Unavailable"),
        (b'{"errors": [{"code": 5}]}', "Service Unavailable"),  # a type error: no errors
        (b'{"errors": [{"code": "A", "message": "b"}]} trailing', "a: b"),  # first value only
    ],
)
def test_registry_error_bodies_as_oras_prints_them(body: bytes, shown: str) -> None:
    assert registry_status_error("GET", _URL, 503, body) == (
        f'GET "{_URL}": response status code 503: {shown}'
    )


def test_tag_lists_that_are_not_json() -> None:
    prefix = f'GET "{_URL}": failed to decode response: '
    assert decode_error("GET", _URL, b"not json") == (
        prefix + "invalid character 'o' in literal null (expecting 'u')"
    )
    assert decode_error("GET", _URL, b'{"tags": [') == prefix + "unexpected EOF"
    assert decode_error("GET", _URL, b"") == prefix + "EOF"
    assert decode_error("GET", _URL, b'{"tags": []} more') is None
