"""Wait until applied resources are ready, with one overall timeout (Helm 4's `--wait`).

Polls the live objects (there is no kubelet or controller we could rely on to send events in
every cluster, and polling a few dozen objects is cheap). A `Failed` resource is terminal: it is
not waited for any longer, and the wait then fails naming it. On timeout the error names every
resource that was not ready, with its status and why.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from steersman.engine.errors import EngineError
from steersman.engine.readiness import Result, Status, compute
from steersman.kube import KubeClient, KubeError

Rule = Callable[[Mapping[str, Any]], Result]


@dataclass(frozen=True)
class ResourceRef:
    api_version: str
    kind: str
    name: str
    namespace: str | None = None

    @classmethod
    def of(cls, obj: Mapping[str, Any], default_namespace: str | None = None) -> ResourceRef:
        meta = obj.get("metadata") or {}
        return cls(
            str(obj.get("apiVersion", "")),
            str(obj.get("kind", "")),
            str(meta.get("name", "")),
            meta.get("namespace") or default_namespace,
        )

    def __str__(self) -> str:
        return f"{self.kind}/{self.namespace or ''}/{self.name}"


class WaitError(EngineError):
    """Some resources did not become ready. `pending` maps each to its last known status."""

    def __init__(self, pending: Mapping[ResourceRef, Result], *, timed_out: bool) -> None:
        self.pending = dict(pending)
        self.timed_out = timed_out
        lines = [
            f"resource {ref} not ready. status: {res.status}, message: {res.message}"
            for ref, res in sorted(pending.items(), key=lambda item: str(item[0]))
        ]
        if timed_out:
            lines.append("context deadline exceeded")
        super().__init__("\n".join(lines))


async def _observe(kube: KubeClient, ref: ResourceRef, rule: Rule) -> Result:
    try:
        obj = await kube.get_or_none(ref.api_version, ref.kind, ref.name, ref.namespace)
    except KubeError as err:
        return Result(Status.UNKNOWN, err.message)
    if obj is None:
        return Result(Status.NOT_FOUND, "Resource not found")
    return rule(obj)


def _skipped(obj: Mapping[str, Any]) -> bool:
    """Paused Deployments are not waited for (nothing will roll them out)."""
    return obj.get("kind") == "Deployment" and bool((obj.get("spec") or {}).get("paused"))


async def wait_ready(
    kube: KubeClient,
    objects: Iterable[Mapping[str, Any]],
    within: float,
    *,
    rule: Rule = compute,
    default_namespace: str | None = None,
    poll_interval: float = 0.5,
) -> None:
    """Return once every object is ready; raise WaitError when one failed or `within`
    seconds ran out."""
    refs = [ResourceRef.of(o, default_namespace) for o in objects if not _skipped(o)]
    await wait_refs(kube, refs, within, rule=rule, poll_interval=poll_interval)


async def wait_refs(
    kube: KubeClient,
    refs: Sequence[ResourceRef],
    within: float,
    *,
    rule: Rule = compute,
    poll_interval: float = 0.5,
) -> None:
    deadline = time.monotonic() + within
    waiting = list(dict.fromkeys(refs))
    failed: dict[ResourceRef, Result] = {}
    last: dict[ResourceRef, Result] = {}
    delay = min(0.05, poll_interval)
    while True:
        results = await asyncio.gather(*(_observe(kube, ref, rule) for ref in waiting))
        still: list[ResourceRef] = []
        for ref, res in zip(waiting, results, strict=True):
            last[ref] = res
            if res.status is Status.FAILED:
                failed[ref] = res
            elif not res.ready:
                still.append(ref)
        waiting = still
        if not waiting:
            if failed:
                raise WaitError(failed, timed_out=False)
            return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise WaitError({**failed, **{r: last[r] for r in waiting}}, timed_out=True)
        await asyncio.sleep(min(delay, remaining))
        delay = min(delay * 2, poll_interval)  # quick first checks, then steady polling
