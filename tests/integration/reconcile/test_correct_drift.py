"""detect_drift.run and correct_drift.run: a deleted object of the release is found missing,
applied again from the stored manifest, and no new revision is written."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import correct_drift, detect_drift, install
from tests.integration.reconcile.conftest import Harness, counted, states

pytestmark = pytest.mark.integration


async def test_a_deleted_object_is_detected_and_restored_without_a_new_revision(
    harness: Harness,
) -> None:
    await harness.create({"timeout": "20s", "driftDetection": {"mode": "enabled"}})
    req, rec = await harness.step({"greeting": "hi"})
    assert await install.run(req, rec) is None
    kube, ns = harness.ctx.kube, harness.namespace
    head = (await harness.history(req))[-1]

    req, rec = await harness.step({"greeting": "hi"})
    assert await detect_drift.run(req, rec, head) == []
    no_drift = rec.draft.condition(ConditionType.DRIFTED)
    assert no_drift is not None and no_drift.reason == Reason.NO_DRIFT_DETECTED

    await kube.delete("v1", "ConfigMap", "web-config", ns)
    harness.events.clear()
    drifted = await detect_drift.run(req, rec, head)
    assert [d.describe() for d in drifted] == [f"ConfigMap {ns}/web-config (missing)"]
    detected = rec.draft.condition(ConditionType.DRIFTED)
    assert detected is not None and detected.reason == Reason.DRIFT_DETECTED
    assert harness.reasons() == [Reason.DRIFT_DETECTED]

    harness.events.clear()
    assert await correct_drift.run(req, rec, drifted) is None

    cm = await kube.get("v1", "ConfigMap", "web-config", ns)
    assert cm["data"]["greeting"] == "hi"
    corrected = rec.draft.condition(ConditionType.DRIFTED)
    assert corrected is not None and corrected.status == "False"
    assert corrected.reason == Reason.DRIFT_CORRECTED
    assert corrected.message == (
        f"Cluster state restored from the release: ConfigMap {ns}/web-config (missing)"
    )
    assert harness.reasons() == [Reason.DRIFT_CORRECTED]
    assert counted(harness.ctx, "correct-drift", "succeeded") == 1
    assert states(await harness.history(req)) == [(1, "deployed")]
