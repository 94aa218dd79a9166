"""Drift detection as a step of the loop: compare the cluster with the newest stored manifest
and say so in the Drifted condition (Unknown, with the apiserver's reason, when it can't)."""

from __future__ import annotations

from steersman.api import ConditionStatus, ConditionType, Reason
from steersman.controller.reconcile.drift import DriftedObject, detect
from steersman.controller.reconcile.outcomes import Recorder
from steersman.controller.reconcile.request import Request
from steersman.errors import describe
from steersman.kube import KubeError
from steersman.storage import Release


def just_applied(rec: Recorder) -> None:
    """No drift: the release was applied in this very reconcile (checked from the next)."""
    rec.draft.set(
        ConditionType.DRIFTED,
        False,
        Reason.NO_DRIFT_DETECTED,
        "No drift detected: the release was applied in this reconcile",
    )


async def run(req: Request, rec: Recorder, head: Release) -> list[DriftedObject]:
    """The drifted objects of `head` (empty when none, or when detection could not run)."""
    draft = rec.draft
    try:
        drifted = await detect(req.engine.kube, head, req.hr.spec.drift_detection.ignore)
    except KubeError as err:
        # Not "no drift": we don't know. Unknown, with the apiserver's reason.
        message = (
            f"Drift detection could not run: {describe(err)}; the cluster state was not "
            "compared with the release (checked again at the next reconcile)"
        )
        rec.log.warning("%s", message)
        previous = draft.condition(ConditionType.DRIFTED)
        draft.set(
            ConditionType.DRIFTED, ConditionStatus.UNKNOWN, Reason.DRIFT_DETECTION_FAILED, message
        )
        if previous is None or previous.message != message:
            rec.emit("Warning", Reason.DRIFT_DETECTION_FAILED, message)
        return []
    if not drifted:
        draft.set(ConditionType.DRIFTED, False, Reason.NO_DRIFT_DETECTED, "No drift detected")
        return []
    message = "Cluster state drifted from the release: " + ", ".join(
        d.describe() for d in drifted[:10]
    )
    previous = draft.condition(ConditionType.DRIFTED)
    draft.set(ConditionType.DRIFTED, True, Reason.DRIFT_DETECTED, message)
    if previous is None or previous.message != message:
        rec.emit("Warning", Reason.DRIFT_DETECTED, message)
    return drifted
