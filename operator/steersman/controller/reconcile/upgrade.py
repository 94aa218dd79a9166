"""Upgrade: a new revision from the current chart and values, also used to adopt a release
written by someone else and to retry after a failure (Flux's `upgrade.go`)."""

from __future__ import annotations

from steersman.api import ReleaseAction
from steersman.controller.access import owner_labels
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.release import run_release
from steersman.controller.reconcile.request import Request
from steersman.engine.actions import CrdPolicy, UpgradeOptions, upgrade
from steersman.storage import Release


def upgrade_options(req: Request) -> UpgradeOptions:
    spec = req.hr.spec.upgrade
    return UpgradeOptions(
        namespace=req.release_ns,
        storage_namespace=req.storage_ns,
        timeout=req.timeout,
        wait=not spec.disable_wait,
        disable_hooks=spec.disable_hooks,
        name=req.release_name,
        max_history=req.hr.spec.max_history,
        cleanup_on_fail=spec.cleanup_on_fail,
        crds=CrdPolicy(spec.crds.value),
        reset_values=True,  # declarative: the values are exactly what the spec composes
        labels=owner_labels(req.hr),
    )


async def _perform(req: Request) -> Release:
    return await upgrade(req.engine, req.chart, req.values, upgrade_options(req))


async def run(req: Request, rec: Recorder) -> Step:
    return await run_release(req, rec, ReleaseAction.UPGRADE, _perform)
