"""`helm upgrade`: render revision last+1, apply it, prune what it dropped.

Refuses when the newest revision is pending (`ReleaseLocked`). Stores `pending-upgrade`
before touching the cluster; on success the previously deployed revision becomes `superseded`
and the new one `deployed`; on failure the new one is `failed` and, with cleanup_on_fail, the
objects this upgrade created are deleted again.
"""

from __future__ import annotations

import contextlib
import copy
from dataclasses import dataclass, field
from typing import Any

from steersman.chart import Chart
from steersman.chart.values.coalesce import coalesce_tables
from steersman.engine import records
from steersman.engine.context import (
    DEFAULT_MAX_HISTORY,
    POST_RENDER_LABEL,
    Common,
    Engine,
    hook_runner,
    settled,
)
from steersman.engine.errors import (
    FAILURES,
    ActionFailed,
    EngineError,
    NoDeployedReleases,
    OwnershipConflict,
    ReleaseLocked,
)
from steersman.engine.install import DRY_RUN_DESCRIPTION
from steersman.engine.objects import Target, difference
from steersman.engine.ownership import validate_release_name
from steersman.engine.resources import (
    CrdPolicy,
    apply_targets,
    build_targets,
    current_objects,
    existing_keys,
    install_crds,
    prune,
    refuse_foreign_namespaces,
    take_over_client_side_fields,
    wait_for,
)
from steersman.storage import Release, ReleaseNotFound, Status, Storage, is_pending


@dataclass
class UpgradeOptions(Common):
    name: str = ""
    max_history: int = DEFAULT_MAX_HISTORY
    cleanup_on_fail: bool = False
    crds: CrdPolicy = CrdPolicy.SKIP
    take_ownership: bool = False
    reset_values: bool = False
    reuse_values: bool = False  # the last release's values, with `values` merged over them
    force: bool = False  # replace objects instead of applying them (engine.client_apply)
    dry_run: bool = False
    labels: dict[str, str] = field(default_factory=dict)


async def current_and_last(storage: Storage, name: str) -> tuple[Release, Release]:
    """(the revision the upgrade starts from, the newest revision), with Helm's refusals."""
    try:
        last = await storage.last(name)
    except ReleaseNotFound:
        raise NoDeployedReleases(name) from None
    if is_pending(last.info.status):
        raise ReleaseLocked(last)
    if last.info.status == Status.DEPLOYED:
        return last, last
    try:
        return await storage.deployed(name), last
    except ReleaseNotFound:
        if last.info.status in (Status.FAILED, Status.SUPERSEDED):
            return last, last
        raise NoDeployedReleases(name) from None


async def upgrade(
    engine: Engine, chart: Chart, values: dict[str, Any], opts: UpgradeOptions
) -> Release:
    validate_release_name(opts.name)
    storage = engine.storage(opts.records_namespace, opts.max_history)
    current, last = await current_and_last(storage, opts.name)
    if opts.reuse_values:
        values = coalesce_tables(copy.deepcopy(values), copy.deepcopy(current.config)) or {}
    elif not values and current.config and not opts.reset_values:
        values = current.config  # helm keeps the previous values when none are given
    if not opts.dry_run and await install_crds(engine.kube, chart, opts.crds):
        engine.capabilities.invalidate()

    request = await engine.render_request(
        opts.name,
        current.namespace,
        last.version + 1,
        upgrade=True,
        skip_schema_validation=opts.skip_schema_validation,
    )
    rendered = await engine.renderer(chart, values, request)
    labels = {**last.labels, **opts.labels}
    labels.pop(POST_RENDER_LABEL, None)
    manifest = await engine.post_rendered(rendered.manifest, labels)
    rel = records.new_release(
        name=opts.name,
        namespace=current.namespace,
        version=last.version + 1,
        chart=records.stored_chart(chart, values),
        config=values,
        manifest=manifest,
        hooks=records.stored_hooks(rendered.hooks),
        notes=rendered.notes,
        status=Status.PENDING_UPGRADE,
        description="Preparing upgrade",
        first_deployed=current.info.first_deployed,
        labels=labels,
        server_side=opts.server_side,
    )
    old = await current_objects(engine.kube, current)
    new = await build_targets(engine.kube, rel.manifest, opts.name, current.namespace)
    await refuse_foreign_namespaces(  # `old` too: pruning deletes there
        engine.kube,
        engine.namespaces,
        [*old, *new],
        [h.manifest for h in rel.hooks],
        current.namespace,
    )
    old_keys = {t.key for t in old}
    incoming = [t for t in new if t.key not in old_keys]
    try:
        adopted = await existing_keys(
            engine.kube, incoming, opts.name, current.namespace, take_ownership=opts.take_ownership
        )
    except OwnershipConflict as err:
        raise OwnershipConflict(f"unable to continue with update: {err}") from None
    created = [t for t in incoming if t.key not in adopted]

    if opts.dry_run:
        await apply_targets(
            engine.kube, new, dry_run=True, server_side=opts.server_side, originals=old
        )
        rel.info.description = opts.description or DRY_RUN_DESCRIPTION
        return rel

    await settled(storage.create(rel))
    try:
        await _perform(engine, storage, rel, old, new, opts, current.apply_method == "ssa")
    except FAILURES as err:
        rel.info.status = Status.FAILED
        rel.info.description = f'Upgrade "{opts.name}" failed: {err}'
        await settled(storage.update(rel))
        if opts.cleanup_on_fail and created:
            await _cleanup(engine, created)
        raise ActionFailed(rel.info.description, rel) from err
    current.info.status = Status.SUPERSEDED
    await settled(storage.update(current))
    rel.info.status = Status.DEPLOYED
    rel.info.description = opts.description or "Upgrade complete"
    await settled(storage.update(rel))
    return rel


async def _perform(
    engine: Engine,
    storage: Storage,
    rel: Release,
    old: list[Target],
    new: list[Target],
    opts: UpgradeOptions,
    previous_was_ssa: bool,
) -> None:
    hooks = hook_runner(engine, storage, rel.namespace, opts.timeout)
    if not opts.disable_hooks:
        try:
            await hooks.run(rel, "pre-upgrade")
        except FAILURES as err:
            raise EngineError(f"pre-upgrade hooks failed: {err}") from err
    if opts.server_side and not previous_was_ssa:
        await take_over_client_side_fields(engine.kube, new)
    await apply_targets(
        engine.kube, new, server_side=opts.server_side, force=opts.force, originals=old
    )
    await prune(engine.kube, difference(old, new))
    await wait_for(engine.kube, opts, new)
    if not opts.disable_hooks:
        try:
            await hooks.run(rel, "post-upgrade")
        except FAILURES as err:
            raise EngineError(f"post-upgrade hooks failed: {err}") from err


async def _cleanup(engine: Engine, created: list[Target]) -> None:
    # Best effort, like helm: the upgrade's own error is what the caller needs to see.
    for t in reversed(created):
        with contextlib.suppress(*FAILURES):
            await engine.kube.delete(t.api_version, t.kind, t.name, t.namespace)
