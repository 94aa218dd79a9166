"""Applying, pruning and deleting a release's objects on the cluster.

Objects are sent kind by kind in the order given (install order); objects of one kind go out
together, like Helm's batched create. By default every call is server-side apply with force, so
fields another manager owns are taken over, as `helm` does with `--force-conflicts`; with
`server_side=False` objects are applied client-side, with `force` replaced (`client_apply`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from steersman.chart import UNINSTALL_ORDER, Chart, sort_by_kind
from steersman.engine.client_apply import client_side_apply, replace
from steersman.engine.context import Common
from steersman.engine.csa import adopt_client_side_fields
from steersman.engine.errors import FAILURES, EngineError, NamespaceNotAllowed, OwnershipConflict
from steersman.engine.objects import ObjectKey, Target, parse_documents, resolve_all
from steersman.engine.ownership import is_kept, ownership_problem, with_ownership
from steersman.engine.readiness import compute, compute_with_jobs
from steersman.engine.wait import wait_ready
from steersman.kube import Conflict, KubeClient, KubeError, Propagation
from steersman.storage import Release

T = TypeVar("T")
R = TypeVar("R")


def _batches(items: Sequence[T], kind_of: Callable[[T], str]) -> list[list[T]]:
    """Runs of consecutive items of the same kind."""
    out: list[list[T]] = []
    for item in items:
        if out and kind_of(out[-1][0]) == kind_of(item):
            out[-1].append(item)
        else:
            out.append([item])
    return out


async def _each_kind(
    targets: Sequence[Target], action: Callable[[Target], Awaitable[R]]
) -> list[R]:
    results: list[R] = []
    for batch in _batches(targets, lambda t: t.kind):
        results.extend(await asyncio.gather(*(action(t) for t in batch)))
    return results


async def existing_keys(
    kube: KubeClient,
    targets: Sequence[Target],
    release: str,
    namespace: str,
    *,
    take_ownership: bool = False,
) -> set[ObjectKey]:
    """The targets that already exist; raise OwnershipConflict (Helm's text) when one of them
    does not carry this release's ownership metadata (unless `take_ownership`)."""

    async def probe(t: Target) -> tuple[Target, dict[str, Any] | None]:
        try:
            return t, await kube.get_or_none(t.api_version, t.kind, t.name, t.namespace)
        except KubeError as err:
            raise EngineError(
                f"could not get information about the resource {t.describe()}: {err}"
            ) from err

    found = await asyncio.gather(*(probe(t) for t in targets))
    existing: set[ObjectKey] = set()
    for target, live in found:
        if live is None:
            continue
        existing.add(target.key)
        problem = None if take_ownership else ownership_problem(live, release, namespace)
        if problem is not None:
            raise OwnershipConflict(
                f"{target.describe()} exists and cannot be imported into the current "
                f"release: {problem}"
            )
    return existing


async def take_over_client_side_fields(kube: KubeClient, targets: Sequence[Target]) -> None:
    """Before applying over a client-side-applied release: see `engine.csa`."""
    await asyncio.gather(*(adopt_client_side_fields(kube, t) for t in targets))


async def apply_targets(
    kube: KubeClient,
    targets: Sequence[Target],
    *,
    dry_run: bool = False,
    server_side: bool = True,
    force: bool = False,
    originals: Sequence[Target] = (),
) -> None:
    """Apply server-side, or client-side against `originals` (the previous revision's objects),
    or with `force` by replacement."""
    before = {t.key: t.obj for t in originals}

    async def one(t: Target) -> None:
        try:
            if force:
                await replace(kube, t, dry_run=dry_run)
            elif server_side:
                await kube.apply(t.obj, namespace=t.namespace, dry_run=dry_run)
            else:
                await client_side_apply(kube, t, before.get(t.key), dry_run=dry_run)
        except Conflict as err:
            raise EngineError(
                f"conflict occurred while applying object {t.namespace or ''}/{t.name} "
                f"{t.api_version}, Kind={t.kind}: {err}"
            ) from err

    await _each_kind(targets, one)


async def prune(kube: KubeClient, stale: Sequence[Target]) -> list[Target]:
    """Delete objects the new manifest dropped, unless the live object says keep."""

    async def one(t: Target) -> Target | None:
        live = await kube.get_or_none(t.api_version, t.kind, t.name, t.namespace)
        if live is None or is_kept((live.get("metadata") or {}).get("annotations") or {}):
            return None
        try:
            await kube.delete(t.api_version, t.kind, t.name, t.namespace)
        except KubeError as err:
            raise EngineError(f"failed to delete resource {t.name}: {err}") from err
        return t

    deleted = await asyncio.gather(*(one(t) for t in stale))
    return [t for t in deleted if t is not None]


@dataclass
class Deletion:
    deleted: list[Target] = field(default_factory=list)
    kept: list[Target] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    causes: list[KubeError] = field(default_factory=list)


async def delete_release_objects(
    kube: KubeClient, targets: Sequence[Target], propagation: Propagation
) -> Deletion:
    """Uninstall: every object in uninstall order except those annotated keep."""
    result = Deletion()
    doomed: list[Target] = []
    for t in sort_by_kind(targets, lambda t: t.kind, UNINSTALL_ORDER):
        (result.kept if is_kept(t.annotations) else doomed).append(t)

    async def one(t: Target) -> None:
        try:
            await kube.delete(t.api_version, t.kind, t.name, t.namespace, propagation=propagation)
            result.deleted.append(t)
        except KubeError as err:
            result.errors.append(f"{t.describe()}: {err}")
            result.causes.append(err)

    await _each_kind(doomed, one)
    return result


class CrdPolicy(StrEnum):
    """What to do with the chart's crds/ directory (Flux's names)."""

    SKIP = "Skip"
    CREATE = "Create"
    CREATE_REPLACE = "CreateReplace"


async def install_crds(
    kube: KubeClient, chart: Chart, policy: CrdPolicy, *, within: float = 60.0
) -> list[Target]:
    """Create (or with CreateReplace also update) the chart's CRDs, then wait until they are
    Established and refresh discovery so their kinds can be applied."""
    if policy is CrdPolicy.SKIP:
        return []
    objects: list[dict[str, Any]] = []
    for f in chart.crd_files():
        try:
            docs = parse_documents(f.data.decode("utf-8"))
        except (UnicodeDecodeError, EngineError) as err:
            raise EngineError(f"failed to install CRD {f.name}: {err}") from err
        if not docs:
            raise EngineError(f"failed to install CRD {f.name}: resources are empty")
        objects.extend(docs)
    if not objects:
        return []
    targets = await resolve_all(kube, objects, "")
    sent: list[Target] = []
    for t in targets:
        try:
            if policy is CrdPolicy.CREATE_REPLACE:
                await kube.apply(t.obj)
            else:
                await kube.create(t.obj)
        except Conflict:
            continue  # already there: Create leaves it alone
        except KubeError as err:
            raise EngineError(f"failed to install CRD {t.name}: {err}") from err
        sent.append(t)
    if sent:
        await wait_ready(kube, [t.obj for t in sent], within)
        kube.discovery.invalidate()
    return sent


async def ensure_namespace(kube: KubeClient, namespace: str) -> None:
    """`--create-namespace`: a Namespace labelled name=<ns>; one that exists is fine."""
    body = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": namespace, "labels": {"name": namespace}},
    }
    with contextlib.suppress(Conflict):
        await kube.create(body)


