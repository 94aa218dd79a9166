"""Registry credentials from docker's config.json format: a `kubernetes.io/dockerconfigjson`
Secret (`.dockerconfigjson`) as Flux reads a HelmRepository's secretRef of that type, and
helm's --registry-config as oras-go's credentials store reads it (credential helpers too)."""

from __future__ import annotations

import base64
import binascii
import json
import shutil
from dataclasses import dataclass, field, replace
from typing import Any

from steersman.golang.jsonout import json_kind

from .credhelper import helper_get, on_path
from .errors import AuthFailed, InvalidReference
from .model import RegistryCredential


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
    config or has no credentials for that registry.

    `credHelpers` and `credsStore` are ignored: a cluster Secret has no helper programs to run,
    and the operator never runs programs a Secret names. (Flux hands the document to docker
    cli's config package, which would try to run the helper and fail in its image.)"""
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


# -- helm's registry config (oras-go's credentials store), for `steersman template` --


@dataclass(frozen=True)
class RegistryConfig:
    """A docker config.json as oras-go's DynamicStore reads it. `detected_store` is the helper
    oras-go picks when the file configures nothing (DetectDefaultNativeStore, as helm asks)."""

    path: str
    auths: dict[str, Any]
    creds_store: str = ""
    cred_helpers: dict[str, str] = field(default_factory=dict)
    detected_store: str = ""

    @classmethod
    def from_document(cls, path: str, doc: object) -> RegistryConfig:
        """From a decoded document (its shape already checked, see template_regconfig)."""
        d: dict[str, Any] = doc if isinstance(doc, dict) else {}
        auths: dict[str, Any] = d["auths"] if isinstance(d.get("auths"), dict) else {}
        helpers: dict[str, Any] = d["credHelpers"] if isinstance(d.get("credHelpers"), dict) else {}
        store = d["credsStore"] if isinstance(d.get("credsStore"), str) else ""
        cfg = cls(path, dict(auths), str(store), {str(k): str(v) for k, v in helpers.items()})
        if not (cfg.creds_store or cfg.cred_helpers or cfg.auths):
            default = "pass" if shutil.which("pass") else "secretservice"
            if on_path(default):
                return replace(cfg, detected_store=default)
        return cfg

    def helper_for(self, server: str) -> str:
        """credHelpers[server] (its exact key), else credsStore: the helper to ask, or ""."""
        return self.cred_helpers.get(server) or self.creds_store or self.detected_store

    async def credential(self, server: str) -> RegistryCredential:
        helper = self.helper_for(server)
        if helper:
            return await helper_get(helper, server)
        return self.auths_credential(server)

    def auths_credential(self, server: str) -> RegistryCredential:
        """The `auths` entry for `server`: its exact key, else a key that is the same host
        once `http(s)://` and any path are cut (no case folding, as oras-go)."""
        entry = self.auths.get(server)
        if entry is None:
            entry = next((v for k, v in self.auths.items() if _to_hostname(k) == server), None)
            if entry is None:
                return RegistryCredential()
        return _auth_config_credential(entry)


def _to_hostname(key: str) -> str:
    key = key.removeprefix("http://").removeprefix("https://")
    return key.partition("/")[0]


_AUTH_FIELDS = {
    "auth": "auth",
    "identitytoken": "identitytoken",
    "registrytoken": "registrytoken",
    "username": "username",
    "password": "password",
}


def _auth_config_credential(entry: object) -> RegistryCredential:
    """json.Unmarshal into oras-go's AuthConfig, then its Credential(): `auth` (base64 of
    user:password) wins over the legacy username/password fields."""
    invalid = "failed to unmarshal auth field: invalid config format: "
    if entry is None:
        return RegistryCredential()
    if not isinstance(entry, dict):
        raise InvalidReference(
            invalid + f"json: cannot unmarshal {json_kind(entry)} into Go value of type "
            "config.AuthConfig"
        )
    got: dict[str, str] = {}
    for key, value in entry.items():
        name = _AUTH_FIELDS.get(str(key).lower())
        if name is None or value is None:
            continue
        if not isinstance(value, str):
            raise InvalidReference(
                invalid + f"json: cannot unmarshal {json_kind(value)} into Go struct field "
                f"AuthConfig.{name} of type string"
            )
        got[name] = value
    username, password = got.get("username", ""), got.get("password", "")
    if got.get("auth"):
        username, password = _decode_auth(got["auth"])
    return RegistryCredential(
        username, password, got.get("identitytoken", ""), got.get("registrytoken", "")
    )


def _decode_auth(text: str) -> tuple[str, str]:
    bad = "failed to decode auth field: invalid config format: "
    cleaned = text.replace("\r", "").replace("\n", "")  # Go's decoder skips newlines
    try:
        if len(cleaned) % 4:  # Python would take surplus padding that Go refuses
            raise binascii.Error
        decoded = base64.b64decode(cleaned, validate=True)
    except binascii.Error:
        at = _bad_byte(text)
        raise InvalidReference(bad + f"illegal base64 data at input byte {at}") from None
    username, sep, password = decoded.decode("utf-8", "replace").partition(":")
    if not sep:
        # oras-go quotes the decoded text here; it is likely the secret itself, so we do not.
        raise InvalidReference(bad + "auth does not conform the base64(username:password) format")
    return username, password


_B64 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def _bad_byte(text: str) -> int:
    """Where Go's base64.StdEncoding.DecodeString reports a CorruptInputError: its
    decodeQuantum walked over the input (newlines skipped, `=` only as final padding)."""
    data, si = text.encode(), 0
    while si < len(data):
        j = 0
        while j < 4:
            if si == len(data):
                return si - j  # an incomplete last quantum
            c = data[si]
            si += 1
            if c in _B64:
                j += 1
                continue
            if c in b"\r\n":
                continue
            if c != ord("=") or j < 2:
                return si - 1
            if j == 2:  # a second `=` must follow
                while si < len(data) and data[si] in b"\r\n":
                    si += 1
                if si == len(data):
                    return len(data)
                if data[si] != ord("="):
                    return si - 1
                si += 1
            while si < len(data) and data[si] in b"\r\n":
                si += 1
            return si  # whatever follows the padding
    return len(data)


class RegistryStores:
    """helm's credential store: its registry config, then Docker's config.json as fallback
    (oras-go's NewStoreWithFallbacks: the first non-empty credential, any error at once)."""

    def __init__(self, configs: list[RegistryConfig]) -> None:
        self._configs = configs

    def __str__(self) -> str:
        return "registry config stores: " + ", ".join(c.path for c in self._configs)

    async def __call__(self, host: str) -> RegistryCredential:
        # oras-go's ServerAddressFromHostname: Docker Hub's credentials live under its v1 URL
        server = "https://index.docker.io/v1/" if host == "registry-1.docker.io" else host
        for cfg in self._configs:
            try:
                cred = await cfg.credential(server)
            except InvalidReference as exc:
                raise AuthFailed(str(exc)) from None
            if not cred.is_empty:
                return cred
        return RegistryCredential()
