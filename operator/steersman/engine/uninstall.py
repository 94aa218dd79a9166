"""`helm uninstall`: delete the release's objects and purge (or keep) its history."""

from __future__ import annotations

from dataclasses import dataclass, field

from steersman.engine.context import Common, Engine, hook_runner, settled
from steersman.engine.errors import FAILURES, AlreadyDeleted, EngineError
from steersman.engine.hooks import wait_deleted
from steersman.engine.objects import Target, parse_documents, resolve_all
from steersman.engine.ownership import validate_release_name
from steersman.engine.records import now
from steersman.engine.resources import delete_release_objects
from steersman.kube import Propagation
from steersman.storage import Release, ReleaseNotFound, Status, Storage


@dataclass
class UninstallOptions(Common):
    name: str = ""
    keep_history: bool = False
    propagation: Propagation = "Background"


@dataclass
class UninstallResult:
    release: Release
    kept: list[Target] = field(default_factory=list)

    @property
    def info(self) -> str:
        """Helm's note about objects left in place by `helm.sh/resource-policy: keep`."""
        if not self.kept:
            return ""
        lines = "".join(f"[{t.kind}] {t.name}\n" for t in self.kept)
        return "These resources were kept due to the resource policy:\n" + lines


async def uninstall(engine: Engine, opts: UninstallOptions) -> UninstallResult:
    try:
        validate_release_name(opts.name)
    except EngineError:
        raise EngineError(f"uninstall: Release name is invalid: {opts.name}") from None
    storage = engine.storage(opts.records_namespace)
    history = await storage.history(opts.name)
    if not history:
        raise ReleaseNotFound(
            "uninstall: Release not loaded: " + opts.name + ": release: not found"
        )
    rel = history[-1]
    if rel.info.status == Status.UNINSTALLED:
        if opts.keep_history:
            raise AlreadyDeleted(opts.name)
        await _purge(storage, history)
        return UninstallResult(rel)

    rel.info.status = Status.UNINSTALLING
    rel.info.deleted = now()
    rel.info.description = "Deletion in progress (or silently failed)"
    await settled(storage.update(rel))
    hooks = hook_runner(engine, storage, rel.namespace, opts.timeout)
    if not opts.disable_hooks:
        await hooks.run(rel, "pre-delete")

    targets = await _targets(engine, rel)
    result = await delete_release_objects(engine.kube, targets, opts.propagation)
    if result.errors:
        # Helm logs the errors and says only the first line; the details say what to fix.
        raise EngineError(
            f"failed to delete release: {opts.name}: " + "; ".join(result.errors[:3])
        ) from result.causes[0]
    errors: list[str] = []
    if opts.wait:
        try:
            await wait_deleted(engine.kube, result.deleted, opts.timeout)
        except FAILURES as err:
            errors.append(str(err))
    if not opts.disable_hooks:
        try:
            await hooks.run(rel, "post-delete")
        except FAILURES as err:
            errors.append(str(err))

    rel.info.status = Status.UNINSTALLED
    rel.info.description = opts.description or "Uninstallation complete"
    if not opts.keep_history:
        await _purge(storage, history)
    else:
        await settled(storage.update(rel))
        try:
            deployed = await storage.deployed_all(opts.name)
        except ReleaseNotFound:
            deployed = []
        for old in deployed:
            old.info.status = Status.SUPERSEDED
            await settled(storage.update(old))
    if errors:
        raise EngineError(
            f"uninstallation completed with {len(errors)} error(s): " + "; ".join(errors)
        )
    return UninstallResult(rel, result.kept)


async def _targets(engine: Engine, rel: Release) -> list[Target]:
    try:
        return await resolve_all(engine.kube, parse_documents(rel.manifest), rel.namespace)
    except FAILURES as err:
        raise EngineError(
            f"corrupted release record. You must manually delete the resources: {err}"
        ) from err


async def _purge(storage: Storage, history: list[Release]) -> None:
    for r in history:
        await settled(storage.delete(r.name, r.version))
