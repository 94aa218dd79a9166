"""migrate.follow_storage_change: when spec.storage names another driver than the records are
in (status.storage), every revision is moved there, and helm's history reads the same."""

from __future__ import annotations

import pytest

from steersman.api import API_VERSION, KIND, StorageDriver, StorageStatus
from steersman.controller.reconcile import migrate, upgrade
from steersman.storage import DriverKind
from tests.integration.reconcile.conftest import Harness, installed, states

pytestmark = pytest.mark.integration


async def test_records_move_from_secrets_to_configmaps(harness: Harness) -> None:
    await harness.create({"timeout": "20s"})
    await installed(harness)
    req, rec = await harness.step({"greeting": "v2"})
    assert await upgrade.run(req, rec) is None
    rec.draft.storage = StorageStatus(driver=StorageDriver.SECRET, namespace=harness.namespace)
    await rec.write()
    spec = {"spec": {"storage": {"driver": "configmap"}}}
    await harness.ctx.kube.merge_patch(API_VERSION, KIND, "web", harness.namespace, spec)
    req, rec = await harness.step(kind=DriverKind.CONFIGMAP)

    assert await migrate.follow_storage_change(req, rec, harness.ctx) is True

    assert states(await harness.history(req)) == [(1, "superseded"), (2, "deployed")]
    secrets = harness.ctx.backends.get(DriverKind.SECRET).storage(harness.namespace)
    assert await secrets.history("web") == []
    assert harness.reasons()[-1] == "StorageMigrated"
    # Done once: the next reconcile (status now says configmap) moves nothing.
    rec.draft.storage = StorageStatus(driver=StorageDriver.CONFIGMAP, namespace=harness.namespace)
    await rec.write()
    req, rec = await harness.step(kind=DriverKind.CONFIGMAP)
    assert await migrate.follow_storage_change(req, rec, harness.ctx) is False
