"""A new release name or target namespace is a different release: the old one is uninstalled
(as Flux does) and the history starts afresh."""

from __future__ import annotations

import contextlib

from steersman.api import Reason
from steersman.controller.context import Context
from steersman.controller.options import Where, uninstall_options
from steersman.controller.reconcile.outcomes import Recorder
from steersman.controller.reconcile.request import Request
from steersman.engine import uninstall
from steersman.storage import DriverKind, ReleaseNotFound


async def follow_target_change(req: Request, rec: Recorder, ctx: Context) -> bool:
    """Whether the release target changed (and the old release was uninstalled)."""
    latest, used = req.hr.status.latest, req.hr.status.storage
    if latest is None or used is None:
        return False
    if (latest.name, latest.namespace) == (req.release_name, req.release_ns):
        return False
    engine = ctx.engine(
        DriverKind(used.driver.value),
        req.hr.namespace,
        req.hr.spec.service_account_name,
        cluster=req.cluster,
    )
    opts = uninstall_options(
        req.hr,
        Where(latest.name, latest.namespace, used.namespace),
        keep_history=False,  # the old release is gone for good: its history goes with it
    )
    with contextlib.suppress(ReleaseNotFound):
        await uninstall(engine, opts)
    message = (
        f"Release target changed from {latest.namespace}/{latest.name} to "
        f"{req.release_ns}/{req.release_name}: the old release was uninstalled"
    )
    rec.emit("Normal", Reason.UNINSTALL_SUCCEEDED, message)
    rec.log.info("%s", message)
    rec.draft.history = []
    rec.draft.reset_failures()
    return True
