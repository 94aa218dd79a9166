"""A failed HTTP request in the words Go's net/http client prints it: helm (its HTTP getter and
oras-go's registry client) quotes these texts in its `Error:` line, so `steersman template`
prints the same bytes; the operator's conditions use them too. Written once for HTTP
repositories and OCI registries."""

from __future__ import annotations

import functools
import http
import ipaddress
import json
import re
import socket
import ssl

import aiohttp

from steersman.golang.fmt import format_value, go_quote
from steersman.golang.jsonscan import syntax_error

_USERINFO = re.compile(r"//[^/@\s]*@")
_SSL_REASON = re.compile(r"\[SSL: (\w+)\]")
_CONNECT_FAILED = re.compile(r"Connect call failed \('([^']+)', (\d+)")
# OpenSSL's verify codes for a chain that ends at no trusted root: Go's "unknown authority"
_UNKNOWN_AUTHORITY = {2, 18, 19, 20, 21}
# TLS alerts a server sends about our client certificate, as crypto/tls names them
_ALERTS = {
    "TLSV13_ALERT_CERTIFICATE_REQUIRED": "certificate required",
    "SSLV3_ALERT_BAD_CERTIFICATE": "bad certificate",
    "TLSV1_ALERT_UNKNOWN_CA": "unknown certificate authority",
    "SSLV3_ALERT_HANDSHAKE_FAILURE": "handshake failure",
    "SSLV3_ALERT_CERTIFICATE_EXPIRED": "expired certificate",
    "TLSV1_ALERT_DECRYPT_ERROR": "error decrypting message",
}
# getaddrinfo's answers for a name that does not exist: Go's DNSError.IsNotFound
_NOT_FOUND = {socket.EAI_NONAME, getattr(socket, "EAI_NODATA", socket.EAI_NONAME)}
RESOLV_CONF = "/etc/resolv.conf"
# net/http's StatusText where Python's phrase differs (newer RFC names, capitals)
_GO_STATUS_TEXT = {
    413: "Request Entity Too Large",
    414: "Request URI Too Long",
    416: "Requested Range Not Satisfiable",
    418: "I'm a teapot",
    422: "Unprocessable Entity",
}
_NOT_IN_GO = {306}
# oras-go reads at most this much of an error response (errutil.maxErrorBytes)
MAX_ERROR_BODY = 8 << 10


def scrub(text: str) -> str:
    """Remove any `user:password@` that a library put into an error message."""
    return _USERINFO.sub("//", text)


def url_error(method: str, url: str, exc: aiohttp.ClientError) -> str:
    """net/http's *url.Error for a request that got no response: `Get "URL": cause`."""
    op = method[:1].upper() + method[1:].lower()
    return f"{op} {go_quote(strip_password(url))}: {go_error(exc)}"


def strip_password(url: str) -> str:
    """http.Client's stripPassword: a URL's password shown as `***` (the user name stays)."""
    head, sep, rest = url.partition("//")
    userinfo, at, host = rest.partition("@")
    if not sep or not at or "/" in userinfo or ":" not in userinfo:
        return url
    return f"{head}//{userinfo.partition(':')[0]}:***@{host}"


def go_error(exc: aiohttp.ClientError) -> str:
    """The cause net/http gives for a failed request, where it can be told apart."""
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        cert_error = exc.certificate_error
        code = getattr(cert_error, "verify_code", None)
        if code in _UNKNOWN_AUTHORITY:
            return (
                "tls: failed to verify certificate: x509: certificate signed by unknown authority"
            )
        detail = getattr(cert_error, "verify_message", "") or str(cert_error)
        return f"tls: failed to verify certificate: {detail}"
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        return "EOF"  # the server hung up (say, on a client without a certificate)
    reason = _ssl_reason(exc)
    if reason in _ALERTS:
        return f"remote error: tls: {_ALERTS[reason]}"
    if reason == "WRONG_VERSION_NUMBER":
        # A plain-HTTP server answered the TLS hello; Go sees the `HTTP/` and says so.
        return "http: server gave HTTP response to HTTPS client"
    if isinstance(exc, aiohttp.ClientConnectorDNSError) and _name_not_found(exc.os_error):
        return f"dial tcp: lookup {exc.host} on {nameserver()}: no such host"
    if isinstance(exc, aiohttp.ClientConnectorError) and isinstance(
        exc.os_error, ConnectionRefusedError
    ):
        return f"dial tcp {_dialed(exc)}: connect: connection refused"
    return scrub(str(exc)) or type(exc).__name__


