"""Install: the first release of a HelmRelease (Flux's `install.go`)."""

from __future__ import annotations

from steersman.api import ReleaseAction
from steersman.controller.options import install_options
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.release import run_release
from steersman.controller.reconcile.request import Request
from steersman.engine import install
from steersman.storage import Release


async def run(req: Request, rec: Recorder) -> Step:
    # A failed install is installed over; an uninstalled one kept with history may be reused.
    newest = str(rec.head.info.status) if rec.head else None

    async def perform(req: Request) -> Release:
        opts = install_options(req.hr, req.where(), newest, req.default_server_side_apply)
        return await install(req.engine, req.chart, req.values, opts)

    return await run_release(req, rec, ReleaseAction.INSTALL, perform)
