"""Kubeconfigs of remote clusters (a HelmRelease's `spec.kubeConfig`), held in Secrets that
tenants write: read in memory, checked, and turned into an API client.

As Flux does, only what the kubeconfig itself carries is used: the server, its CA, client
certificate and key, a token or a username and password. Unlike Flux, which drops what it will
not use without a word, whatever else would change what the operator does is refused with a
message naming it: paths to files (they would be read from the operator's own filesystem, its
service-account token included), auth providers, and, unless the admin allows them by flag
(Flux's names), `exec` commands and `insecure-skip-tls-verify: true`. Messages never quote the
kubeconfig's values, which may be credentials.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import yaml
from kubernetes_asyncio import client
from kubernetes_asyncio.config.config_exception import ConfigException
from kubernetes_asyncio.config.exec_provider import ExecProvider
from kubernetes_asyncio.config.kube_config import ConfigNode

from steersman.kube.errors import KubeError
from steersman.kube.session import new_api_client

EXEC_FLAG = "--insecure-kubeconfig-exec"
TLS_FLAG = "--insecure-kubeconfig-tls"
# Fields naming files on the machine that reads the kubeconfig.
FILE_FIELDS = ("certificate-authority", "client-certificate", "client-key", "tokenFile")


class KubeConfigError(KubeError):
    """The kubeconfig cannot be used; the message says why, never quoting its values."""


class InsecureKubeConfig(KubeConfigError):
    """The kubeconfig asks for something the admin has not allowed; `flag` would allow it."""

    def __init__(self, message: str, flag: str) -> None:
        super().__init__(message)
        self.flag = flag


@dataclass(frozen=True)
class RemoteConfig:
    """The parts of a kubeconfig's current context the client is made of."""

    server: str
    ca_data: bytes | None = None
    cert_data: bytes | None = None
    key_data: bytes | None = None
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    insecure: bool = False
    tls_server_name: str | None = None
    proxy_url: str | None = None
    exec: Mapping[str, Any] | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        """The server without any userinfo, for messages."""
        parts = urlsplit(self.server)
        return f"{parts.scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}"


def parse(raw: bytes) -> RemoteConfig:
    """The current context of a kubeconfig (YAML or JSON), or KubeConfigError."""
    try:
        doc = yaml.safe_load(raw)
    except yaml.MarkedYAMLError as err:  # its text quotes the input: the line number only
        line = err.problem_mark.line + 1 if err.problem_mark is not None else 0
        raise KubeConfigError(f"the kubeconfig is not valid YAML (line {line})") from None
    except (yaml.YAMLError, UnicodeDecodeError):
        raise KubeConfigError("the kubeconfig is not valid YAML") from None
    if not isinstance(doc, dict):
        raise KubeConfigError("the kubeconfig is not a YAML mapping (apiVersion: v1, kind: Config)")
    context_name = doc.get("current-context")
    if not context_name:
        raise KubeConfigError("the kubeconfig has no current-context")
    context = _named(doc, "contexts", "context", str(context_name))
    cluster = _named(doc, "clusters", "cluster", str(context.get("cluster") or ""))
    user_name = context.get("user")
    user = _named(doc, "users", "user", str(user_name)) if user_name else {}
    server = cluster.get("server")
    if not isinstance(server, str) or urlsplit(server).scheme not in ("https", "http"):
        raise KubeConfigError("the kubeconfig's cluster has no https:// (or http://) server")
    for fields, where in ((cluster, "cluster"), (user, "user")):
        for name in FILE_FIELDS:
            if fields.get(name):
                raise KubeConfigError(
                    f"the kubeconfig's {where} names a file ({name}): files are not read from "
                    f"the operator's machine; put the content inline ({_inline(name)})"
                )
    if user.get("auth-provider"):
        raise KubeConfigError(
            "the kubeconfig's user uses an auth-provider, which is not supported: use a token, "
            "a client certificate, or an exec command"
        )
    return RemoteConfig(
        server=server,
        ca_data=_b64(cluster, "certificate-authority-data"),
        cert_data=_b64(user, "client-certificate-data"),
        key_data=_b64(user, "client-key-data"),
        token=_text(user, "token"),
        username=_text(user, "username"),
        password=_text(user, "password"),
        insecure=cluster.get("insecure-skip-tls-verify") is True,
        tls_server_name=_text(cluster, "tls-server-name"),
        proxy_url=_text(cluster, "proxy-url"),
        exec=user.get("exec") if isinstance(user.get("exec"), dict) else None,
    )


