"""One reconcile of one HelmRelease: check the spec, gather inputs (dependencies, values, chart),
observe the stored release, build the `Request`, then hand over to the atomic `loop`.

The status is built as a draft and written only when it differs from what the apiserver has, so
a reconcile that finds everything in sync writes nothing (see `outcomes`). Messages put into
conditions, events and logs come from our own typed errors only (storage errors are sanitised
by the storage layer); anything else is shown by its type name.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from steersman.api import (
    API_VERSION,
    KIND,
    ConditionType,
    HelmRelease,
    HelmReleaseStatus,
    Reason,
    StorageDriver,
    StorageStatus,
    annotation_names,
    digest,
    parse_duration,
    values_digest,
)
from steersman.controller import access
from steersman.controller.charts import ChartFetchError, reconcile_requested
from steersman.controller.context import Context, EventSink
from steersman.controller.events import describe_release
from steersman.controller.reconcile import gates, loop, migrate, retarget
from steersman.controller.reconcile.outcomes import (
    HelmReleaseGone,
    Outcome,
    Recorder,
    StatusDraft,
)
from steersman.controller.reconcile.request import Request, Target
from steersman.controller.reconcile.state import Desired
from steersman.controller.remote import Cluster, RemoteClusterError
from steersman.controller.status import patch_for
from steersman.controller.values import ValuesError, compose_values
from steersman.engine import FAILURES
from steersman.errors import describe
from steersman.kube import KubeError
from steersman.storage import CorruptRecord, DriverKind, StorageError

DEFAULT_INTERVAL = 600.0


async def reconcile(
    body: Mapping[str, Any], ctx: Context, emit: EventSink, log: logging.LoggerAdapter[Any]
) -> Outcome:
    started = time.perf_counter()
    outcome = Outcome(DEFAULT_INTERVAL, "error")
    try:
        outcome = await _reconcile(body, ctx, emit, log)
        return outcome
    finally:
        meta = body.get("metadata") or {}
        key = f"{meta.get('namespace')}/{meta.get('name')}"
        ctx.metrics.observe_reconcile(key, outcome.result, time.perf_counter() - started)


async def _reconcile(
    body: Mapping[str, Any], ctx: Context, emit: EventSink, log: logging.LoggerAdapter[Any]
) -> Outcome:
    meta = body.get("metadata") or {}
    generation = int(meta.get("generation") or 0)
    raw_status = dict(body.get("status") or {})
    try:
        hr = HelmRelease.from_k8s(body)
    except ValidationError as err:
        return await _invalid(body, raw_status, generation, ctx, emit, _describe_invalid(err))
    if hr.spec.suspend:
        log.debug("suspended: not reconciling")
        return Outcome(parse_duration(hr.spec.interval), "suspended")
    rec = Recorder(hr, generation, ctx, emit, log, raw_status)
    try:
        async with ctx.cluster(hr) as cluster:
            return await _pipeline(hr, generation, ctx, rec, cluster)
    except RemoteClusterError as err:
        return await gates.remote_refused(rec, err)
    except HelmReleaseGone:
        return Outcome(DEFAULT_INTERVAL, "gone")
    except (KubeError, StorageError) as err:
        reason = (
            Reason.STORAGE_UNAVAILABLE if isinstance(err, StorageError) else Reason.RECONCILE_ERROR
        )
        return await rec.fail(reason, describe(err), err)
    except Exception as err:  # keep the operator alive; the type name is all we show
        log.error("reconcile failed unexpectedly: %s", describe(err))
        return await rec.fail(Reason.RECONCILE_ERROR, describe(err))


async def _pipeline(
    hr: HelmRelease, generation: int, ctx: Context, rec: Recorder, cluster: Cluster
) -> Outcome:
    spec, draft = hr.spec, rec.draft
    target = Target.of(hr)
    kind = (
        DriverKind(spec.storage_driver.value)
        if spec.storage_driver
        else ctx.settings.helm_storage_driver
    )
    refused = ctx.settings.record_encryption_refused(spec.encrypt_records)
    if refused is not None:
        return await rec.stall(Reason.STORAGE_NOT_ALLOWED, refused)
    if spec.storage_driver is not None and not ctx.settings.storage_driver_allowed(kind):
        allowed = sorted({ctx.settings.helm_storage_driver, *ctx.settings.allowed_storage_drivers})
        return await rec.stall(
            Reason.STORAGE_NOT_ALLOWED,
            f"storage driver '{kind}' is not allowed by the operator "
            f"(allowed: {', '.join(allowed)}; see --allowed-storage-drivers)",
        )
    unreachable = await gates.remote_unreachable(cluster, rec)
    if unreachable is not None:
        return unreachable
    blocked = await gates.access_refused(hr, ctx, rec, target, kind, cluster)
    if blocked is not None:
        return blocked
    waiting = await gates.dependencies_pending(hr, ctx, rec)
    if waiting is not None:
        return waiting
    try:
        values = await compose_values(ctx.kube, hr.namespace, spec.values_from, spec.values)
    except ValuesError as err:
        return await rec.fail(Reason.VALUES_ERROR, str(err))
    try:
        chart, chart_digest = await ctx.charts.get(
            spec.chart,
            ctx.kube,
            hr.namespace,
            within=target.timeout,
            within_text=spec.timeout,
            refresh=reconcile_requested(hr),
        )
    except ChartFetchError as err:
        return await rec.fail(Reason.ARTIFACT_FAILED, str(err))

    post_render = spec.post_render()
    desired = Desired(
        chart.metadata.name,
        chart.metadata.version,
        values_digest(values),
        post_render.digest.removeprefix("sha256:")[:32],
    )
    engine = ctx.engine(
        kind,
        hr.namespace,
        spec.service_account_name,
        encrypt=spec.encrypt_records,
        cluster=cluster,
    )
    engine.namespaces = access.objects_namespaces(hr, ctx.settings, target.release_ns)
    engine.post_render = post_render
    req = Request(
        hr=hr,
        generation=generation,
        target=target,
        kind=kind,
        chart=chart,
        values=values,
        engine=engine,
        cluster=cluster,
        inputs_changed=_reset_counters(hr, draft, desired, chart_digest),
        force_token=annotation_names.unhandled_token(
            hr.annotations, annotation_names.FORCE, hr.status.last_handled_force_at
        ),
        default_service_account=ctx.settings.default_service_account,
        default_server_side_apply=ctx.settings.default_server_side_apply,
    )
    describe_release(chart.metadata.version, chart.metadata.app_version, desired.config_digest)
    missing = await gates.missing_namespace(hr, rec, target, kind, cluster)
    if missing is not None:
        return missing
    try:
        history = await req.storage().history(req.release_name)
        refusal = await gates.owned_elsewhere(req, history)
        if refusal is not None:
            return await rec.stall(refusal.reason, refusal.message)
        moved = await retarget.follow_target_change(req, rec, ctx)
        moved = await migrate.follow_storage_change(req, rec, ctx) or moved
        if moved:
            history = await req.storage().history(req.release_name)
    except CorruptRecord as err:
        return await rec.fail(Reason.CORRUPT_RECORD, describe(err))
    except StorageError as err:
        return await rec.fail(Reason.STORAGE_UNAVAILABLE, describe(err), err)
    except FAILURES as err:  # uninstalling the release of a previous name failed
        return await rec.fail(Reason.UNINSTALL_FAILED, describe(err))
    draft.storage = StorageStatus(driver=StorageDriver(kind.value), namespace=req.storage_ns)
    rec.head = history[-1] if history else None
    return await loop.run(req, rec, desired)


def _reset_counters(
    hr: HelmRelease, draft: StatusDraft, desired: Desired, chart_digest: str
) -> bool:
    """New inputs (generation, chart version, values) or a new reset token: fresh retries.
    Whether the inputs changed (or a reset was asked for)."""
    status = hr.status
    changed = (
        status.last_attempted_generation != hr.generation
        or status.last_attempted_chart_version != desired.chart_version
        or status.last_attempted_values_digest != desired.config_digest
    )
    reset = annotation_names.unhandled_token(
        hr.annotations, annotation_names.RESET, status.last_handled_reset_at
    )
    if changed or reset:
        draft.reset_failures()
    if reset:
        draft.last_handled_reset_at = reset
    draft.last_attempted_generation = hr.generation
    draft.last_attempted_chart_version = desired.chart_version
    draft.last_attempted_values_digest = desired.config_digest
    draft.last_attempted_config_digest = digest(
        [
            hr.spec.chart.repository,
            desired.chart_name,
            desired.chart_version,
            chart_digest,
            desired.config_digest,
        ]
    )
    return bool(changed or reset)


async def _invalid(
    body: Mapping[str, Any],
    raw_status: dict[str, Any],
    generation: int,
    ctx: Context,
    emit: EventSink,
    message: str,
) -> Outcome:
    try:
        base = HelmReleaseStatus.model_validate(raw_status)
    except ValidationError:
        base = HelmReleaseStatus()
    draft = StatusDraft.of(base, generation)
    draft.set(ConditionType.STALLED, True, Reason.INVALID_SPEC, message)
    draft.set(ConditionType.READY, False, Reason.INVALID_SPEC, message)
    draft.remove(ConditionType.RECONCILING)
    draft.observed_generation = generation
    patch = patch_for(raw_status, draft.result())
    meta = body.get("metadata") or {}
    if patch is not None:
        await ctx.kube.patch_status(API_VERSION, KIND, meta["name"], meta.get("namespace"), patch)
        emit("Warning", Reason.INVALID_SPEC, message)
    ctx.metrics.set_ready(f"{meta.get('namespace')}/{meta.get('name')}", "False")
    return Outcome(DEFAULT_INTERVAL, "stalled")


def _describe_invalid(err: ValidationError) -> str:
    parts = []
    for item in err.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"])
        parts.append(f"{where}: {item['msg']}")
    return "invalid spec: " + "; ".join(parts)
