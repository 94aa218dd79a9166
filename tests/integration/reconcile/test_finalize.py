"""finalize.uninstall_on_delete: deleting a HelmRelease uninstalls its release, unless it is
suspended; the storage it used is read from status.storage."""

from __future__ import annotations

import logging

import pytest

from steersman.api import Reason, StorageDriver, StorageStatus
from steersman.controller.context import release_logger
from steersman.controller.reconcile.finalize import uninstall_on_delete
from tests.integration.reconcile.conftest import Harness, installed, states

pytestmark = pytest.mark.integration
LOG = release_logger(logging.getLogger("test.finalize"), "ns", "web")


async def _record_storage(harness: Harness) -> None:
    """What the first reconcile writes: where the records are."""
    _, rec = await harness.step()
    rec.draft.storage = StorageStatus(driver=StorageDriver.SECRET, namespace=harness.namespace)
    await rec.write()


async def test_the_release_is_uninstalled(harness: Harness) -> None:
    await harness.create({"timeout": "20s"})
    await installed(harness)
    await _record_storage(harness)

    blocked = await uninstall_on_delete(harness.ctx, await harness.body(), LOG, harness.emit)

    assert blocked is None  # the finalizer may go
    req, _ = await harness.step()
    assert await harness.history(req) == []
    kube = harness.ctx.kube
    assert await kube.get_or_none("v1", "ConfigMap", "web-config", harness.namespace) is None
    assert harness.events[-1] == (
        "Normal",
        Reason.UNINSTALL_SUCCEEDED,
        f"Helm uninstall succeeded for release {harness.namespace}/web",
    )


async def test_a_suspended_release_is_left_in_place(harness: Harness) -> None:
    await harness.create({"timeout": "20s", "suspend": True})
    await installed(harness)
    await _record_storage(harness)
    before = list(harness.events)

    blocked = await uninstall_on_delete(harness.ctx, await harness.body(), LOG, harness.emit)

    assert blocked is None
    req, _ = await harness.step()
    assert states(await harness.history(req)) == [(1, "deployed")]
    assert harness.events == before
