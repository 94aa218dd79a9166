"""Who is asking: one opaque digest of everything that decides whether a fetch may succeed.

Caches are keyed by it, so a chart or index fetched with one HelmRelease's credentials or trust
is never served to another that lacks them (a CA, a client certificate, a password). The digest
is one-way: no secret is kept in clear in a cache key, a file name or a log line.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .model import RepoAuth


def _file(path: str | None) -> bytes:
    # The content, not only the path: a CA file rewritten in place is another trust.
    if not path:
        return b""
    try:
        return Path(path).read_bytes()
    except OSError:
        return b"\0unreadable:" + path.encode()


def fetch_identity(url: str, auth: RepoAuth | None) -> str:
    """sha256 hex of the repository URL (with any userinfo) and every credential and TLS option.

    Blocking (reads CA and certificate files): call it in a thread.
    """
    a = auth or RepoAuth()
    parts: list[tuple[str, bytes]] = [
        ("url", url.encode()),
        ("username", a.username.encode()),
        ("password", a.password.encode()),
        ("ca_file", _file(a.ca_file)),
        ("ca_pem", a.ca_pem or b""),
        ("cert_file", _file(a.cert_file)),
        ("key_file", _file(a.key_file)),
        ("cert_pem", a.cert_pem or b""),
        ("key_pem", a.key_pem or b""),
        ("insecure_skip_tls_verify", b"1" if a.insecure_skip_tls_verify else b"0"),
        ("pass_credentials_all", b"1" if a.pass_credentials_all else b"0"),
        ("plain_http", b"1" if a.plain_http else b"0"),
    ]
    if a.credentials is not None:
        # a registry config's stores: named by their files (their contents are read lazily)
        parts.append(("credentials", str(a.credentials).encode()))
    h = hashlib.sha256(b"steersman-fetch-identity-v1")
    for label, value in parts:
        # Length-prefixed, so no two different identities serialise alike.
        h.update(f"\0{label}\0{len(value)}\0".encode())
        h.update(value)
    return h.hexdigest()
