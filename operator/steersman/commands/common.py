"""What every ops command shares: the connection from the user's kubeconfig (as kubectl picks
it), reading HelmReleases, printing YAML/JSON, and turning failures into one-line errors."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

import yaml

from steersman.api import API_VERSION, KIND
from steersman.errors import SteersmanError
from steersman.kube import KubeClient, KubeError, NotFound, UnknownKind

# Exit codes every ops command uses (documented in README, "Command line").
OK, ERROR, USAGE, TIMEOUT = 0, 1, 2, 3
CHANGES = 2  # `diff --detailed-exitcode`: the next upgrade would change something


class OpsError(SteersmanError):
    """A failure the user can act on; printed as `Error: <message>`, exit code 1."""


@dataclass
class Connection:
    kube: KubeClient
    namespace: str


def _kubeconfig_paths(flag: str | None) -> str:
    if flag:
        if not os.path.isfile(os.path.expanduser(flag)):
            raise OpsError(f"kubeconfig {flag!r} not found")
        return flag
    paths = os.environ.get("KUBECONFIG") or os.path.expanduser("~/.kube/config")
    if not any(os.path.isfile(os.path.expanduser(p)) for p in paths.split(os.pathsep) if p):
        raise OpsError(
            "no kubeconfig found: set --kubeconfig or KUBECONFIG, or create ~/.kube/config"
        )
    return paths


async def connect(args: argparse.Namespace) -> Connection:
    """A client for the kubeconfig and context kubectl would use, and the namespace to act in
    (`-n`, else the context's namespace, else `default`)."""
    from kubernetes_asyncio import client, config

    paths = _kubeconfig_paths(getattr(args, "kubeconfig", None))
    cfg = client.Configuration()
    try:
        loader = await config.load_kube_config(
            config_file=paths,
            context=getattr(args, "context", None),
            client_configuration=cfg,
            persist_config=False,
        )
    except (config.ConfigException, OSError, ValueError, yaml.YAMLError) as err:
        raise OpsError(f"invalid kubeconfig: {err}") from None
    namespace = getattr(args, "namespace", None)
    if not namespace:
        current = getattr(loader, "current_context", None) or {}
        context = current.get("context") if hasattr(current, "get") else None
        namespace = (context.get("namespace") if context is not None else None) or "default"
    return Connection(KubeClient(client.ApiClient(configuration=cfg)), str(namespace))


async def read_helmrelease(kube: KubeClient, namespace: str, name: str) -> dict[str, Any]:
    try:
        return await kube.get(API_VERSION, KIND, name, namespace)
    except UnknownKind:
        raise OpsError(
            "the HelmRelease CRD is not installed (kubectl apply the output of `steersman crd`)"
        ) from None
    except NotFound:
        raise OpsError(f'HelmRelease "{name}" not found in namespace "{namespace}"') from None


def helmrelease_model(body: dict[str, Any]) -> Any:
    """The typed HelmRelease, or a one-line error saying why the object is not valid."""
    from pydantic import ValidationError

    from steersman.api import HelmRelease

    try:
        return HelmRelease.from_k8s(body)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        meta = body.get("metadata") or {}
        raise OpsError(
            f"HelmRelease {meta.get('namespace')}/{meta.get('name')} is invalid: "
            f"{where}: {first['msg']}"
        ) from None


def print_structured(data: Any, output: str) -> None:
    if output == "json":
        sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")
    else:
        sys.stdout.write(yaml.safe_dump(data, sort_keys=False, default_flow_style=False))


def print_table(header: list[str], rows: list[list[str]]) -> None:
    """Left-aligned columns three spaces apart, as kubectl prints them."""
    widths = [len(h) for h in header]
    for row in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
    for row in [header, *rows]:
        cells = [c.ljust(w) for c, w in zip(row, widths, strict=True)]
        sys.stdout.write("   ".join(cells).rstrip() + "\n")


def condition(body: dict[str, Any], type: str) -> dict[str, Any] | None:
    for c in (body.get("status") or {}).get("conditions") or []:
        if isinstance(c, dict) and c.get("type") == type:
            return c
    return None


Command = Callable[[argparse.Namespace], Coroutine[Any, Any, int]]


def run_command(command: Command, args: argparse.Namespace) -> int:
    """Run one async command; every failure is one line on stderr and an exit code."""
    import asyncio

    from steersman.storage import StorageError

    try:
        return asyncio.run(command(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `steersman get | head -1`: the reader has what it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return OK
    except OpsError as err:
        message = str(err)
    except KubeError as err:
        message = str(err)
        if not message.startswith("kube-apiserver"):
            message = f"kube-apiserver: {message}"
    except StorageError as err:  # storage errors are sanitised (no DSN) by the storage layer
        message = f"release storage: {err}"
    except Exception as err:  # a traceback is a bug; the type alone can't leak a secret
        message = f"internal error ({type(err).__name__})"
    print(f"Error: {message}", file=sys.stderr)
    return ERROR
