"""kopf registration, done at runtime from the settings (no module-level decorators).

- a daemon per HelmRelease runs the reconcile loop: reconcile, then sleep until `spec.interval`
  (or the requeue the reconcile asked for) or until woken. One daemon per object serialises the
  work on that object; a semaphore caps how many objects reconcile at once (`--concurrent`),
  not counting those waiting on a chart repository (see `charts`);
- a low-level event handler wakes the daemon when the spec (generation) or one of the
  reconcile/force/reset annotations changes; status writes (ours) don't wake anything;
- the delete handler (behind the `helm.steersman.dev/finalizer` finalizer) uninstalls the
  release, except when the HelmRelease is suspended;
- `--watch-label-selector` goes to the apiserver as the watch's labelSelector (main.py's kopf
  settings), so a shard never receives another shard's HelmReleases;
- shutting down (`drain`): no new reconcile starts, running ones get the grace period, then are
  cancelled; a cancelled action's `pending-*` record is marked failed, as helm does when its
  context is cancelled, so helm can read the release and the next reconcile carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf
from pydantic import ValidationError

from steersman.api import API_VERSION, GROUP, KIND, PLURAL, VERSION, HelmRelease
from steersman.api import annotation_names as notes
from steersman.controller.charts import SlotLease, holding
from steersman.controller.config_watch import Ref, values_refs
from steersman.controller.context import Context, release_logger
from steersman.controller.events import EventPoster
from steersman.controller.reconcile.finalize import RETRY_SECONDS, uninstall_on_delete
from steersman.controller.reconcile.outcomes import Outcome
from steersman.controller.reconcile.reconciler import reconcile
from steersman.engine import FAILURES, unlock
from steersman.errors import describe
from steersman.kube import KubeError
from steersman.labels import parse as parse_label_selector
from steersman.storage import DriverKind, StorageError

FINALIZER = f"{GROUP}/finalizer"
API_RETRY_SECONDS = 5.0
UNLOCK_TIMEOUT = 10.0
INTERVAL_JITTER = 0.05
log = logging.getLogger("steersman.controller")


@dataclass
class ObjectState:
    """Runtime state of one HelmRelease (never persisted)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    seen: tuple[Any, ...] = ()
    running: asyncio.Future[Outcome] | None = None  # the reconcile in progress, if any
    values_refs: frozenset[Ref] = frozenset()  # ConfigMaps/Secrets named in valuesFrom