async def build_targets(kube: KubeClient, manifest: str, name: str, namespace: str) -> list[Target]:
    """The release's objects, each stamped with Helm's ownership metadata."""
    targets = await resolve_all(kube, parse_documents(manifest), namespace)
    for t in targets:
        t.obj = with_ownership(t.obj, name, namespace)
    return targets


async def refuse_foreign_namespaces(
    kube: KubeClient,
    allowed: frozenset[str] | None,
    targets: Sequence[Target],
    hook_manifests: Sequence[str],
    namespace: str,
) -> None:
    """With `allowed` set, every namespaced object (hooks included) must live in one of those
    namespaces; checked before anything is stored or applied."""
    if allowed is None:
        return
    objects = list(targets)
    for manifest in hook_manifests:
        objects += await resolve_all(kube, parse_documents(manifest), namespace)
    outside = [t for t in objects if t.namespace is not None and t.namespace not in allowed]
    if outside:
        shown = ", ".join(t.describe() for t in outside[:5])
        raise NamespaceNotAllowed(
            f"the chart puts objects outside the namespaces this release may use "
            f"({', '.join(sorted(allowed))}): {shown}"
        )


async def current_objects(kube: KubeClient, current: Release) -> list[Target]:
    """The objects of the revision an upgrade or rollback starts from."""
    try:
        return await resolve_all(kube, parse_documents(current.manifest), current.namespace)
    except FAILURES as err:
        raise EngineError(
            f"unable to build kubernetes objects from current release manifest: {err}"
        ) from err


# Workloads whose Pods `recreate` deletes, and where their Pod selector is.
_POD_OWNERS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController"}


def pod_selector(workload: Target) -> str:
    """The workload's Pod selector as a labelSelector query ("" when it has none)."""
    selector = (workload.obj.get("spec") or {}).get("selector") or {}
    if not isinstance(selector, dict):
        return ""
    if workload.kind == "ReplicationController":  # a plain label map
        return ",".join(f"{k}={v}" for k, v in sorted(selector.items()))
    terms = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expr in selector.get("matchExpressions") or []:
        key, op, values = expr.get("key"), expr.get("operator"), expr.get("values") or []
        terms.append(
            {
                "In": f"{key} in ({','.join(values)})",
                "NotIn": f"{key} notin ({','.join(values)})",
                "Exists": f"{key}",
                "DoesNotExist": f"!{key}",
            }.get(str(op), "")
        )
    return ",".join(t for t in terms if t)


async def recreate_pods(kube: KubeClient, targets: Sequence[Target]) -> None:
    """helm v3's rollback --recreate-pods: delete the Pods of every workload so its controller
    starts them again. Best effort, as in helm: the rollback itself has succeeded."""
    for t in targets:
        selector = pod_selector(t) if t.kind in _POD_OWNERS and t.namespace else ""
        if not selector:  # an empty selector would match every Pod in the namespace
            continue
        with contextlib.suppress(*FAILURES):
            for pod in await kube.list("v1", "Pod", t.namespace, label_selector=selector):
                name = (pod.get("metadata") or {}).get("name", "")
                await kube.delete("v1", "Pod", name, t.namespace)


async def wait_for(kube: KubeClient, opts: Common, targets: list[Target]) -> None:
    """`--wait` (and `--wait-for-jobs`): until every object is ready, or fail naming them."""
    if opts.wait:
        rule = compute_with_jobs if opts.wait_for_jobs else compute
        await wait_ready(kube, [t.obj for t in targets], opts.timeout, rule=rule)
