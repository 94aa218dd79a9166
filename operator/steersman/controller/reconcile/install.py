"""Install: the first release of a HelmRelease (Flux's `install.go`)."""

from __future__ import annotations

from steersman.api import ReleaseAction
from steersman.controller.access import owner_labels
from steersman.controller.reconcile.outcomes import Recorder, Step
from steersman.controller.reconcile.release import run_release
from steersman.controller.reconcile.request import Request
from steersman.engine.actions import CrdPolicy, InstallOptions, install
from steersman.storage import Release


def install_options(req: Request) -> InstallOptions:
    spec = req.hr.spec.install
    return InstallOptions(
        namespace=req.release_ns,
        storage_namespace=req.storage_ns,
        timeout=req.timeout,
        wait=not spec.disable_wait,
        disable_hooks=spec.disable_hooks,
        name=req.release_name,
        replace=True,
        create_namespace=spec.create_namespace,
        crds=CrdPolicy(spec.crds.value),
        labels=owner_labels(req.hr),
    )


async def _perform(req: Request) -> Release:
    return await install(req.engine, req.chart, req.values, install_options(req))


async def run(req: Request, rec: Recorder) -> Step:
    return await run_release(req, rec, ReleaseAction.INSTALL, _perform)
