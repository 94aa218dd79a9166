"""Drift correction: objects that drifted from the stored manifest are applied again; no new
revision is written (Flux's `correct_drift.go`). Detection is `detect_drift`."""

from __future__ import annotations

from collections.abc import Sequence

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile.drift import DriftedObject, correct
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.request import Request
from steersman.errors import describe
from steersman.kube import KubeError


async def run(req: Request, rec: Recorder, drifted: Sequence[DriftedObject]) -> Step:
    try:
        await correct(req.engine.kube, drifted)
    except KubeError as err:
        rec.count("correct-drift", "failed")
        message = f"Drift correction failed: {describe(err)}"
        rec.draft.set(ConditionType.DRIFTED, True, Reason.DRIFT_CORRECTION_FAILED, message)
        return await rec.fail(Reason.DRIFT_CORRECTION_FAILED, message)
    rec.count("correct-drift", "succeeded")
    message = "Cluster state restored from the release: " + ", ".join(
        d.describe() for d in drifted[:10]
    )
    rec.draft.set(ConditionType.DRIFTED, False, Reason.DRIFT_CORRECTED, message)
    rec.emit("Normal", Reason.DRIFT_CORRECTED, message)
    rec.log.info("%s", message)
    return None
