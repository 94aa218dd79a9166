"""`steersman suspend NAME` / `steersman resume NAME`: set spec.suspend. Resume also asks for a
reconcile and, unless `--wait=false`, waits for Ready like `flux resume helmrelease`."""

from __future__ import annotations

import argparse

from steersman.api import API_VERSION, KIND
from steersman.commands.common import OK, connect, read_helmrelease
from steersman.commands.reconcile import (
    request_reconcile,
    say,
    timeout_seconds,
    wait_for_reconcile,
)


async def suspend(args: argparse.Namespace) -> int:
    conn = await connect(args)
    try:
        await read_helmrelease(conn.kube, conn.namespace, args.name)  # clear error if missing
        say("►", f"suspending HelmRelease {args.name} in namespace {conn.namespace}")
        await conn.kube.merge_patch(
            API_VERSION, KIND, args.name, conn.namespace, {"spec": {"suspend": True}}
        )
        say("✔", "HelmRelease suspended")
        return OK
    finally:
        await conn.kube.close()


async def resume(args: argparse.Namespace) -> int:
    timeout = timeout_seconds(args.timeout)
    conn = await connect(args)
    try:
        await read_helmrelease(conn.kube, conn.namespace, args.name)
        say("►", f"resuming HelmRelease {args.name} in namespace {conn.namespace}")
        token = await request_reconcile(
            conn.kube, conn.namespace, args.name, spec={"suspend": False}
        )
        say("✔", "HelmRelease resumed")
        if not args.wait:
            return OK
        return await wait_for_reconcile(conn.kube, conn.namespace, args.name, token, timeout)
    finally:
        await conn.kube.close()
