"""`steersman get [NAME]`: HelmReleases as a table (like `flux get helmreleases`), or as the
objects themselves with `-o yaml|json`."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from steersman.api import API_VERSION, KIND
from steersman.commands.common import (
    OK,
    OpsError,
    condition,
    connect,
    print_structured,
    print_table,
    read_helmrelease,
)
from steersman.kube import UnknownKind


def ready_and_message(body: dict[str, Any]) -> tuple[str, str]:
    """Ready's status and the real cause (its message); a newer generation not yet looked at
    reads as Unknown, like kstatus does."""
    ready = condition(body, "Ready")
    if ready is None:
        return "Unknown", "waiting to be reconciled"
    generation = (body.get("metadata") or {}).get("generation")
    observed = ready.get("observedGeneration")
    message = str(ready.get("message") or ready.get("reason") or "")
    if observed is not None and generation is not None and observed != generation:
        reconciling = condition(body, "Reconciling")
        if reconciling is not None and reconciling.get("status") == "True":
            message = str(reconciling.get("message") or message)
        return "Unknown", message or "reconciliation in progress"
    return str(ready.get("status") or "Unknown"), message


def storage_driver(body: dict[str, Any]) -> str:
    status_storage = (body.get("status") or {}).get("storage") or {}
    if status_storage.get("driver"):
        return str(status_storage["driver"])
    spec_storage = (body.get("spec") or {}).get("storage") or {}
    return str(spec_storage.get("driver") or "default")


def row(body: dict[str, Any], with_namespace: bool) -> list[str]:
    meta = body.get("metadata") or {}
    history = (body.get("status") or {}).get("history") or []
    latest = history[0] if history else {}
    revision = str(latest.get("version", "")) if latest else ""
    chart = f"{latest.get('chartName')}-{latest.get('chartVersion')}" if latest else ""
    ready, message = ready_and_message(body)
    suspended = "True" if (body.get("spec") or {}).get("suspend") else "False"
    cells = [
        str(meta.get("name")),
        ready,
        revision,
        chart,
        suspended,
        storage_driver(body),
        message,
    ]
    return [str(meta.get("namespace")), *cells] if with_namespace else cells


HEADER = ["NAME", "READY", "REVISION", "CHART", "SUSPENDED", "STORAGE", "STATUS"]


def _clean(body: dict[str, Any]) -> dict[str, Any]:
    meta = dict(body.get("metadata") or {})
    meta.pop("managedFields", None)
    return {**body, "metadata": meta}


async def run(args: argparse.Namespace) -> int:
    conn = await connect(args)
    try:
        if args.name:
            if args.all_namespaces:
                raise OpsError("a NAME and --all-namespaces cannot be combined")
            items = [await read_helmrelease(conn.kube, conn.namespace, args.name)]
        else:
            namespace = None if args.all_namespaces else conn.namespace
            try:
                items = await conn.kube.list(API_VERSION, KIND, namespace)
            except UnknownKind:
                raise OpsError(
                    "the HelmRelease CRD is not installed "
                    "(kubectl apply the output of `steersman crd`)"
                ) from None
            items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    finally:
        await conn.kube.close()
    if args.output != "table":
        if args.name:
            print_structured(_clean(items[0]), args.output)
        else:
            listing = {"apiVersion": "v1", "kind": "List", "items": [_clean(i) for i in items]}
            print_structured(listing, args.output)
        return OK
    if not items:
        where = "any namespace" if args.all_namespaces else f'namespace "{conn.namespace}"'
        print(f"No HelmReleases found in {where}.", file=sys.stderr)
        return OK
    header = ["NAMESPACE", *HEADER] if args.all_namespaces else HEADER
    print_table(header, [row(i, args.all_namespaces) for i in items])
    return OK
