"""Registry credentials from a `kubernetes.io/dockerconfigjson` Secret (`.dockerconfigjson`, the
format of `~/.docker/config.json`), as Flux reads a HelmRepository's secretRef of that type."""

from __future__ import annotations

import base64
import binascii
import json

from .errors import InvalidReference


def _hostname(key: str) -> str:
    # Docker's rule for `auths` keys: `https://host/v1/`, `http://host` and `host` are the same.
    key = key.strip()
    for prefix in ("https://", "http://"):
        if key.lower().startswith(prefix):
            key = key[len(prefix) :]
            break
    return key.split("/", 1)[0].lower()


def registry_credentials(data: bytes, registry: str) -> tuple[str, str]:
    """(username, password) for `registry` (host[:port]) from a docker config.json document.

    Raises InvalidReference (no secrets in the message) for a document that is not a docker
    config or has no credentials for that registry."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise InvalidReference(".dockerconfigjson is not valid JSON") from None
    auths = doc.get("auths") if isinstance(doc, dict) else None
    if not isinstance(auths, dict):
        raise InvalidReference(".dockerconfigjson has no 'auths' object")
    wanted = registry.lower()
    for key, entry in auths.items():
        if not isinstance(entry, dict) or _hostname(str(key)) != wanted:
            continue
        username = str(entry.get("username") or "")
        password = str(entry.get("password") or "")
        if not (username and password) and entry.get("auth"):
            try:
                decoded = base64.b64decode(str(entry["auth"]), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise InvalidReference(
                    f".dockerconfigjson: the 'auth' of {wanted} is not base64 of user:password"
                ) from None
            username, sep, password = decoded.partition(":")
            if not sep:
                raise InvalidReference(
                    f".dockerconfigjson: the 'auth' of {wanted} is not base64 of user:password"
                )
        if username and password:
            return username, password
        raise InvalidReference(f".dockerconfigjson has no username and password for {wanted}")
    raise InvalidReference(f".dockerconfigjson has no credentials for registry {wanted}")