def check(cfg: RemoteConfig, *, allow_exec: bool, allow_insecure_tls: bool) -> None:
    """Refuse what the admin has not allowed (InsecureKubeConfig naming the flag)."""
    if cfg.exec is not None and not allow_exec:
        raise InsecureKubeConfig(
            "the kubeconfig's user runs an exec command (users[].user.exec), which the operator "
            f"refuses unless started with {EXEC_FLAG}: use a token or a client certificate",
            EXEC_FLAG,
        )
    if cfg.insecure and not allow_insecure_tls:
        raise InsecureKubeConfig(
            "the kubeconfig's cluster turns TLS verification off (insecure-skip-tls-verify: "
            f"true), which the operator refuses unless started with {TLS_FLAG}: give the "
            "server's CA in certificate-authority-data instead",
            TLS_FLAG,
        )


async def api_client(cfg: RemoteConfig) -> tuple[client.ApiClient, float | None]:
    """An ApiClient for `cfg` (running its exec command first, if any), and when the
    credentials expire (time.time() seconds), if they do."""
    token, cert, key, expires = cfg.token, cfg.cert_data, cfg.key_data, None
    if cfg.exec is not None:
        token, cert, key, expires = await _run_exec(cfg.exec, token, cert, key)
    conf = client.Configuration()
    conf.host = cfg.server.rstrip("/")
    conf.verify_ssl = not cfg.insecure
    conf.tls_server_name = cfg.tls_server_name
    conf.proxy = cfg.proxy_url
    if token:
        conf.api_key["BearerToken"] = f"Bearer {token}"
    elif cfg.username is not None and cfg.password is not None:
        basic = base64.b64encode(f"{cfg.username}:{cfg.password}".encode()).decode()
        conf.api_key["BearerToken"] = f"Basic {basic}"
    # The client's TLS context loads PEM files only: they live in a private directory just
    # long enough to be loaded, then go (nothing of the kubeconfig stays on disk).
    files = {"ca": cfg.ca_data, "cert": cert, "key": key}
    folder = await asyncio.to_thread(_write_private, files)
    try:
        if cfg.ca_data:
            conf.ssl_ca_cert = os.path.join(folder, "ca")
        if cert and key:
            conf.cert_file = os.path.join(folder, "cert")
            conf.key_file = os.path.join(folder, "key")
        try:
            api = new_api_client(conf)
        except (OSError, ValueError):  # ssl.SSLError is an OSError
            raise KubeConfigError(
                "the kubeconfig's certificate-authority-data, client-certificate-data or "
                "client-key-data is not a valid PEM certificate or key"
            ) from None
    finally:
        await asyncio.to_thread(shutil.rmtree, folder, True)
    return api, expires


def _write_private(files: Mapping[str, bytes | None]) -> str:
    folder = tempfile.mkdtemp(prefix="steersman-kubeconfig-")  # mode 0700
    for name, data in files.items():
        if data:
            with open(os.path.join(folder, name), "wb") as out:
                out.write(data)
    return folder


async def _run_exec(
    spec: Mapping[str, Any], token: str | None, cert: bytes | None, key: bytes | None
) -> tuple[str | None, bytes | None, bytes | None, float | None]:
    command = str(spec.get("command") or "")
    try:
        status = await ExecProvider(ConfigNode("exec", dict(spec))).run()
    except (ConfigException, OSError, RuntimeError):  # its text may quote the plugin's stderr
        raise KubeConfigError(
            f"the kubeconfig's exec command {command!r} failed or printed no ExecCredential"
        ) from None
    if not isinstance(status, dict):
        raise KubeConfigError(f"the kubeconfig's exec command {command!r} printed no status")
    if status.get("token"):
        token = str(status["token"])
    elif status.get("clientCertificateData") and status.get("clientKeyData"):
        cert = str(status["clientCertificateData"]).encode()
        key = str(status["clientKeyData"]).encode()
    else:
        raise KubeConfigError(
            f"the kubeconfig's exec command {command!r} printed neither a token nor a client "
            "certificate and key"
        )
    expires = None
    stamp = status.get("expirationTimestamp")
    if isinstance(stamp, str) and stamp:
        try:
            expires = datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
        except ValueError:
            expires = time.time()  # unreadable: treat it as short-lived
    return token, cert, key, expires


def _named(doc: Mapping[str, Any], section: str, inner: str, name: str) -> dict[str, Any]:
    for item in doc.get(section) or []:
        if isinstance(item, dict) and item.get("name") == name:
            body = item.get(inner)
            return body if isinstance(body, dict) else {}
    raise KubeConfigError(f"the kubeconfig has no entry {name!r} in {section}")


def _text(fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    return str(value) if value not in (None, "") else None


def _b64(fields: Mapping[str, Any], name: str) -> bytes | None:
    value = fields.get(name)
    if not value:
        return None
    try:
        return base64.b64decode("".join(str(value).split()), validate=True)
    except (binascii.Error, ValueError):
        raise KubeConfigError(f"the kubeconfig's {name} is not valid base64") from None


def _inline(name: str) -> str:
    return "token" if name == "tokenFile" else f"{name}-data"
