"""Checks a reconcile makes before any Helm action, each ending it with a condition that names
the cause: the HelmRelease's identity and reach (see `access`), its dependencies (missing,
not ready, or a cycle), the namespaces it names, and who owns the release it would act on."""

from __future__ import annotations

from collections.abc import Mapping

from steersman.api import API_VERSION, KIND, HelmRelease, HelmReleaseStatus, Reason
from steersman.controller import access
from steersman.controller.context import Context
from steersman.controller.reconcile.outcomes import Outcome, Recorder
from steersman.controller.reconcile.request import Request, Target
from steersman.storage import DriverKind, Release


async def access_refused(
    hr: HelmRelease, ctx: Context, rec: Recorder, target: Target, kind: DriverKind
) -> Outcome | None:
    """The service account exists, and every other namespace the HelmRelease uses is allowed
    for it (see `access`)."""
    account = access.service_account(hr, ctx.settings)
    refusal = await access.check_account(ctx.kube, hr, account) if account else None
    if refusal is None:
        refusal = await access.check_reach(
            ctx.kube,
            hr,
            ctx.settings,
            account,
            release_ns=target.release_ns,
            storage_ns=target.storage_ns,
            storage_kind=kind,
            dependency_namespaces=[d.namespace or hr.namespace for d in hr.spec.depends_on],
        )
    if refusal is None:
        return None
    if refusal.stall:
        return await rec.stall(refusal.reason, refusal.message)
    return await rec.fail(refusal.reason, refusal.message)


async def missing_namespace(
    hr: HelmRelease, ctx: Context, rec: Recorder, target: Target, kind: DriverKind
) -> Outcome | None:
    """A target or storage namespace that does not exist, said before any action fails on it."""
    kube = ctx.kube
    if (
        target.release_ns != hr.namespace
        and not hr.spec.install.create_namespace
        and await access.namespace_missing(kube, target.release_ns)
    ):
        return await rec.fail(
            Reason.TARGET_NAMESPACE_NOT_FOUND,
            f"target namespace '{target.release_ns}' does not exist: create it, or set "
            "spec.install.createNamespace: true",
        )
    kube_records = kind in (DriverKind.SECRET, DriverKind.CONFIGMAP)
    if (
        kube_records
        and target.storage_ns != hr.namespace
        and await access.namespace_missing(kube, target.storage_ns)
    ):
        return await rec.fail(
            Reason.STORAGE_NAMESPACE_NOT_FOUND,
            f"storage namespace '{target.storage_ns}' (spec.storageNamespace) does not exist: "
            "create it, or remove spec.storageNamespace to keep the records in "
            f"'{hr.namespace}'",
        )
    return None


async def owned_elsewhere(req: Request, history: list[Release]) -> access.Refusal | None:
    """Never take over a release another HelmRelease owns: not through records that name
    another owner, nor by installing into a namespace whose own storage already holds the
    release while ours lives elsewhere."""
    hr, kind = req.hr, req.kind
    owner = access.foreign_owner(history, hr)
    if owner is not None:
        return access.owned_elsewhere(owner, f"{req.storage_ns}/{req.release_name}")
    if req.storage_ns == req.release_ns:
        return None
    used = hr.status.storage
    if used is not None and (used.driver.value, used.namespace) == (kind, req.release_ns):
        return None  # our own previous storage: the records are moved below
    there = await req.engine.backend.storage(req.release_ns).history(req.release_name)
    if not there:
        return None
    owner = access.foreign_owner(there, hr)
    if owner is not None:
        return access.owned_elsewhere(owner, f"{req.release_ns}/{req.release_name}")
    mine = access.owner_labels(hr)
    if all(all(r.labels.get(k) == v for k, v in mine.items()) for r in there):
        return None  # labelled as ours, e.g. left there by an interrupted move
    return access.kept_elsewhere(req.release_ns, req.release_name, req.storage_ns)


async def dependencies_pending(hr: HelmRelease, ctx: Context, rec: Recorder) -> Outcome | None:
    requeue = ctx.settings.requeue_dependency_seconds
    for dep in hr.spec.depends_on:
        ns = dep.namespace or hr.namespace
        if ns != hr.namespace and ctx.settings.no_cross_namespace_refs:
            return await rec.stall(
                Reason.ACCESS_DENIED,
                f"dependency '{ns}/{dep.name}' is in another namespace and "
                "--no-cross-namespace-refs is set",
            )
        if (ns, dep.name) == (hr.namespace, hr.name):
            await rec.stall(
                Reason.DEPENDENCY_CYCLE,
                f"HelmRelease {hr.namespace}/{hr.name} depends on itself: remove it from "
                "spec.dependsOn",
            )
            return Outcome(requeue, "stalled")
        other = await ctx.kube.get_or_none(API_VERSION, KIND, dep.name, ns)
        if other is None:
            message = (
                f"dependency '{ns}/{dep.name}' does not exist: create that HelmRelease or "
                f"remove it from spec.dependsOn (checked again every {requeue:g}s)"
            )
            await rec.waiting(Reason.DEPENDENCY_NOT_FOUND, message)
            return Outcome(requeue, "waiting")
        gen = int((other.get("metadata") or {}).get("generation") or 0)
        status = HelmReleaseStatus.model_validate(other.get("status") or {})
        if status.observed_generation == gen and status.is_ready(gen):
            continue
        cycle = await _cycle(ctx, hr.namespace, hr.name)
        if cycle:
            await rec.stall(
                Reason.DEPENDENCY_CYCLE,
                "spec.dependsOn forms a cycle: "
                + " -> ".join(cycle)
                + "; none of them can become ready: remove one of these dependencies",
            )
            return Outcome(requeue, "stalled")
        await rec.waiting(Reason.DEPENDENCY_NOT_READY, f"dependency '{ns}/{dep.name}' is not ready")
        return Outcome(requeue, "waiting")
    return None


MAX_DEPENDENCY_WALK = 100


async def _cycle(ctx: Context, namespace: str, name: str) -> list[str]:
    """A dependsOn path from this HelmRelease back to itself (`ns/name` hops), or []."""
    start = f"{namespace}/{name}"
    paths: list[list[str]] = [[start]]
    seen = {start}
    while paths and len(seen) <= MAX_DEPENDENCY_WALK:
        path = paths.pop(0)
        ns, _, current = path[-1].partition("/")
        body = await ctx.kube.get_or_none(API_VERSION, KIND, current, ns)
        for dep in ((body or {}).get("spec") or {}).get("dependsOn") or []:
            if not isinstance(dep, Mapping) or not dep.get("name"):
                continue
            hop = f"{dep.get('namespace') or ns}/{dep['name']}"
            if hop == start:
                return [*path, hop]
            if hop not in seen:
                seen.add(hop)
                paths.append([*path, hop])
    return []
