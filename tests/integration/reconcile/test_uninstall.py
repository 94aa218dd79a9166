"""finalize.uninstall_on_delete: deleting a HelmRelease uninstalls its release (records and
objects gone, an Event); a suspended one leaves the release in place."""

from __future__ import annotations

import logging

import pytest

from steersman.api import API_VERSION, KIND, Reason
from steersman.controller.context import release_logger
from steersman.controller.reconcile import install
from steersman.controller.reconcile.finalize import uninstall_on_delete
from tests.integration.reconcile.conftest import Harness, counted, states

pytestmark = pytest.mark.integration
LOG = release_logger(logging.getLogger("test.reconcile"), "test", "web")


async def installed(harness: Harness, spec: dict[str, object]) -> None:
    """The release installed, and the status naming its storage (as a reconcile writes it)."""
    await harness.create(spec)
    req, rec = await harness.step()
    assert await install.run(req, rec) is None
    storage = {"driver": "secret", "namespace": harness.namespace}
    kube = harness.ctx.kube
    await kube.patch_status(API_VERSION, KIND, "web", harness.namespace, {"storage": storage})


async def test_deleting_the_helmrelease_uninstalls_its_release(harness: Harness) -> None:
    await installed(harness, {"timeout": "20s"})
    harness.events.clear()

    blocked = await uninstall_on_delete(harness.ctx, await harness.body(), LOG, harness.emit)

    assert blocked is None  # the finalizer may go
    req, _ = await harness.step()
    assert await harness.history(req) == []
    ns = harness.namespace
    assert await harness.ctx.kube.get_or_none("v1", "ConfigMap", "web-config", ns) is None
    assert harness.events == [
        ("Normal", Reason.UNINSTALL_SUCCEEDED, f"Helm uninstall succeeded for release {ns}/web")
    ]
    assert counted(harness.ctx, "uninstall", "succeeded") == 1


async def test_a_suspended_helmrelease_leaves_its_release_in_place(harness: Harness) -> None:
    await installed(harness, {"timeout": "20s"})
    kube, ns = harness.ctx.kube, harness.namespace
    await kube.merge_patch(API_VERSION, KIND, "web", ns, {"spec": {"suspend": True}})
    harness.events.clear()

    assert await uninstall_on_delete(harness.ctx, await harness.body(), LOG, harness.emit) is None

    req, _ = await harness.step()
    assert states(await harness.history(req)) == [(1, "deployed")]
    assert await kube.get_or_none("v1", "ConfigMap", "web-config", ns) is not None
    assert harness.events == []
