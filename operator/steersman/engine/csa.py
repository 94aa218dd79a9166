"""Taking over fields helm wrote with client-side apply, before applying server-side.

Releases installed by helm v3 (and v4 with `--server-side=false`) own their fields through
`Update` entries of the field manager "helm". Server-side apply only removes fields its own
`Apply` entry owns, so a field the chart dropped would stay on the object forever. helm v4
therefore rewrites managedFields first (client-go's csaupgrade): the CSA entries' field sets
are merged into the applier's `Apply` entry and the CSA entries go away. This does the same.
"""

from __future__ import annotations

import copy
from typing import Any

from steersman.engine.objects import Target
from steersman.kube import Conflict, KubeClient

CSA_MANAGER = "helm"  # the field manager helm's client-side apply writes as
_LAST_APPLIED = "f:kubectl.kubernetes.io/last-applied-configuration"
_RETRIES = 5


def _union(into: dict[str, Any], more: dict[str, Any]) -> None:
    """Set union of two fieldsV1 trees (each key is one field; leaves are {})."""
    for key, sub in more.items():
        if key in into and isinstance(into[key], dict) and isinstance(sub, dict):
            _union(into[key], sub)
        else:
            into[key] = copy.deepcopy(sub)


def _is(entry: dict[str, Any], manager: str, operation: str) -> bool:
    return (
        entry.get("manager") == manager
        and entry.get("operation") == operation
        and not entry.get("subresource")
    )


def upgraded_managed_fields(
    entries: list[dict[str, Any]], csa_manager: str, ssa_manager: str
) -> list[dict[str, Any]] | None:
    """The managedFields with `csa_manager`'s Update entries folded into `ssa_manager`'s Apply
    entry, or None when there is nothing to fold."""
    if not any(_is(e, csa_manager, "Update") for e in entries):
        return None
    out = copy.deepcopy(entries)
    target = next((i for i, e in enumerate(out) if _is(e, ssa_manager, "Apply")), None)
    if target is None:  # the newest CSA entry (entries are newest first) becomes the Apply one
        target = next(i for i, e in enumerate(out) if _is(e, csa_manager, "Update"))
        out[target] = {**out[target], "manager": ssa_manager, "operation": "Apply"}
    fields: dict[str, Any] = copy.deepcopy(out[target].get("fieldsV1") or {})
    for entry in out:
        if _is(entry, csa_manager, "Update"):
            _union(fields, entry.get("fieldsV1") or {})
    annotations = (fields.get("f:metadata") or {}).get("f:annotations")
    if isinstance(annotations, dict):
        annotations.pop(_LAST_APPLIED, None)
    out[target] = {**out[target], "fieldsType": "FieldsV1", "fieldsV1": fields}
    return [e for i, e in enumerate(out) if i == target or not _is(e, csa_manager, "Update")]


async def adopt_client_side_fields(kube: KubeClient, target: Target) -> bool:
    """Rewrite the live object's managedFields so our applies own helm's CSA fields.
    False when the object is missing or has no such fields."""
    res = await kube.resource(target.api_version, target.kind)
    path = res.path(target.namespace, target.name)
    for _ in range(_RETRIES):
        live = await kube.get_or_none(
            target.api_version, target.kind, target.name, target.namespace
        )
        if live is None:
            return False
        meta = live.get("metadata") or {}
        entries = upgraded_managed_fields(
            list(meta.get("managedFields") or []), CSA_MANAGER, kube.field_manager
        )
        if entries is None:
            return False
        patch = [
            {"op": "replace", "path": "/metadata/managedFields", "value": entries},
            # replacing resourceVersion makes the patch fail with a conflict if the object
            # changed since it was read
            {
                "op": "replace",
                "path": "/metadata/resourceVersion",
                "value": meta["resourceVersion"],
            },
        ]
        try:
            await kube.request(
                "PATCH", path, body=patch, content_type="application/json-patch+json"
            )
        except Conflict:
            continue
        return True
    return False
