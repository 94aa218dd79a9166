"""Upgrade: a new revision from the current chart and values, also used to adopt a release
written by someone else and to retry after a failure (Flux's `upgrade.go`)."""

from __future__ import annotations

from steersman.api import ReleaseAction
from steersman.controller.options import upgrade_options
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.release import run_release
from steersman.controller.reconcile.request import Request
from steersman.engine import upgrade
from steersman.storage import Release


async def run(req: Request, rec: Recorder) -> Step:
    # serverSideApply: auto follows how the newest revision was applied.
    method = rec.head.apply_method if rec.head else ""

    async def perform(req: Request) -> Release:
        opts = upgrade_options(req.hr, req.where(), method, req.default_server_side_apply)
        return await upgrade(req.engine, req.chart, req.values, opts)

    return await run_release(req, rec, ReleaseAction.UPGRADE, perform)
