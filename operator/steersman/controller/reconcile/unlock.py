"""Unlock: a newest record left `pending-*` by an interrupted action is marked failed, as helm
does when its context is cancelled (Flux's `unlock.go`)."""

from __future__ import annotations

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.request import Request
from steersman.engine import unlock


async def run(req: Request, rec: Recorder) -> Step:
    rel = await unlock(req.engine, req.release_name, req.storage_ns)
    rec.count("unlock", "succeeded")
    if rel is not None:
        message = (
            f"Release {req.storage_ns}/{req.release_name}.v{rel.version} was stuck in a "
            "pending state (an action was interrupted) and has been marked failed"
        )
        rec.draft.set(ConditionType.RELEASED, False, Reason.PENDING_RELEASE, message)
        rec.emit("Warning", Reason.PENDING_RELEASE, message)
        rec.log.warning("%s", message)
    await rec.observe(req.storage(), req.release_name)
    return None
