"""Rollback remediation: a failed upgrade is rolled back to the newest successful revision
before it (Flux's `rollback_remediation.go`). Always ends the reconcile."""

from __future__ import annotations

from steersman.api import Reason
from steersman.controller.options import rollback_options
from steersman.controller.reconcile.messages import release_text
from steersman.controller.reconcile.outcomes import Outcome, Recorder
from steersman.controller.reconcile.request import Request
from steersman.engine import FAILURES, rollback
from steersman.errors import describe
from steersman.storage import Release, ReleaseNotFound


def rollback_target(history: list[Release]) -> int | None:
    """The newest deployed or superseded revision older than the newest one."""
    newest = history[-1].version if history else 0
    targets = [
        r.version
        for r in history
        if r.version < newest and str(r.info.status) in ("deployed", "superseded")
    ]
    return targets[-1] if targets else None


async def run(req: Request, rec: Recorder) -> Outcome:
    await rec.progress("rollback")
    storage = req.storage()
    history = await storage.history(req.release_name)
    version = rollback_target(history)
    if version is None:
        return await rec.stall(
            Reason.MISSING_ROLLBACK_TARGET,
            f"no successful revision of {req.release_name} to roll back to",
        )
    try:
        method = history[-1].apply_method if history else ""
        opts = rollback_options(req.hr, req.where(), version, method, req.default_server_side_apply)
        rel = await rollback(req.engine, opts)
    except (*FAILURES, ReleaseNotFound) as err:
        rec.count("rollback", "failed")
        message = f"Helm rollback to v{version} failed: {describe(err)}"
        return await rec.remediated(
            Reason.ROLLBACK_FAILED, message, False, storage, req.release_name
        )
    rec.count("rollback", "succeeded")
    message = f"Helm rollback to v{version} succeeded: {release_text(rel)}"
    return await rec.remediated(Reason.ROLLBACK_SUCCEEDED, message, True, storage, req.release_name)
