"""Uninstall remediation: a failed install (or a failed upgrade, with the uninstall strategy)
is uninstalled, so the next reconcile installs afresh (Flux's `uninstall_remediation.go`).
Always ends the reconcile."""

from __future__ import annotations

from steersman.api import Reason
from steersman.controller.options import uninstall_options
from steersman.controller.reconcile.outcomes import Outcome, Recorder
from steersman.controller.reconcile.request import Request
from steersman.engine import FAILURES, uninstall
from steersman.errors import describe
from steersman.storage import ReleaseNotFound


async def run(req: Request, rec: Recorder) -> Outcome:
    await rec.progress("uninstall")
    opts = uninstall_options(req.hr, req.where())
    storage = req.storage()
    try:
        await uninstall(req.engine, opts)
    except (*FAILURES, ReleaseNotFound) as err:
        rec.count("uninstall", "failed")
        message = f"Helm uninstall of the failed release failed: {describe(err)}"
        return await rec.remediated(
            Reason.UNINSTALL_FAILED, message, False, storage, req.release_name
        )
    rec.count("uninstall", "succeeded")
    message = f"Helm uninstall of failed release {req.storage_ns}/{req.release_name} succeeded"
    return await rec.remediated(
        Reason.UNINSTALL_SUCCEEDED, message, True, storage, req.release_name
    )
