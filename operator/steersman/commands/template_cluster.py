"""`helm template --dry-run=server` (and the deprecated `--validate`): the cluster of the
kubeconfig gives the capabilities and answers `lookup`, and an install fails when a rendered
object already exists outside the release, as action.Install does for a server dry run.

Imported only when one of those flags is given: rendering a local chart never loads the
Kubernetes client (tests/unit/test_template_imports.py).
"""

from __future__ import annotations

import asyncio
import errno
import os
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import yaml
from kubernetes_asyncio import client, config

from steersman.chart import Capabilities, Lookup
from steersman.engine.cluster_info import cluster_capabilities, lookup_object
from steersman.errors import SteersmanError
from steersman.kube import KubeClient, KubeError, UnknownKind

# client-go's default when a kubeconfig names no cluster (clientcmd's empty config)
_NO_CLUSTER_HOST = "http://localhost:8080"


class ClusterError(SteersmanError):
    """A failure with helm's text (the caller prefixes nothing)."""


@dataclass
class KubeFlags:
    """The root command's connection flags (helm's EnvSettings)."""

    kubeconfig: str = ""
    context: str = ""
    apiserver: str = ""
    token: str = ""
    as_user: str = ""
    as_groups: tuple[str, ...] = ()
    ca_file: str = ""
    tls_server_name: str = ""
    insecure_skip_tls_verify: bool = False


class Cluster:
    """One connection, driven from synchronous code on a private event loop (the renderer's
    `lookup` calls come between loop runs, never while it runs)."""

    def __init__(self, loop: asyncio.AbstractEventLoop, kube: KubeClient, host: str) -> None:
        self._loop = loop
        self.kube = kube
        self.host = host

    def close(self) -> None:
        self._loop.run_until_complete(self.kube.close())
        self._loop.close()

    def reachable(self) -> None:
        """kube.Client.IsReachable: GET /version, failures in Go's net/http wording."""
        try:
            # with the credentials, as client-go sends them: an impersonating request
            # without them is the anonymous user's, who may not impersonate
            self._loop.run_until_complete(
                self.kube.api.call_api("/version", "GET", auth_settings=["BearerToken"])
            )
        except Exception as exc:  # every failure is "unreachable"
            raise ClusterError(
                f"kubernetes cluster unreachable: {_go_http_error(self.host + '/version', exc)}"
            ) from None

    def capabilities(self) -> Capabilities:
        try:
            return self._loop.run_until_complete(cluster_capabilities(self.kube))
        except KubeError as exc:
            raise ClusterError(f"could not get server version from Kubernetes: {exc}") from None

    def lookup(self) -> Lookup:
        def run(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
            return self._loop.run_until_complete(
                lookup_object(self.kube, api_version, kind, namespace, name)
            )

        return run

    def existing_resource_conflict(
        self, manifest: str, release: str, namespace: str, *, take_ownership: bool = False
    ) -> None:
        """action.existingResourceConflict over the release manifest (kube.Client.Build first:
        every kind must be known to the cluster); with --take-ownership (requireAdoption) an
        existing object is adopted whoever owns it."""
        self._loop.run_until_complete(self._conflicts(manifest, release, namespace, take_ownership))

    async def _conflicts(
        self, manifest: str, release: str, namespace: str, take_ownership: bool
    ) -> None:
        objects = []
        for doc in yaml.safe_load_all(manifest):
            if not isinstance(doc, dict):
                continue
            meta = doc.get("metadata") or {}
            api_version, kind = str(doc.get("apiVersion", "")), str(doc.get("kind", ""))
            name = str(meta.get("name") or "")
            try:
                res = await self.kube.resource(api_version, kind)
            except UnknownKind:
                group, _, version = api_version.rpartition("/")
                raise ClusterError(
                    "unable to build kubernetes objects from release manifest: resource mapping "
                    f'not found for name: "{name}" namespace: "{meta.get("namespace") or ""}" '
                    f'from "": no matches for kind "{kind}" in version '
                    f'"{group + "/" if group else ""}{version}"\nensure CRDs are installed first'
                ) from None
            ns = (str(meta.get("namespace") or "") or namespace) if res.namespaced else ""
            objects.append((res, ns, name, meta))
        for res, ns, name, meta in objects:
            if not name and meta.get("generateName"):
                continue
            if name and meta.get("generateName"):
                raise ClusterError(
                    "unable to continue with install: metadata.name and metadata.generateName "
                    "cannot both be set"
                )
            where = f'{res.kind} "{name}" in namespace "{ns}"'
            try:
                existing = await self.kube.request("GET", res.path(ns or None, name))
            except KubeError as exc:
                if exc.status == 404:
                    continue
                raise ClusterError(
                    "unable to continue with install: could not get information about the "
                    f"resource {where}: {exc}"
                ) from None
            problems = "" if take_ownership else _ownership_problems(existing, release, namespace)
            if problems:
                raise ClusterError(
                    f"unable to continue with install: {where} exists and cannot be imported "
                    f"into the current release: invalid ownership metadata; {problems}"
                )


def _ownership_problems(obj: dict[str, Any], release: str, namespace: str) -> str:
    """action.checkOwnership's joined errors ("" when the release may adopt the object)."""
    meta = obj.get("metadata") or {}
    labels, annotations = meta.get("labels") or {}, meta.get("annotations") or {}
    errs = []
    for what, values, key, want in (
        ("label", labels, "app.kubernetes.io/managed-by", "Helm"),
        ("annotation", annotations, "meta.helm.sh/release-name", release),
        ("annotation", annotations, "meta.helm.sh/release-namespace", namespace),
    ):
        if key not in values:
            errs.append(f'{what} validation error: missing key "{key}": must be set to "{want}"')
        elif values[key] != want:
            errs.append(
                f'{what} validation error: key "{key}" must equal "{want}": current value is '
                f'"{values[key]}"'
            )
    return "; ".join(errs)


def connect(flags: KubeFlags) -> Cluster:
    """A client as helm's RESTClientGetter builds it: the kubeconfig (--kubeconfig, else
    $KUBECONFIG, else ~/.kube/config), its context (or --kube-context), then the flags."""
    path = flags.kubeconfig or os.path.expanduser("~/.kube/config")
    doc: Any = None
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f)
    except FileNotFoundError as exc:
        if flags.kubeconfig:  # an explicit path must exist (clientcmd's ExplicitPath)
            raise ClusterError(
                f"kubernetes cluster unreachable: stat {path}: {_strerror(exc)}"
            ) from None
    except (OSError, yaml.YAMLError) as exc:
        raise ClusterError(f"kubernetes cluster unreachable: {exc}") from None
    loop = asyncio.new_event_loop()
    try:
        kube, host = loop.run_until_complete(_client(flags, path, doc))
    except BaseException:
        loop.close()
        raise
    return Cluster(loop, kube, host)


