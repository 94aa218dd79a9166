"""`helm rollback`: re-apply a stored revision's manifest as a new revision (no re-render).

Rollback does not refuse pending records: it is the usual way out of a stuck `pending-*`.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from steersman.engine import records
from steersman.engine.context import DEFAULT_MAX_HISTORY, Common, Engine, hook_runner, settled
from steersman.engine.errors import FAILURES, ActionFailed, EngineError, InvalidRevision
from steersman.engine.objects import difference
from steersman.engine.ownership import validate_release_name
from steersman.engine.resources import (
    apply_targets,
    build_targets,
    current_objects,
    prune,
    recreate_pods,
    refuse_foreign_namespaces,
    take_over_client_side_fields,
    wait_for,
)
from steersman.storage import Release, ReleaseNotFound, Status


class _Failed(EngineError):
    """A failure already worded as helm stores it."""


@dataclass
class RollbackOptions(Common):
    name: str = ""
    version: int = 0  # 0: the revision before the newest
    max_history: int = DEFAULT_MAX_HISTORY
    cleanup_on_fail: bool = False
    force: bool = False  # replace objects instead of applying them (engine.client_apply)
    recreate: bool = False  # delete the workloads' Pods afterwards (helm v3 --recreate-pods)
    dry_run: bool = False
    labels: dict[str, str] = field(default_factory=dict)  # merged over the target's labels


async def rollback(engine: Engine, opts: RollbackOptions) -> Release:
    try:
        validate_release_name(opts.name)
    except EngineError:
        raise EngineError(f"prepareRollback: Release name is invalid: {opts.name}") from None
    if opts.version < 0:
        raise InvalidRevision()
    storage = engine.storage(opts.records_namespace, opts.max_history)
    current = await storage.last(opts.name)
    wanted = opts.version or current.version - 1
    history = await storage.history(opts.name)
    if wanted not in {r.version for r in history}:
        raise InvalidRevision(f"release has no {wanted} version")
    previous = await storage.get(opts.name, wanted)

    rel = records.new_release(
        name=opts.name,
        namespace=current.namespace,
        version=current.version + 1,
        chart=previous.chart,
        config=previous.config,
        manifest=previous.manifest,
        hooks=copy.deepcopy(previous.hooks),
        notes=previous.info.notes,
        status=Status.PENDING_ROLLBACK,
        description=f"Rollback to {wanted}",
        first_deployed=current.info.first_deployed,
        labels={**previous.labels, **opts.labels},
        server_side=opts.server_side,
    )
    if opts.dry_run:
        return rel
    old = await current_objects(engine.kube, current)
    new = await build_targets(engine.kube, rel.manifest, opts.name, current.namespace)
    await refuse_foreign_namespaces(
        engine.kube, engine.namespaces, [*old, *new], [h.manifest for h in rel.hooks], rel.namespace
    )
    await settled(storage.create(rel))

    hooks = hook_runner(engine, storage, rel.namespace, opts.timeout)
    try:
        if not opts.disable_hooks:
            await hooks.run(rel, "pre-rollback")
        try:
            # like helm v4, whatever wrote the revisions: helm v3 may have applied client-side
            if opts.server_side:
                await take_over_client_side_fields(engine.kube, new)
            await apply_targets(
                engine.kube, new, server_side=opts.server_side, force=opts.force, originals=old
            )
            await prune(engine.kube, difference(old, new))
        except FAILURES as err:
            # helm: the apply failed, so the revision it started from no longer stands either
            current.info.status = Status.SUPERSEDED
            await settled(storage.update(current))
            raise _Failed(f'Rollback "{opts.name}" failed: {err}') from err
        if opts.recreate:
            await recreate_pods(engine.kube, [t for t in new if t.key in {o.key for o in old}])
        try:
            await wait_for(engine.kube, opts, new)
        except FAILURES as err:
            raise _Failed(f'Release "{opts.name}" failed: {err}') from err
        if not opts.disable_hooks:
            await hooks.run(rel, "post-rollback")
    except FAILURES as err:
        # Hook failures are stored as failed too (helm leaves pending-rollback behind).
        description = (
            str(err) if isinstance(err, _Failed) else f'Rollback "{opts.name}" failed: {err}'
        )
        rel.info.status = Status.FAILED
        rel.info.description = description
        await settled(storage.update(rel))
        raise ActionFailed(description, rel) from (err.__cause__ or err)

    try:
        deployed = await storage.deployed_all(opts.name)
    except ReleaseNotFound:
        deployed = []
    for old_rel in deployed:
        old_rel.info.status = Status.SUPERSEDED
        await settled(storage.update(old_rel))
    rel.info.status = Status.DEPLOYED
    await settled(storage.update(rel))
    return rel
