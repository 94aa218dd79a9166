"""`steersman history NAME`: the revisions of a HelmRelease's Helm release, read from the
storage it uses (driver and namespace as the operator picks them), in `helm history` columns."""

from __future__ import annotations

import argparse
from datetime import datetime
from typing import Any

from steersman.commands.common import (
    OK,
    OpsError,
    connect,
    helmrelease_model,
    print_structured,
    print_table,
    read_helmrelease,
)
from steersman.commands.release_cluster import release_cluster
from steersman.storage import (
    PLAIN,
    DriverKind,
    RecordCodec,
    Release,
    StorageBackend,
    StorageConfigError,
    load_codec,
    load_sql_dsn,
    normalize_driver_name,
)


def default_driver(flag: str | None) -> DriverKind:
    """Like `steersman run`: the flag, then STEERSMAN_HELM_STORAGE_DRIVER, then HELM_DRIVER."""
    import os

    name = flag or os.environ.get("STEERSMAN_HELM_STORAGE_DRIVER") or os.environ.get("HELM_DRIVER")
    try:
        return normalize_driver_name(name or "")
    except StorageConfigError as err:
        raise OpsError(f"--helm-storage-driver: {err}") from None


def where_records_live(hr: Any, flag: str | None) -> tuple[DriverKind, str]:
    """spec.storage.driver, else the driver the operator recorded in status.storage (its
    default at the time), else the default given here; the namespace from spec.storageNamespace."""
    if hr.spec.storage_driver is not None:
        kind = DriverKind(hr.spec.storage_driver.value)
    elif hr.status.storage is not None:
        kind = DriverKind(hr.status.storage.driver.value)
    else:
        kind = default_driver(flag)
    return kind, hr.spec.storage_namespace or hr.namespace


async def record_codec(args: argparse.Namespace, kube: Any, *, seal: bool) -> RecordCodec:
    """The keys from the flags (else STEERSMAN_RELEASE_RECORD_KEYS[_SECRET], as `run` reads
    them); `seal` makes writes encrypted with the first key."""
    import os

    keys_file = args.release_record_keys or os.environ.get("STEERSMAN_RELEASE_RECORD_KEYS")
    keys_secret = args.release_record_keys_secret or os.environ.get(
        "STEERSMAN_RELEASE_RECORD_KEYS_SECRET"
    )
    try:
        return await load_codec(
            seal_writes=seal, keys_file=keys_file, keys_secret=keys_secret, kube=kube
        )
    except StorageConfigError as err:
        raise OpsError(str(err)) from None


def open_backend(
    kind: DriverKind, api: Any, dsn_file: str | None, codec: RecordCodec = PLAIN
) -> StorageBackend:
    if kind is DriverKind.MEMORY:
        raise OpsError(
            "the release uses memory storage, which lives inside the operator process "
            "and cannot be read from outside"
        )
    if kind is DriverKind.SQL:
        from steersman.storage.sql import SqlPools

        try:
            dsn = load_sql_dsn(dsn_file)
        except StorageConfigError as err:
            raise OpsError(f"{err} (or pass --sql-connection-string-file)") from None
        return StorageBackend(kind, sql_pools=SqlPools(dsn), codec=codec)
    return StorageBackend(kind, api_client=api, codec=codec)


def _time(rel: Release) -> str:
    """helm's `UPDATED`: last_deployed in Go's ANSIC layout, local time."""
    t = rel.info.last_deployed
    if t is None or t.is_zero:
        return ""
    return datetime.fromtimestamp(t.unix_seconds()).astimezone().strftime("%a %b %e %H:%M:%S %Y")


def _chart(rel: Release) -> tuple[str, str]:
    meta = rel.chart.metadata if rel.chart is not None else None
    if meta is None:
        return "MISSING", ""
    return f"{meta.name}-{meta.version}", meta.app_version


def entry(rel: Release) -> dict[str, Any]:
    """One revision the way `helm history -o json` writes it."""
    chart, app_version = _chart(rel)
    t = rel.info.last_deployed
    return {
        "revision": rel.version,
        "updated": t.format() if t is not None else "",
        "status": str(rel.info.status),
        "chart": chart,
        "app_version": app_version,
        "description": rel.info.description,
    }


async def run(args: argparse.Namespace) -> int:
    conn = await connect(args)
    backend: StorageBackend | None = None
    try:
        hr = helmrelease_model(await read_helmrelease(conn.kube, conn.namespace, args.name))
        kind, storage_ns = where_records_live(hr, args.helm_storage_driver)
        codec = await record_codec(args, conn.kube, seal=False)
        release_name = hr.spec.effective_release_name(hr.name)
        async with release_cluster(conn.kube, hr, args) as kube:
            backend = open_backend(kind, kube.api, args.sql_connection_string_file, codec)
            revisions = await backend.storage(storage_ns).history(release_name)
    finally:
        if backend is not None:
            await backend.close()
        await conn.kube.close()
    if not revisions:
        raise OpsError(
            f'release "{release_name}" has no revisions in {kind} storage in namespace '
            f'"{storage_ns}"'
        )
    revisions = revisions[-args.max :] if args.max > 0 else revisions
    if args.output != "table":
        print_structured([entry(r) for r in revisions], args.output)
        return OK
    rows = []
    for rel in revisions:
        chart, app_version = _chart(rel)
        rows.append(
            [str(rel.version), _time(rel), str(rel.info.status), chart, app_version,
             rel.info.description]
        )  # fmt: skip
    print_table(["REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION", "DESCRIPTION"], rows)
    return OK