async def _client(flags: KubeFlags, path: str, doc: Any) -> tuple[KubeClient, str]:
    cfg = client.Configuration()
    host = _NO_CLUSTER_HOST
    if isinstance(doc, dict) and (flags.context or doc.get("current-context")):
        try:
            await config.load_kube_config(
                config_file=path,
                context=flags.context or None,
                client_configuration=cfg,
                persist_config=False,
            )
        except (config.ConfigException, ValueError, KeyError) as exc:
            raise ClusterError(f"kubernetes cluster unreachable: {exc}") from None
        host = str(cfg.host)
    elif flags.context:
        raise ClusterError(
            f'kubernetes cluster unreachable: context "{flags.context}" does not exist'
        )
    if flags.apiserver:
        host = flags.apiserver
    cfg.host = host
    if flags.token:
        cfg.api_key = {"BearerToken": f"Bearer {flags.token}"}
    if flags.ca_file:
        cfg.ssl_ca_cert = flags.ca_file
    if flags.tls_server_name:
        cfg.tls_server_name = flags.tls_server_name
    if flags.insecure_skip_tls_verify:
        cfg.verify_ssl = False
    api = client.ApiClient(configuration=cfg)
    if flags.as_user:
        api.default_headers["Impersonate-User"] = flags.as_user
    # One Impersonate-Group header per group, as client-go sends them (the apiserver reads
    # every value; a comma list would be one group). The generated client merges its headers
    # into a plain dict, which keeps one value per name, so the groups go into the aiohttp
    # session's own default headers, a multidict that every request starts from.
    for group in flags.as_groups:
        api.rest_client.pool_manager.headers.add("Impersonate-Group", group)
    return KubeClient(api), host.rstrip("/")


def _strerror(exc: OSError) -> str:
    return os.strerror(exc.errno).lower() if exc.errno else str(exc)


def _go_http_error(url: str, exc: BaseException) -> str:
    """`Get "URL": dial tcp IP:PORT: connect: connection refused`, as Go's net/http says it."""
    import aiohttp

    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    host = parts.hostname or ""
    if isinstance(exc, aiohttp.ClientConnectorError):
        os_error = exc.os_error
        if isinstance(os_error, socket.gaierror):
            return f'Get "{url}": dial tcp: lookup {host}: no such host'
        address = f"{_resolved(host)}:{port}"
        if os_error.errno == errno.ECONNREFUSED:
            return f'Get "{url}": dial tcp {address}: connect: connection refused'
        if isinstance(os_error, TimeoutError):
            return f'Get "{url}": dial tcp {address}: i/o timeout'
        return f'Get "{url}": dial tcp {address}: connect: {_strerror(os_error)}'
    if isinstance(exc, asyncio.TimeoutError):
        return f'Get "{url}": context deadline exceeded'
    return f'Get "{url}": {exc}'


def _resolved(host: str) -> str:
    """The address Go's dialer names: the host's first IPv4 address (an IP stays as it is)."""
    try:
        infos = socket.getaddrinfo(host, None, socket.AF_INET)
    except OSError:
        return host
    return str(infos[0][4][0]) if infos else host
