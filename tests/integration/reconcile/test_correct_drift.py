"""detect_drift.run and correct_drift.run: an object changed or deleted behind the release's
back is found by a server-side dry run and applied again, without a new revision."""

from __future__ import annotations

import pytest

from steersman.api import ConditionType, Reason
from steersman.controller.reconcile import correct_drift, detect_drift
from steersman.kube import KubeClient
from tests.integration.reconcile.conftest import Harness, counted, installed, states

pytestmark = pytest.mark.integration


async def test_drift_is_detected_then_corrected(harness: Harness) -> None:
    await harness.create({"timeout": "20s", "driftDetection": {"mode": "enabled"}})
    await installed(harness)
    someone = KubeClient(harness.ctx.kube.api, field_manager="kubectl-edit")
    await someone.merge_patch(
        "v1", "ConfigMap", "web-config", harness.namespace, {"data": {"greeting": "edited"}}
    )
    req, rec = await harness.step()
    assert rec.head is not None

    drifted = await detect_drift.run(req, rec, rec.head)

    assert [d.describe() for d in drifted] == [
        f"ConfigMap {harness.namespace}/web-config (changed)"
    ]
    found = rec.draft.condition(ConditionType.DRIFTED)
    assert found is not None and found.reason == Reason.DRIFT_DETECTED

    assert await correct_drift.run(req, rec, drifted) is None

    cm = await harness.ctx.kube.get("v1", "ConfigMap", "web-config", harness.namespace)
    assert cm["data"]["greeting"] == "hello"
    fixed = rec.draft.condition(ConditionType.DRIFTED)
    assert fixed is not None and fixed.status == "False"
    assert fixed.reason == Reason.DRIFT_CORRECTED
    assert states(await harness.history(req)) == [(1, "deployed")]  # no new revision
    assert harness.reasons()[-2:] == [Reason.DRIFT_DETECTED, Reason.DRIFT_CORRECTED]
    assert counted(harness.ctx, "correct-drift", "succeeded") == 1
    assert await detect_drift.run(req, rec, rec.head) == []


async def test_a_deleted_object_is_missing_drift(harness: Harness) -> None:
    await harness.create({"timeout": "20s", "driftDetection": {"mode": "warn"}})
    await installed(harness)
    await harness.ctx.kube.delete("v1", "ConfigMap", "web-config", harness.namespace)
    req, rec = await harness.step()
    assert rec.head is not None

    drifted = await detect_drift.run(req, rec, rec.head)

    assert [d.missing for d in drifted] == [True]