def _trigger(body: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes a HelmRelease reconcile right away when it changes."""
    meta = body.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return (
        meta.get("generation"),
        bool(meta.get("deletionTimestamp")),
        *(notes.request_token(annotations, a) for a in (notes.RECONCILE, notes.FORCE, notes.RESET)),
    )


class Controller:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.slots = asyncio.Semaphore(ctx.settings.concurrent)
        self.objects: dict[str, ObjectState] = {}
        self.closing = False  # shutting down or lost leadership: start no new reconcile
        self.events = EventPoster(ctx.kube)

    def state(self, key: str) -> ObjectState:
        found = self.objects.get(key)
        if found is None:
            self.objects[key] = found = ObjectState()
        return found

    async def run_daemon(
        self, namespace: str, name: str, stopped: kopf.DaemonStopped, logger: Any
    ) -> None:
        key = f"{namespace}/{name}"
        state = self.state(key)
        rlog = release_logger(log, namespace, name)
        while not stopped:
            if self.closing:
                await stopped.wait()
                return
            # The slot is handed back while the reconcile waits on a chart repository.
            async with SlotLease(self.slots) as lease, state.lock:
                if stopped or self.closing:
                    continue
                try:
                    # A fresh read: the watch may lag behind our own last status write.
                    body = await self.ctx.kube.get_or_none(API_VERSION, KIND, name, namespace)
                    if body is None or (body.get("metadata") or {}).get("deletionTimestamp"):
                        return
                    state.seen = _trigger(body)
                    state.values_refs = values_refs(body)
                    state.wake.clear()
                    with holding(lease):
                        outcome = await self._reconcile(state, body, rlog)
                    if outcome is None:
                        return  # cancelled: the HelmRelease is being deleted
                    delay = outcome.requeue_after
                    if outcome.result in ("ok", "stalled", "suspended"):
                        # +-5% (as Flux does): HelmReleases created together don't stay in step.
                        delay *= random.uniform(1 - INTERVAL_JITTER, 1 + INTERVAL_JITTER)
                except KubeError as err:  # the apiserver itself: try again shortly
                    rlog.warning("kube-apiserver error: %s", describe(err))
                    delay = API_RETRY_SECONDS
            await _sleep(state.wake, stopped, delay)

    async def _reconcile(
        self, state: ObjectState, body: dict[str, Any], rlog: logging.LoggerAdapter[Any]
    ) -> Outcome | None:
        """Run one reconcile as its own task, so that deleting the HelmRelease can cancel it
        (a stuck install must not hold up the uninstall for its whole timeout)."""
        state.running = asyncio.ensure_future(self._guarded(body, rlog))
        try:
            return await state.running
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the daemon itself is being stopped
            if not self.closing:
                rlog.info("reconcile cancelled: the HelmRelease is being deleted")
            return None
        finally:
            state.running = None

    async def _guarded(self, body: dict[str, Any], rlog: logging.LoggerAdapter[Any]) -> Outcome:
        try:
            return await reconcile(body, self.ctx, self.events.sink(body), rlog)
        except asyncio.CancelledError:
            if self.closing:  # not a deletion: nobody else will clean up after this action
                rlog.warning("reconcile cancelled: the operator is shutting down")
                await asyncio.shield(self._unlock(body, rlog))
            raise

    async def drain(self, grace: float) -> None:
        """Start no new reconcile; let running ones finish within `grace` seconds, then cancel
        them (each marks a pending record it leaves behind failed before it ends)."""
        self.closing = True
        for state in self.objects.values():
            state.wake.set()
        running = [s.running for s in self.objects.values() if s.running is not None]
        if not running:
            return
        log.info("waiting up to %.0fs for %d running reconcile(s)", grace, len(running))
        late: set[asyncio.Future[Outcome]] = set(running)
        if grace > 0:
            _, late = await asyncio.wait(running, timeout=grace)
        if not late:
            return
        log.warning("cancelling %d reconcile(s) still running after %.0fs", len(late), grace)
        for task in late:
            task.cancel()
        await asyncio.wait(late, timeout=UNLOCK_TIMEOUT + 1)

    async def _unlock(self, body: Mapping[str, Any], rlog: logging.LoggerAdapter[Any]) -> None:
        """Mark the newest record failed if the cancelled action left it pending."""
        try:
            hr = HelmRelease.from_k8s(body)
        except ValidationError:
            return
        spec = hr.spec
        kind = (
            DriverKind(spec.storage_driver.value)
            if spec.storage_driver
            else self.ctx.settings.helm_storage_driver
        )
        name = spec.effective_release_name(hr.name)
        storage_ns = spec.storage_namespace or hr.namespace
        try:
            async with asyncio.timeout(UNLOCK_TIMEOUT), self.ctx.cluster(hr) as cluster:
                engine = self.ctx.engine(
                    kind,
                    hr.namespace,
                    spec.service_account_name,
                    encrypt=spec.encrypt_records,
                    cluster=cluster,
                )
                rel = await unlock(engine, name, storage_ns)
        except TimeoutError:
            rlog.error("could not mark the interrupted release %s failed: timed out", name)
            return
        except (*FAILURES, StorageError) as err:  # describe(): sanitised, no DSN or token
            rlog.error("could not mark the interrupted release %s failed: %s", name, describe(err))
            return
        if rel is not None:
            rlog.warning(
                "release %s/%s.v%d was left pending by the cancelled action: marked failed",
                storage_ns,
                name,
                rel.version,
            )

    def on_config_changed(self, ref: Ref) -> None:
        """A watched ConfigMap or Secret changed: wake the HelmReleases whose valuesFrom name it
        (each reconcile then reads the values and upgrades only if they changed)."""
        woken = [key for key, s in self.objects.items() if ref in s.values_refs]
        for key in woken:
            self.objects[key].wake.set()
        if woken:
            log.info("%s %s/%s changed: reconciling %s", *ref, ", ".join(sorted(woken)))

    def on_event(self, body: Mapping[str, Any]) -> None:
        meta = body.get("metadata") or {}
        state = self.objects.get(f"{meta.get('namespace')}/{meta.get('name')}")
        if state is None or _trigger(body) == state.seen:
            return
        state.wake.set()
        deleting = meta.get("deletionTimestamp") and not (body.get("spec") or {}).get("suspend")
        if deleting and state.running is not None and not state.running.done():
            state.running.cancel()

    async def on_delete(self, body: Mapping[str, Any]) -> None:
        meta = body.get("metadata") or {}
        namespace, name = str(meta.get("namespace")), str(meta.get("name"))
        key = f"{namespace}/{name}"
        rlog = release_logger(log, namespace, name)
        if self.closing:  # no new action while shutting down: the next operator uninstalls
            raise kopf.TemporaryError("the operator is shutting down", delay=API_RETRY_SECONDS)
        state = self.state(key)
        async with self.slots, state.lock:
            try:
                await self._uninstall(body, rlog)
            finally:
                state.wake.set()
        self.objects.pop(key, None)
        self.ctx.metrics.set_ready(key, None)

    async def _uninstall(self, body: Mapping[str, Any], rlog: logging.LoggerAdapter[Any]) -> None:
        blocked = await uninstall_on_delete(self.ctx, body, rlog, self.events.sink(body))
        if blocked is not None:
            raise kopf.TemporaryError(blocked, delay=RETRY_SECONDS)


async def _sleep(wake: asyncio.Event, stopped: kopf.DaemonStopped, seconds: float) -> None:
    """Until `seconds` pass, the object changes, or the daemon is stopped."""
    waits = [asyncio.ensure_future(wake.wait()), asyncio.ensure_future(stopped.wait())]
    try:
        await asyncio.wait(waits, timeout=max(seconds, 0.05), return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waits:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def register(registry: kopf.OperatorRegistry, controller: Controller) -> None:
    # The selector is applied by the apiserver (main.kopf_settings); this check on top only
    # guards against an object slipping through, e.g. from a cached list.
    selector = controller.ctx.settings.watch_label_selector
    matches = parse_label_selector(selector) if selector else None

    def when(labels: kopf.Labels, **_: Any) -> bool:
        return matches is None or matches(labels)

    resource = (GROUP, VERSION, PLURAL)

    @kopf.daemon(*resource, registry=registry, id="reconcile", when=when)
    async def reconcile_daemon(
        namespace: str | None, name: str | None, stopped: kopf.DaemonStopped, **kw: Any
    ) -> None:
        await controller.run_daemon(str(namespace), str(name), stopped, kw.get("logger"))

    # No `when` here: every object the watch delivers is seen (and logged at debug, without its
    # body), so a test can tell that a shard never receives the others' objects.
    @kopf.on.event(*resource, registry=registry, id="wake")
    def wake(body: kopf.Body, **_: Any) -> None:
        meta = body.get("metadata") or {}
        rlog = release_logger(log, str(meta.get("namespace")), str(meta.get("name")))
        rlog.debug("watch event received")
        if when(labels=meta.get("labels") or {}):
            controller.on_event(body)

    @kopf.on.delete(*resource, registry=registry, when=when, id="uninstall")
    async def delete(body: kopf.Body, **_: Any) -> None:
        await controller.on_delete(body)
