"""uninstall_remediation.run: a failed install is uninstalled (history kept only when
spec.uninstall.keepHistory), so the next reconcile installs afresh."""

from __future__ import annotations

import pytest

from steersman.api import Reason
from steersman.controller.reconcile import install, uninstall_remediation
from tests.integration.reconcile.conftest import FAILING, Harness, condition, counted, states

pytestmark = pytest.mark.integration


async def test_a_failed_install_is_uninstalled(harness: Harness) -> None:
    await harness.create({"timeout": "2s"})
    req, rec = await harness.step(FAILING)
    assert await install.run(req, rec) is None

    outcome = await uninstall_remediation.run(req, rec)

    assert outcome.result == "requeued"
    assert await harness.history(req) == []
    assert (
        await harness.ctx.kube.get_or_none("v1", "ConfigMap", "web-config", harness.namespace)
        is None
    )
    status = await harness.status()
    remediated = condition(status, "Remediated")
    assert remediated is not None and remediated["reason"] == Reason.UNINSTALL_SUCCEEDED
    assert status.get("history", []) == []
    assert harness.reasons()[-1] == Reason.UNINSTALL_SUCCEEDED
    assert counted(harness.ctx, "uninstall", "succeeded") == 1


async def test_keep_history_leaves_an_uninstalled_record(harness: Harness) -> None:
    await harness.create({"timeout": "2s", "uninstall": {"keepHistory": True}})
    req, rec = await harness.step(FAILING)
    assert await install.run(req, rec) is None

    await uninstall_remediation.run(req, rec)

    assert states(await harness.history(req)) == [(1, "uninstalled")]
