"""Client-side apply (helm v3's way) and the replacement strategy (`force`).

Client-side apply creates missing objects with POST and updates existing ones with a three-way
JSON merge patch computed here from the object as the previous revision rendered it (the
"original"), as the new revision renders it (the "target") and as it is live ("current"):
fields the target sets differently from the live object are sent, fields the original had and
the target dropped are deleted, and fields nobody rendered (set by others, defaulted by the
apiserver) are left alone. Lists are replaced as a whole (JSON merge patch semantics; helm v3
merges built-in lists by key with strategic merge patch).

This matters on apiservers whose server-side apply refuses objects that are fine otherwise:
on 1.20 a Service port without `protocol` fails SSA ("associative list with keys has an element
that omits key field protocol"), while a POST lets the apiserver default it.

`force` replaces (PUT) existing objects instead; one the apiserver refuses to replace (an
immutable field changed) is deleted and created again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from steersman.engine.hooks import wait_deleted
from steersman.engine.objects import Target
from steersman.kube import Invalid, KubeClient

Obj = dict[str, Any]
MERGE_PATCH = "application/merge-patch+json"
RECREATE_WAIT = 60.0  # how long a forced replacement waits for the old object to go


def three_way_patch(
    original: Mapping[str, Any], target: Mapping[str, Any], current: Mapping[str, Any]
) -> Obj:
    """The JSON merge patch that turns `current` into `target` without touching fields that
    only `current` has, except those `original` had (the chart dropped them: deleted)."""
    patch: Obj = {}
    for key, want in target.items():
        have = current.get(key)
        if isinstance(want, dict) and isinstance(have, dict):
            before = original.get(key)
            sub = three_way_patch(before if isinstance(before, dict) else {}, want, have)
            if sub:
                patch[key] = sub
        elif key not in current or have != want:
            patch[key] = want
    for key in original:
        if key not in target and key in current:
            patch[key] = None
    return patch


def _without_server_fields(patch: Obj) -> Obj:
    meta = patch.get("metadata")
    if isinstance(meta, dict):
        for field in ("resourceVersion", "uid", "creationTimestamp", "managedFields"):
            meta.pop(field, None)
    patch.pop("status", None)
    return patch


async def client_side_apply(
    kube: KubeClient, target: Target, original: Mapping[str, Any] | None, *, dry_run: bool
) -> None:
    """Create `target`, or patch the live object towards it (three-way, see the module)."""
    query = [("fieldManager", kube.field_manager)] + ([("dryRun", "All")] if dry_run else [])
    res = await kube.resource(target.api_version, target.kind)
    live = await kube.get_or_none(target.api_version, target.kind, target.name, target.namespace)
    if live is None:
        body = _namespaced(target)
        await kube.request("POST", res.path(target.namespace), query=query, body=body)
        return
    patch = _without_server_fields(three_way_patch(original or {}, target.obj, live))
    if not patch:
        return
    await kube.request(
        "PATCH",
        res.path(target.namespace, target.name),
        query=query,
        body=patch,
        content_type=MERGE_PATCH,
    )


async def replace(kube: KubeClient, target: Target, *, dry_run: bool) -> None:
    """`force`: PUT the target over the live object; delete and create it when the apiserver
    refuses the replacement (Invalid: an immutable field changed)."""
    query = [("fieldManager", kube.field_manager)] + ([("dryRun", "All")] if dry_run else [])
    res = await kube.resource(target.api_version, target.kind)
    live = await kube.get_or_none(target.api_version, target.kind, target.name, target.namespace)
    body = _namespaced(target)
    if live is None:
        await kube.request("POST", res.path(target.namespace), query=query, body=body)
        return
    version = (live.get("metadata") or {}).get("resourceVersion")
    body["metadata"] = {**body["metadata"], "resourceVersion": version}
    path = res.path(target.namespace, target.name)
    try:
        await kube.request("PUT", path, query=query, body=body)
        return
    except Invalid:
        if dry_run:
            raise
    await kube.delete(
        target.api_version, target.kind, target.name, target.namespace, propagation="Background"
    )
    await wait_deleted(kube, [target], RECREATE_WAIT)
    del body["metadata"]["resourceVersion"]
    await kube.request("POST", res.path(target.namespace), query=query, body=body)


def _namespaced(target: Target) -> Obj:
    meta = dict(target.obj.get("metadata") or {})
    if target.namespace is not None:
        meta["namespace"] = target.namespace
    return {**target.obj, "metadata": meta}
