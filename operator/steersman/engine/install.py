"""`helm install`: a new release (revision 1, or last+1 with replace).

Order, as Helm: check the name, install CRDs, render, build the objects with ownership metadata,
refuse objects owned by someone else, (dry run stops here), create the namespace, store the
`pending-install` record, pre-install hooks, apply, wait, post-install hooks, then `deployed`
or `failed`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from steersman.chart import Chart
from steersman.engine import records
from steersman.engine.context import Common, Engine, hook_runner, settled
from steersman.engine.errors import (
    FAILURES,
    ActionFailed,
    EngineError,
    NameInUse,
    OwnershipConflict,
)
from steersman.engine.objects import Target
from steersman.engine.ownership import validate_release_name
from steersman.engine.resources import (
    CrdPolicy,
    apply_targets,
    build_targets,
    ensure_namespace,
    existing_keys,
    install_crds,
    refuse_foreign_namespaces,
    wait_for,
)
from steersman.storage import Release, Status, Storage

DRY_RUN_DESCRIPTION = "Dry run complete"


@dataclass
class InstallOptions(Common):
    name: str = ""
    replace: bool = False
    create_namespace: bool = False
    crds: CrdPolicy = CrdPolicy.CREATE
    take_ownership: bool = False
    dry_run: bool = False
    labels: dict[str, str] = field(default_factory=dict)


async def _check_name(storage: Storage, opts: InstallOptions) -> Release | None:
    """Helm's availableName; returns the newest revision when replace may reuse the name."""
    validate_release_name(opts.name)
    if opts.dry_run:
        return None
    history = await storage.history(opts.name)
    if not history:
        return None
    last = history[-1]
    if opts.replace and last.info.status in (Status.UNINSTALLED, Status.FAILED):
        return last
    raise NameInUse()


async def install(
    engine: Engine, chart: Chart, values: dict[str, Any], opts: InstallOptions
) -> Release:
    storage = engine.storage(opts.records_namespace)
    previous = await _check_name(storage, opts)
    if not opts.dry_run and await install_crds(engine.kube, chart, opts.crds):
        engine.capabilities.invalidate()

    version = previous.version + 1 if previous is not None else 1
    request = await engine.render_request(
        opts.name,
        opts.namespace,
        version,
        upgrade=False,
        skip_schema_validation=opts.skip_schema_validation,
    )
    rendered = await engine.renderer(chart, values, request)
    labels = dict(opts.labels)
    manifest = await engine.post_rendered(rendered.manifest, labels)
    rel = records.new_release(
        name=opts.name,
        namespace=opts.namespace,
        version=version,
        chart=records.stored_chart(chart, values),
        config=values,
        manifest=manifest,
        hooks=records.stored_hooks(rendered.hooks),
        notes=rendered.notes,
        status=Status.PENDING_INSTALL,
        description="Initial install underway",
        labels=labels,
        server_side=opts.server_side,
    )
    targets = await build_targets(engine.kube, rel.manifest, opts.name, opts.namespace)
    await refuse_foreign_namespaces(
        engine.kube, engine.namespaces, targets, [h.manifest for h in rel.hooks], opts.namespace
    )
    try:
        await existing_keys(
            engine.kube, targets, opts.name, opts.namespace, take_ownership=opts.take_ownership
        )
    except OwnershipConflict as err:
        raise OwnershipConflict(f"unable to continue with install: {err}") from None

    if opts.dry_run:
        await apply_targets(engine.kube, targets, dry_run=True, server_side=opts.server_side)
        rel.info.description = DRY_RUN_DESCRIPTION
        return rel

    if opts.create_namespace:
        await ensure_namespace(engine.kube, opts.namespace)
    if previous is not None and previous.info.status != Status.FAILED:
        previous.info.status = Status.SUPERSEDED
        previous.info.description = "superseded by new release"
        await settled(storage.update(previous))

    await settled(storage.create(rel))
    try:
        await _perform(engine, storage, rel, targets, opts)
    except FAILURES as err:
        rel.info.status = Status.FAILED
        rel.info.description = f'Release "{opts.name}" failed: {err}'
        await settled(storage.update(rel))
        raise ActionFailed(rel.info.description, rel) from err
    rel.info.status = Status.DEPLOYED
    rel.info.description = opts.description or "Install complete"
    await settled(storage.update(rel))
    return rel


async def _perform(
    engine: Engine, storage: Storage, rel: Release, targets: list[Target], opts: InstallOptions
) -> None:
    hooks = hook_runner(engine, storage, opts.namespace, opts.timeout)
    if not opts.disable_hooks:
        try:
            await hooks.run(rel, "pre-install")
        except FAILURES as err:
            raise EngineError(f"failed pre-install: {err}") from err
    await apply_targets(engine.kube, targets, server_side=opts.server_side)
    await wait_for(engine.kube, opts, targets)
    if not opts.disable_hooks:
        try:
            await hooks.run(rel, "post-install")
        except FAILURES as err:
            raise EngineError(f"failed post-install: {err}") from err
