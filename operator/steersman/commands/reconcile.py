"""`steersman reconcile NAME`: ask the operator to reconcile now (the annotations it already
watches), then follow the HelmRelease's conditions until it is Ready or failed, like
`flux reconcile helmrelease`. `wait_for_reconcile` is shared with `resume`."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import sys
import time
from typing import Any

from steersman.api import API_VERSION, KIND, annotation_names, parse_duration
from steersman.commands.common import (
    ERROR,
    OK,
    TIMEOUT,
    OpsError,
    condition,
    connect,
    read_helmrelease,
)
from steersman.kube import KubeClient

POLL_SECONDS = 0.5
ASCII_MARKS = {"►": ">", "✔": "+", "✗": "x", "◎": "~"}


def timeout_seconds(text: str) -> float:
    try:
        seconds = parse_duration(text)
    except ValueError as err:
        raise OpsError(f"--timeout: {err}") from None
    if seconds <= 0:
        raise OpsError("--timeout must be positive")
    return seconds


def say(mark: str, text: str) -> None:
    """Progress goes to stderr (as flux does), so stdout stays clean for scripts."""
    line = f"{mark} {text}"
    encoding = getattr(sys.stderr, "encoding", None) or "ascii"
    if line.encode(encoding, "replace").decode(encoding) != line:  # no UTF-8 terminal
        line = f"{ASCII_MARKS.get(mark, mark)} {text}"
    print(line, file=sys.stderr, flush=True)


def _snapshot(body: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    found = (body.get("status") or {}).get("conditions") or []
    return [
        (str(c.get("type")), str(c.get("status")), str(c.get("reason")), str(c.get("message")))
        for c in found
        if isinstance(c, dict)
    ]


def _outcome(body: dict[str, Any]) -> tuple[bool, str] | None:
    """(ready, message) once the operator has looked at the current generation, else None."""
    ready = condition(body, "Ready")
    generation = (body.get("metadata") or {}).get("generation")
    if ready is None or ready.get("observedGeneration") not in (None, generation):
        return None
    reconciling = condition(body, "Reconciling")
    if reconciling is not None and reconciling.get("status") == "True":
        return None
    return ready.get("status") == "True", str(ready.get("message") or ready.get("reason"))


def _applied(body: dict[str, Any]) -> str:
    history = (body.get("status") or {}).get("history") or []
    if not history:
        return ""
    latest = history[0]
    return (
        f"revision {latest.get('version')} ({latest.get('chartName')}-{latest.get('chartVersion')})"
    )


async def wait_for_reconcile(
    kube: KubeClient, namespace: str, name: str, token: str, within: float
) -> int:
    """Print each condition change until the operator has handled `token` and Ready is
    settled; exit code 0 Ready, 1 not Ready, 3 timed out."""
    say("◎", "waiting for HelmRelease reconciliation")
    deadline = time.monotonic() + within
    seen: set[tuple[str, str, str, str]] = set(
        _snapshot(await read_helmrelease(kube, namespace, name))
    )
    while True:
        body = await read_helmrelease(kube, namespace, name)
        for item in _snapshot(body):
            if item not in seen:
                seen.add(item)
                type_, status, reason, message = item
                say(" ", f"{type_}={status} {reason}: {message}")
        handled = (body.get("status") or {}).get("lastHandledReconcileAt") == token
        outcome = _outcome(body) if handled else None
        if outcome is not None:
            ready, message = outcome
            if ready:
                say("✔", "HelmRelease reconciliation completed")
                applied = _applied(body)
                if applied:
                    say("✔", f"applied {applied}")
                return OK
            say("✗", f"HelmRelease reconciliation failed: {message}")
            return ERROR
        if time.monotonic() >= deadline:
            say("✗", f"timed out after {within:g}s waiting for HelmRelease {namespace}/{name}")
            return TIMEOUT
        await asyncio.sleep(POLL_SECONDS)


async def request_reconcile(
    kube: KubeClient,
    namespace: str,
    name: str,
    *,
    force: bool = False,
    reset: bool = False,
    spec: dict[str, Any] | None = None,
) -> str:
    """Set the reconcile annotation (and force/reset) to a fresh token; returns the token."""
    token = f"{int(time.time())}-{secrets.token_hex(3)}"
    annotations = {annotation_names.RECONCILE: token}
    if force:
        annotations[annotation_names.FORCE] = token
    if reset:
        annotations[annotation_names.RESET] = token
    patch: dict[str, Any] = {"metadata": {"annotations": annotations}}
    if spec is not None:
        patch["spec"] = spec
    await kube.merge_patch(API_VERSION, KIND, name, namespace, patch)
    return token


async def run(args: argparse.Namespace) -> int:
    timeout = timeout_seconds(args.timeout)
    conn = await connect(args)
    try:
        body = await read_helmrelease(conn.kube, conn.namespace, args.name)
        if (body.get("spec") or {}).get("suspend"):
            raise OpsError(
                f"HelmRelease {conn.namespace}/{args.name} is suspended: "
                f"run `steersman resume {args.name}` first"
            )
        say("►", f"annotating HelmRelease {args.name} in namespace {conn.namespace}")
        token = await request_reconcile(
            conn.kube, conn.namespace, args.name, force=args.force, reset=args.reset
        )
        say("✔", "HelmRelease annotated")
        return await wait_for_reconcile(conn.kube, conn.namespace, args.name, token, timeout)
    finally:
        await conn.kube.close()
