"""kopf registration, done at runtime from the settings (no module-level decorators).

- a daemon per HelmRelease runs the reconcile loop: reconcile, then sleep until `spec.interval`
  (or the requeue the reconcile asked for) or until woken. One daemon per object serialises the
  work on that object; a semaphore caps how many objects reconcile at once (`--concurrent`),
  not counting those waiting on a chart repository (see `charts`);
- a low-level event handler wakes the daemon when the spec (generation) or one of the
  reconcile/force/reset annotations changes; status writes (ours) don't wake anything;
- the delete handler (behind the `helm.steersman.dev/finalizer` finalizer) uninstalls the
  release, except when the HelmRelease is suspended.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import kopf
from pydantic import ValidationError

from steersman.api import API_VERSION, GROUP, KIND, PLURAL, VERSION, HelmRelease, Reason
from steersman.api import annotation_names as notes
from steersman.controller.actions import FAILURES, Outcome, describe, propagation
from steersman.controller.charts import SlotLease, holding
from steersman.controller.context import Context, EventSink, release_logger
from steersman.controller.reconcile import reconcile
from steersman.engine.actions import UninstallOptions, uninstall
from steersman.kube import KubeError
from steersman.storage import DriverKind, ReleaseNotFound, StorageError

FINALIZER = f"{GROUP}/finalizer"
API_RETRY_SECONDS = 5.0
INTERVAL_JITTER = 0.05
log = logging.getLogger("steersman.controller")

Labels = Mapping[str, str]


@dataclass
class ObjectState:
    """Runtime state of one HelmRelease (never persisted)."""

    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    seen: tuple[Any, ...] = ()
    running: asyncio.Future[Outcome] | None = None  # the reconcile in progress, if any


def _trigger(body: Mapping[str, Any]) -> tuple[Any, ...]:
    """What makes a HelmRelease reconcile right away when it changes."""
    meta = body.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return (
        meta.get("generation"),
        bool(meta.get("deletionTimestamp")),
        *(annotations.get(a) for a in (notes.RECONCILE, notes.FORCE, notes.RESET)),
    )


class Controller:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.slots = asyncio.Semaphore(ctx.settings.concurrent)
        self.objects: dict[str, ObjectState] = {}

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
            # The lease is handed back while the reconcile waits on a chart repository.
            async with SlotLease(self.slots) as lease, state.lock:
                if stopped:
                    return
                try:
                    # A fresh read: the watch may lag behind our own last status write.
                    body = await self.ctx.kube.get_or_none(API_VERSION, KIND, name, namespace)
                    if body is None or (body.get("metadata") or {}).get("deletionTimestamp"):
                        return
                    state.seen = _trigger(body)
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
        state.running = asyncio.ensure_future(reconcile(body, self.ctx, _poster(body), rlog))
        try:
            return await state.running
        except asyncio.CancelledError:
            current = asyncio.current_task()
            if current is not None and current.cancelling():
                raise  # the daemon itself is being stopped
            rlog.info("reconcile cancelled: the HelmRelease is being deleted")
            return None
        finally:
            state.running = None

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
        state = self.state(key)
        async with self.slots, state.lock:
            try:
                await self._uninstall(body, rlog)
            finally:
                state.wake.set()
        self.objects.pop(key, None)
        self.ctx.metrics.set_ready(key, None)

    async def _uninstall(self, body: Mapping[str, Any], rlog: logging.LoggerAdapter[Any]) -> None:
        try:
            hr = HelmRelease.from_k8s(body)
        except ValidationError:
            return  # never reconciled, so nothing was installed
        if hr.spec.suspend:
            rlog.info("suspended: deleting the HelmRelease leaves the Helm release in place")
            return
        used = hr.status.storage
        if used is None:
            return  # no reconcile got as far as storage: nothing to uninstall
        spec = hr.spec
        name = spec.effective_release_name(hr.name)
        engine = self.ctx.engine(
            DriverKind(used.driver.value), hr.namespace, spec.service_account_name
        )
        opts = UninstallOptions(
            namespace=spec.target_namespace or hr.namespace,
            storage_namespace=used.namespace,
            name=name,
            keep_history=spec.uninstall.keep_history,
            disable_hooks=spec.uninstall.disable_hooks,
            propagation=propagation(spec.uninstall.deletion_propagation.value),
        )
        try:
            await uninstall(engine, opts)
        except ReleaseNotFound:
            return
        except (*FAILURES, StorageError) as err:
            message = f"Helm uninstall failed: {describe(err)}"
            rlog.warning("%s", message)
            _poster(body)("Warning", Reason.UNINSTALL_FAILED, message)
            raise kopf.TemporaryError(message, delay=10) from None
        self.ctx.metrics.actions.labels(action="uninstall", result="succeeded").inc()
        message = f"Helm uninstall succeeded for release {used.namespace}/{name}"
        rlog.info("%s", message)
        _poster(body)("Normal", Reason.UNINSTALL_SUCCEEDED, message)


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


def _poster(body: Mapping[str, Any]) -> EventSink:
    ref = {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {k: (body.get("metadata") or {}).get(k) for k in ("name", "namespace", "uid")},
    }

    def post(type: str, reason: str, message: str) -> None:
        kopf.event(ref, type=type, reason=reason, message=message)  # type: ignore[arg-type]

    return post


# -- label selectors (--watch-label-selector) -----------------------------------------------

_TERM = re.compile(
    r"^\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9./_-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9._-]*)"
    r"|\s(?P<setop>in|notin)\s*\((?P<set>[^)]*)\))?\s*$"
)


def parse_selector(selector: str) -> Callable[[Labels], bool]:
    """A Kubernetes label selector (=, ==, !=, in, notin, key, !key) as a predicate.
    Raises ValueError for syntax we don't understand."""
    checks: list[Callable[[Labels], bool]] = []
    for term in _split_terms(selector):
        m = _TERM.match(term)
        if m is None or (m["neg"] and (m["op"] or m["setop"])):
            raise ValueError(f"invalid label selector term {term.strip()!r}")
        checks.append(_check(m))
    return lambda labels: all(check(labels) for check in checks)


