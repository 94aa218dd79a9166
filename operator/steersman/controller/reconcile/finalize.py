"""Deleting a HelmRelease: uninstall its release (behind the finalizer), unless it is suspended
or the release belongs to another HelmRelease.

An uninstall that fails (say, the service account may not delete the release's objects) keeps
the finalizer, so nothing is left behind unnoticed; the reason goes into the `Ready` condition
and a Warning Event, with the two ways out.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from steersman.api import API_VERSION, GROUP, KIND, ConditionType, HelmRelease, Reason
from steersman.controller import access
from steersman.controller.context import Context, EventSink
from steersman.controller.options import Where, uninstall_options
from steersman.controller.reconcile.messages import denied
from steersman.controller.reconcile.outcomes import StatusDraft
from steersman.controller.remote import Cluster, RemoteClusterError
from steersman.controller.status import patch_for
from steersman.engine import FAILURES, uninstall
from steersman.errors import describe
from steersman.kube import KubeError
from steersman.storage import DriverKind, ReleaseNotFound, StorageError

FINALIZER = f"{GROUP}/finalizer"
RETRY_SECONDS = 10


async def uninstall_on_delete(
    ctx: Context, body: Mapping[str, Any], log: logging.LoggerAdapter[Any], emit: EventSink
) -> str | None:
    """Uninstall the release of a deleted HelmRelease; None when done (the finalizer may go),
    else the message of why not (the caller retries after RETRY_SECONDS)."""
    try:
        hr = HelmRelease.from_k8s(body)
    except ValidationError:
        return None  # never reconciled, so nothing was installed
    if hr.spec.suspend:
        log.info("suspended: deleting the HelmRelease leaves the Helm release in place")
        return None
    used = hr.status.storage
    if used is None:
        return None  # no reconcile got as far as storage: nothing to uninstall
    try:
        async with ctx.cluster(hr) as cluster:
            blocked = await _uninstall(ctx, hr, body, log, emit, cluster)
    except RemoteClusterError as err:
        if not err.missing:
            return await _failed(ctx, hr, body, emit, log, err)
        # As Flux: without the kubeconfig nothing can be uninstalled.
        log.warning("%s: deleting the HelmRelease leaves the release in place", err)
        blocked = None
    except KubeError as err:  # reading the kubeconfig Secret here
        return await _failed(ctx, hr, body, emit, log, err)
    if blocked is None:
        await ctx.remotes.forget(hr)
    return blocked


async def _uninstall(
    ctx: Context,
    hr: HelmRelease,
    body: Mapping[str, Any],
    log: logging.LoggerAdapter[Any],
    emit: EventSink,
    cluster: Cluster,
) -> str | None:
    used = hr.status.storage
    assert used is not None
    spec = hr.spec
    name = spec.effective_release_name(hr.name)
    engine = ctx.engine(
        DriverKind(used.driver.value),
        hr.namespace,
        spec.service_account_name,
        encrypt=spec.encrypt_records,
        cluster=cluster,
    )
    try:
        history = await engine.storage(used.namespace).history(name)
    except StorageError as err:
        return await _failed(ctx, hr, body, emit, log, err)
    owner = access.foreign_owner(history, hr)
    if owner is not None:
        message = (
            f"release {used.namespace}/{name} belongs to HelmRelease {owner}: deleting this "
            "HelmRelease leaves it in place"
        )
        log.warning("%s", message)
        emit("Warning", Reason.OWNED_BY_OTHER, message)
        return None
    opts = uninstall_options(hr, Where(name, spec.target_namespace or hr.namespace, used.namespace))
    try:
        await uninstall(engine, opts)
    except ReleaseNotFound:
        return None
    except (*FAILURES, StorageError) as err:
        return await _failed(ctx, hr, body, emit, log, err)
    ctx.metrics.actions.labels(action="uninstall", result="succeeded").inc()
    message = f"Helm uninstall succeeded for release {used.namespace}/{name}"
    log.info("%s", message)
    emit("Normal", Reason.UNINSTALL_SUCCEEDED, message)
    return None


async def _failed(
    ctx: Context,
    hr: HelmRelease,
    body: Mapping[str, Any],
    emit: EventSink,
    log: logging.LoggerAdapter[Any],
    err: BaseException,
) -> str:
    cause = denied(hr, ctx.settings.default_service_account, err) or describe(err)
    message = (
        f"Helm uninstall failed: {cause}. The finalizer {FINALIZER} stays until the uninstall "
        f"succeeds (tried again every {RETRY_SECONDS}s): fix the cause, or set "
        "spec.suspend: true to delete the HelmRelease and leave the release in place"
    )
    log.warning("%s", message)
    raw = dict(body.get("status") or {})
    draft = StatusDraft.of(hr.status, hr.generation)
    previous = draft.condition(ConditionType.READY)
    draft.set(ConditionType.READY, False, Reason.UNINSTALL_FAILED, message)
    draft.remove(ConditionType.RECONCILING)
    patch = patch_for(raw, draft.result())
    if patch is not None:
        try:
            await ctx.kube.patch_status(API_VERSION, KIND, hr.name, hr.namespace, patch)
        except KubeError as write_err:
            log.warning("could not write the status: %s", describe(write_err))
    if previous is None or previous.message != message:
        emit("Warning", Reason.UNINSTALL_FAILED, message)
    return message