def _name_not_found(error: OSError) -> bool:
    return isinstance(error, socket.gaierror) and error.errno in _NOT_FOUND


def _dialed(exc: aiohttp.ClientConnectorError) -> str:
    """The address Go names: the IP it dialled (the resolved one, not the host name)."""
    found = _CONNECT_FAILED.search(str(exc.os_error))
    host, port = (found.group(1), found.group(2)) if found else (exc.host, str(exc.port))
    return join_host_port(host, port)


def join_host_port(host: str, port: str) -> str:
    """net.JoinHostPort: an IPv6 address in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


@functools.cache
def nameserver() -> str:
    """The server Go's own resolver asks first (and names in its error): resolv.conf's first
    `nameserver`, port 53; Go's default, 127.0.0.1:53, without one. Read once: a command's
    lifetime is short, and the operator's messages only name it."""
    try:
        with open(RESOLV_CONF, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        lines = []
    for line in lines:
        fields = line.split()
        if len(fields) >= 2 and fields[0] == "nameserver":
            try:
                address = ipaddress.ip_address(fields[1])
            except ValueError:
                continue  # Go skips what does not parse as an IP address
            return join_host_port(str(address), "53")
    return "127.0.0.1:53"


def _ssl_reason(exc: BaseException) -> str:
    """OpenSSL's reason code behind an aiohttp error (`[SSL: REASON]`), if any."""
    seen: BaseException | None = exc
    for _ in range(4):
        if seen is None:
            break
        reason = getattr(seen, "reason", None) if isinstance(seen, ssl.SSLError) else None
        if isinstance(reason, str) and reason:
            return reason
        seen = getattr(seen, "os_error", None) or seen.__cause__ or seen.__context__
    found = _SSL_REASON.search(str(exc))
    return found.group(1) if found else ""


def status_text(status: int) -> str:
    """http.StatusText: "" for a code Go does not know."""
    if status in _GO_STATUS_TEXT:
        return _GO_STATUS_TEXT[status]
    try:
        return "" if status in _NOT_IN_GO else http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def registry_status_error(method: str, url: str, status: int, body: bytes) -> str:
    """oras-go's errcode.ErrorResponse for a registry's error status: the `errors` of its
    JSON body as the distribution spec writes them (`code: message: detail`, code in lower
    case with spaces), else Go's status text."""
    errors = _registry_errors(body[:MAX_ERROR_BODY])
    text = "; ".join(errors) if errors else status_text(status)
    return f"{method} {go_quote(url)}: response status code {status}: {text}"


def _registry_errors(body: bytes) -> list[str]:
    """errcode.Errors' texts, or [] when the body does not decode as oras-go decodes it."""
    try:
        doc = json.JSONDecoder().raw_decode(body.decode("utf-8").lstrip(" \t\r\n"))[0]
    except ValueError:  # a cut-off or non-JSON body: Go's status text instead
        return []
    listed = doc.get("errors") if isinstance(doc, dict) else None
    if not isinstance(listed, list) or not all(isinstance(e, dict | None) for e in listed):
        return []
    texts = []
    for entry in listed:
        entry = entry or {}
        code, message = entry.get("code"), entry.get("message")
        if not isinstance(code, str | None) or not isinstance(message, str | None):
            return []  # encoding/json's type error: the whole decode fails
        text = (code or "").replace("_", " ").lower()
        if message:
            detail = entry.get("detail")
            text += f": {message}" if detail is None else f": {message}: {format_value(detail)}"
        texts.append(text)
    return texts


def decode_error(method: str, url: str, body: bytes) -> str | None:
    """oras-go's text for a response body its json.Decoder cannot read (a tag list), or None
    when the body starts with a well-formed JSON value (what follows it is never read)."""
    problem = syntax_error(body)
    if problem is None or "after top-level value" in problem:
        return None
    if problem == "unexpected end of JSON input":  # a Decoder's words for it
        problem = "unexpected EOF" if body.strip(b" \t\r\n") else "EOF"
    return f"{method} {go_quote(url)}: failed to decode response: {problem}"
