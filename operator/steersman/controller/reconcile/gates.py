"""Checks a reconcile makes before any Helm action, each ending it with a condition that names
the cause: the HelmRelease's identity and reach (see `access`), its dependencies (missing,
not ready, or a cycle), the namespaces it names, and who owns the release it would act on."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from urllib.parse import urlsplit

from steersman.api import API_VERSION, KIND, HelmRelease, HelmReleaseStatus, Reason
from steersman.controller import access
from steersman.controller.context import Context
from steersman.controller.reconcile.outcomes import Outcome, Recorder
from steersman.controller.reconcile.request import Request, Target
from steersman.controller.remote import Cluster, RemoteClusterError
from steersman.errors import describe
from steersman.kube import Forbidden, KubeError
from steersman.storage import DriverKind, Release

PROBE_SECONDS = 10.0


async def remote_refused(rec: Recorder, err: RemoteClusterError) -> Outcome:
    """spec.kubeConfig gives no usable client: retried, as fixing the Secret fixes it."""
    reason = Reason.INSECURE_KUBECONFIG if err.insecure else Reason.REST_CLIENT_ERROR
    return await rec.fail(reason, str(err))


async def remote_unreachable(cluster: Cluster, rec: Recorder) -> Outcome | None:
    """A remote cluster must answer before anything is read or written there (one short
    request), so that its outage reads as such instead of as a failed action."""
    if cluster.remote is None:
        return None
    parts = urlsplit(str(cluster.kube.api.configuration.host))
    where = f"remote cluster {parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    where += f" (kubeconfig of Secret {cluster.remote})"
    try:
        async with asyncio.timeout(PROBE_SECONDS):
            await cluster.kube.request("GET", "/version")
    except TimeoutError:
        cause: str = f"no answer within {PROBE_SECONDS:g}s"
        err: BaseException | None = None
    except Forbidden as refused:
        return await rec.fail(
            Reason.REMOTE_CLUSTER_UNAVAILABLE,
            f"{where} refused the kubeconfig's credentials: {describe(refused)}; update the Secret",
        )
    except KubeError as down:
        cause, err = describe(down), down
    else:
        return None
    return await rec.fail(
        Reason.REMOTE_CLUSTER_UNAVAILABLE, f"{where} is unreachable: {cause}; retrying", err
    )


async def access_refused(
    hr: HelmRelease,
    ctx: Context,
    rec: Recorder,
    target: Target,
    kind: DriverKind,
    cluster: Cluster,
) -> Outcome | None:
    """The service account exists, and every other namespace the HelmRelease uses is allowed
    for it (see `access`), in the cluster the release lives in. On a remote cluster the account
    is one of that cluster: `dependsOn` (HelmReleases here) is not checked against it."""
    account = access.service_account(hr, ctx.settings)
    refusal = await access.check_account(cluster.kube, hr, account) if account else None
    if refusal is None:
        remote = cluster.remote is not None
        refusal = await access.check_reach(
            cluster.kube,
            hr,
            ctx.settings,
            account,
            release_ns=target.release_ns,
            storage_ns=target.storage_ns,
            storage_kind=kind,
            dependency_namespaces=[]
            if remote
            else [d.namespace or hr.namespace for d in hr.spec.depends_on],
        )
    if refusal is None:
        return None
    if cluster.remote is not None:
        refusal = dataclasses.replace(
            refusal, message=f"{refusal.message} (in the remote cluster of spec.kubeConfig)"
        )
    if refusal.stall:
        return await rec.stall(refusal.reason, refusal.message)
    return await rec.fail(refusal.reason, refusal.message)


async def missing_namespace(
    hr: HelmRelease, rec: Recorder, target: Target, kind: DriverKind, cluster: Cluster
) -> Outcome | None:
    """A target or storage namespace that does not exist, said before any action fails on it.
    In a remote cluster the HelmRelease's own namespace may be missing too."""
    kube, remote = cluster.kube, cluster.remote is not None
    there = " in the remote cluster (spec.kubeConfig)" if remote else ""
    create = hr.spec.install.create_namespace
    if (
        (remote or target.release_ns != hr.namespace)
        and not create
        and await access.namespace_missing(kube, target.release_ns)
    ):
        return await rec.fail(
            Reason.TARGET_NAMESPACE_NOT_FOUND,
            f"target namespace '{target.release_ns}' does not exist{there}: create it, or set "
            "spec.install.createNamespace: true",
        )
    kube_records = kind in (DriverKind.SECRET, DriverKind.CONFIGMAP)
    if (
        kube_records
        and (remote or target.storage_ns != hr.namespace)
        and not (remote and create and target.storage_ns == target.release_ns)
        and await access.namespace_missing(kube, target.storage_ns)
    ):
        return await rec.fail(
            Reason.STORAGE_NAMESPACE_NOT_FOUND,
            f"storage namespace '{target.storage_ns}' (spec.storageNamespace) does not "
            f"exist{there}: create it, or remove spec.storageNamespace to keep the records in "
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
