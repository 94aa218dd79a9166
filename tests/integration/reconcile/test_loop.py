"""loop.run: observe -> decide -> act until in sync, as one reconcile runs it: a fresh
HelmRelease is installed and marked ready; a failing install with remediation retries is
remediated by uninstall and the reconcile stops there."""

from __future__ import annotations

from typing import Any

import pytest

from steersman.api import Reason, values_digest
from steersman.controller.reconcile import loop
from steersman.controller.reconcile.state import Desired
from tests.integration.reconcile.conftest import FAILING, Harness, condition, states

pytestmark = pytest.mark.integration


def desired(values: dict[str, Any]) -> Desired:
    return Desired("demo", "0.1.0", values_digest(values))


async def test_a_new_release_is_installed_and_ready(harness: Harness) -> None:
    await harness.create({"timeout": "20s", "interval": "2m"})
    req, rec = await harness.step({"greeting": "hi"})

    outcome = await loop.run(req, rec, desired({"greeting": "hi"}))

    assert (outcome.result, outcome.requeue_after) == ("ok", 120.0)
    assert states(await harness.history(req)) == [(1, "deployed")]
    status = await harness.status()
    ready = condition(status, "Ready")
    assert ready is not None and ready["status"] == "True"
    assert ready["reason"] == Reason.INSTALL_SUCCEEDED
    assert status["observedGeneration"] == 1
    assert status["lastAttemptedReleaseAction"] == "install"
    assert [h["version"] for h in status["history"]] == [1]
    assert harness.reasons() == [Reason.INSTALL_SUCCEEDED]

    # In sync now: the next loop acts on nothing and writes nothing new.
    req, rec = await harness.step({"greeting": "hi"})
    again = await loop.run(req, rec, desired({"greeting": "hi"}))
    assert again.result == "ok"
    assert harness.reasons() == [Reason.INSTALL_SUCCEEDED]
    assert await harness.status() == status


async def test_a_failed_install_is_remediated_then_the_reconcile_stops(
    harness: Harness,
) -> None:
    await harness.create({"timeout": "2s", "install": {"remediation": {"retries": 1}}})
    req, rec = await harness.step(FAILING)

    outcome = await loop.run(req, rec, desired(FAILING))

    assert outcome.result == "requeued"
    assert await harness.history(req) == []
    assert harness.reasons() == [Reason.INSTALL_FAILED, Reason.UNINSTALL_SUCCEEDED]
    status = await harness.status()
    assert status["installFailures"] == 1
    remediated = condition(status, "Remediated")
    assert remediated is not None and remediated["reason"] == Reason.UNINSTALL_SUCCEEDED