def _split_terms(selector: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        terms.append(current)
    return [t for t in terms if t.strip()]


def _check(m: re.Match[str]) -> Callable[[Labels], bool]:
    key = m["key"]
    if m["neg"]:
        return lambda labels: key not in labels
    if m["op"] in ("=", "=="):
        return lambda labels: labels.get(key) == m["value"]
    if m["op"] == "!=":
        return lambda labels: labels.get(key) != m["value"]
    if m["setop"]:
        values = {v.strip() for v in m["set"].split(",") if v.strip()}
        if m["setop"] == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    return lambda labels: key in labels


def register(registry: kopf.OperatorRegistry, controller: Controller) -> None:
    selector = controller.ctx.settings.watch_label_selector
    matches = parse_selector(selector) if selector else None

    def when(labels: kopf.Labels, **_: Any) -> bool:
        return matches is None or matches(labels)

    resource = (GROUP, VERSION, PLURAL)

    @kopf.daemon(*resource, registry=registry, id="reconcile", when=when)
    async def reconcile_daemon(
        namespace: str | None, name: str | None, stopped: kopf.DaemonStopped, **kw: Any
    ) -> None:
        await controller.run_daemon(str(namespace), str(name), stopped, kw.get("logger"))

    @kopf.on.event(*resource, registry=registry, when=when, id="wake")
    def wake(body: kopf.Body, **_: Any) -> None:
        controller.on_event(body)

    @kopf.on.delete(*resource, registry=registry, when=when, id="uninstall")
    async def delete(body: kopf.Body, **_: Any) -> None:
        await controller.on_delete(body)
