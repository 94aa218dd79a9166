"""Running a release's hooks for one event, as Helm's `execHook` does.

Order: hooks are stored sorted by kind; they run stably sorted by weight, then name. Each one:
delete the previous instance (before-hook-creation, the default policy), record the phase
`Running` on the release, create the objects, wait until Jobs complete / Pods succeed, record
`Succeeded` or `Failed`. On failure the failed hook is deleted if it says hook-failed and the
hooks that already succeeded if they say hook-succeeded; after success every hook with
hook-succeeded is deleted, last first. CustomResourceDefinition hooks are never deleted.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from steersman.engine.errors import DeletionTimeout, HookFailed
from steersman.engine.objects import Target, parse_documents, resolve_all
from steersman.engine.readiness import compute_for_hook
from steersman.engine.wait import ResourceRef, WaitError, wait_refs
from steersman.golang.gotime import GoTime
from steersman.kube import KubeClient, KubeError
from steersman.storage import Hook, HookExecution, Release

BEFORE_HOOK_CREATION = "before-hook-creation"
HOOK_SUCCEEDED = "hook-succeeded"
HOOK_FAILED = "hook-failed"

PHASE_RUNNING = "Running"
PHASE_SUCCEEDED = "Succeeded"
PHASE_FAILED = "Failed"
PHASE_UNKNOWN = "Unknown"

Record = Callable[[Release], Awaitable[None]]


def hooks_for(release: Release, event: str) -> list[Hook]:
    """The hooks of `event` in execution order (stable: weight, then name)."""
    chosen = [h for h in release.hooks if event in h.events]
    return sorted(chosen, key=lambda h: (h.weight, h.name))


@dataclass
class HookRunner:
    kube: KubeClient
    namespace: str  # the release namespace: the default for hook objects
    timeout: float
    record: Record  # stores the release (phases are visible while hooks run)

    async def run(
        self, release: Release, event: str, chosen: Callable[[Hook], bool] | None = None
    ) -> None:
        """Run the hooks of `event` (those `chosen` accepts, when given)."""
        hooks = [h for h in hooks_for(release, event) if chosen is None or chosen(h)]
        done: list[Hook] = []
        for hook in hooks:
            if not hook.delete_policies:
                hook.delete_policies = [BEFORE_HOOK_CREATION]
            targets = await self._targets(hook, event)
            if BEFORE_HOOK_CREATION in hook.delete_policies:
                await self._delete(hook, targets)
            hook.last_run = HookExecution(started_at=GoTime.now(), phase=PHASE_RUNNING)
            await self.record(release)
            hook.last_run.phase = PHASE_UNKNOWN
            try:
                for target in targets:
                    await self.kube.apply(target.obj, namespace=target.namespace)
            except KubeError as err:
                hook.last_run.completed_at = GoTime.now()
                hook.last_run.phase = PHASE_FAILED
                raise HookFailed(f"warning: Hook {event} {hook.path} failed: {err}") from err
            try:
                await self._wait(targets)
            except (WaitError, KubeError, DeletionTimeout) as err:
                hook.last_run.completed_at = GoTime.now()
                hook.last_run.phase = PHASE_FAILED
                await self._cleanup_failed(hook, targets, done)
                raise HookFailed(str(err)) from err
            hook.last_run.completed_at = GoTime.now()
            hook.last_run.phase = PHASE_SUCCEEDED
            done.append(hook)
        for hook in reversed(done):
            if HOOK_SUCCEEDED in hook.delete_policies:
                await self._delete(hook, await self._targets(hook, event))

    async def _targets(self, hook: Hook, event: str) -> list[Target]:
        try:
            return await resolve_all(self.kube, parse_documents(hook.manifest), self.namespace)
        except (KubeError, ValueError) as err:
            raise HookFailed(
                f"unable to build kubernetes object for {event} hook {hook.path}: {err}"
            ) from err

    async def _wait(self, targets: Sequence[Target]) -> None:
        refs = [ResourceRef(t.api_version, t.kind, t.name, t.namespace) for t in targets]
        await wait_refs(self.kube, refs, self.timeout, rule=compute_for_hook)

    async def _cleanup_failed(self, hook: Hook, targets: list[Target], done: list[Hook]) -> None:
        # Cleanup must not hide the hook's own failure: its errors are dropped, like Helm logs them.
        try:
            if HOOK_FAILED in hook.delete_policies:
                await self._delete(hook, targets)
            for earlier in done:
                if HOOK_SUCCEEDED in earlier.delete_policies:
                    await self._delete(earlier, await self._targets(earlier, ""))
        except (KubeError, HookFailed, DeletionTimeout):
            pass

    async def _delete(self, hook: Hook, targets: Sequence[Target]) -> None:
        if hook.kind == "CustomResourceDefinition":
            return
        await asyncio.gather(
            *(self.kube.delete(t.api_version, t.kind, t.name, t.namespace) for t in targets)
        )
        await wait_deleted(self.kube, targets, self.timeout)


async def wait_deleted(kube: KubeClient, targets: Sequence[Target], within: float) -> None:
    """Until none of `targets` exists any more (finalizers may hold them for a while)."""
    deadline = time.monotonic() + within
    pending = list(targets)
    delay = 0.02
    while pending:
        found = await asyncio.gather(
            *(kube.get_or_none(t.api_version, t.kind, t.name, t.namespace) for t in pending)
        )
        pending = [t for t, live in zip(pending, found, strict=True) if live is not None]
        if not pending:
            return
        if time.monotonic() >= deadline:
            names = ", ".join(t.describe() for t in pending)
            raise DeletionTimeout(f"timed out waiting for the deletion of {names}")
        await asyncio.sleep(delay)
        delay = min(delay * 2, 0.5)
