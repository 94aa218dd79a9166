"""Drift detection and correction for a deployed release.

Detection: every object of the stored manifest is server-side applied in dry-run mode; the result
is what the object would be if we applied it now. When that differs from the live object (or the
object is gone), the cluster has drifted. Fields we don't manage (added by others) don't count:
server-side apply keeps them, like Flux's detection does.

Correction: the drifted objects are applied again (force, our field manager). No new release
revision is written; the stored manifest stays the truth.
"""

from __future__ import annotations

import asyncio
import copy
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from steersman.api import DRIFT_DETECTION, DriftIgnoreRule, DriftTarget
from steersman.engine import Target, parse_documents, resolve_all, with_ownership
from steersman.kube import KubeClient
from steersman.storage import Release

# Server-maintained fields that change on every write, dry-run or not.
_VOLATILE_METADATA = ("managedFields", "resourceVersion", "generation")


@dataclass(frozen=True)
class DriftedObject:
    target: Target
    missing: bool

    def describe(self) -> str:
        where = f"{self.target.namespace}/" if self.target.namespace else ""
        what = "missing" if self.missing else "changed"
        return f"{self.target.kind} {where}{self.target.name} ({what})"


def _comparable(obj: dict[str, Any], paths: Sequence[str]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    out.pop("status", None)
    meta = out.get("metadata") or {}
    for key in _VOLATILE_METADATA:
        meta.pop(key, None)
    for path in paths:
        _remove_pointer(out, path)
    return out


def _remove_pointer(doc: Any, pointer: str) -> None:
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]]
    node = doc
    for part in parts[:-1]:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return
    last = parts[-1] if parts else ""
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and last.isdigit() and int(last) < len(node):
        node.pop(int(last))


def _matches(selector: DriftTarget | None, t: Target) -> bool:
    if selector is None:
        return True
    group, _, version = t.api_version.rpartition("/")
    checks = (
        (selector.group, group),
        (selector.version, version),
        (selector.kind, t.kind),
        (selector.name, t.name),
        (selector.namespace, t.namespace or ""),
    )
    return all(want is None or want == have for want, have in checks)


def _excluded(obj: dict[str, Any]) -> bool:
    meta = obj.get("metadata") or {}
    for source in (meta.get("labels") or {}, meta.get("annotations") or {}):
        if source.get(DRIFT_DETECTION) == "disabled":
            return True
    return False


async def _check(
    kube: KubeClient, t: Target, rules: Sequence[DriftIgnoreRule]
) -> DriftedObject | None:
    live = await kube.get_or_none(t.api_version, t.kind, t.name, t.namespace)
    if live is None:
        return DriftedObject(t, missing=True)
    if _excluded(live) or _excluded(t.obj):
        return None
    paths = [p for rule in rules if _matches(rule.target, t) for p in rule.paths]
    wanted = await kube.apply(t.obj, namespace=t.namespace, dry_run=True)
    if _comparable(wanted, paths) != _comparable(live, paths):
        return DriftedObject(t, missing=False)
    return None


async def detect(
    kube: KubeClient, release: Release, rules: Sequence[DriftIgnoreRule] = ()
) -> list[DriftedObject]:
    """The release's objects that differ from what its stored manifest says."""
    targets = await resolve_all(kube, parse_documents(release.manifest), release.namespace)
    for t in targets:  # what the engine applied: the manifest plus Helm's ownership metadata
        t.obj = with_ownership(t.obj, release.name, release.namespace)
    found = await asyncio.gather(*(_check(kube, t, rules) for t in targets))
    return [d for d in found if d is not None]


async def correct(kube: KubeClient, drifted: Sequence[DriftedObject]) -> None:
    """Apply the drifted objects again (server-side apply, force)."""
    await asyncio.gather(*(kube.apply(d.target.obj, namespace=d.target.namespace) for d in drifted))
