"""Kubernetes Events about HelmReleases, posted by us rather than by kopf, so they carry what
Flux's carry: annotations with the chart version (revision), the app version and the config
digest of the release being acted on.

The release a reconcile is acting on is known only part-way through it (after the chart is
fetched), so it travels in a context variable set by the reconcile (`describe_release`): each
reconcile runs in its own task, and an Event posted from it reads that task's value. Posting is
fire-and-forget (an Event must never fail or slow a reconcile); `flush` waits for those still in
flight at shutdown.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import socket
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Final

from steersman.api import API_VERSION, GROUP, KIND
from steersman.controller.context import EventSink
from steersman.kube import KubeClient, KubeError

log = logging.getLogger("steersman.controller")

REPORTER: Final = "steersman"
REVISION: Final = f"{GROUP}/revision"
APP_VERSION: Final = f"{GROUP}/app-version"
TOKEN: Final = f"{GROUP}/token"  # the values digest, as Flux's token
MAX_MESSAGE = 1024  # what the apiserver's Event validation accepts comfortably (kopf's cut too)
FLUSH_SECONDS = 5.0

_RELEASE: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar(
    "steersman_event_release", default=None
)


def describe_release(chart_version: str, app_version: str, values_digest: str) -> None:
    """Annotate the Events the current reconcile posts from now on."""
    found = {REVISION: chart_version, APP_VERSION: app_version, TOKEN: values_digest}
    _RELEASE.set({k: v for k, v in found.items() if v})


def _short(message: str) -> str:
    if len(message) <= MAX_MESSAGE:
        return message
    cut = " [...] "
    half = (MAX_MESSAGE - len(cut)) // 2
    return message[:half] + cut + message[-half:]


def event_body(
    involved: Mapping[str, Any],
    type: str,
    reason: str,
    message: str,
    annotations: Mapping[str, str],
    instance: str,
    now: datetime,
) -> dict[str, Any]:
    """A core/v1 Event about `involved` (an object reference with a namespace)."""
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    micro = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": f"{involved.get('name')}.",
            "namespace": involved.get("namespace"),
            "annotations": dict(annotations),
        },
        "involvedObject": dict(involved),
        "type": type,
        "reason": reason,
        "message": _short(message),
        "action": reason,
        "source": {"component": REPORTER},  # "From" in `kubectl describe`
        "reportingComponent": REPORTER,
        "reportingInstance": instance,
        "firstTimestamp": stamp,
        "lastTimestamp": stamp,
        "eventTime": micro,
        "count": 1,
    }


class EventPoster:
    """Posts Events with the operator's own client, in the background."""

    def __init__(self, kube: KubeClient, instance: str | None = None) -> None:
        self.kube = kube
        self.instance = instance or socket.gethostname()
        self._pending: set[asyncio.Task[None]] = set()

    def sink(self, body: Mapping[str, Any]) -> EventSink:
        meta = body.get("metadata") or {}
        involved = {
            "apiVersion": API_VERSION,
            "kind": KIND,
            "name": meta.get("name"),
            "namespace": meta.get("namespace"),
            "uid": meta.get("uid"),
        }

        def post(type: str, reason: str, message: str) -> None:
            obj = event_body(
                involved,
                type,
                reason,
                message,
                _RELEASE.get() or {},
                self.instance,
                datetime.now(UTC),
            )
            task = asyncio.get_running_loop().create_task(self._create(obj))
            self._pending.add(task)
            task.add_done_callback(self._pending.discard)

        return post

    async def _create(self, obj: dict[str, Any]) -> None:
        try:
            await self.kube.create(obj)
        except KubeError as err:  # never fatal: the condition says the same
            log.warning("could not post Event %s: %s", obj["reason"], err)

    async def flush(self) -> None:
        """Wait (up to FLUSH_SECONDS) for the Events still being posted."""
        if self._pending:
            await asyncio.wait(set(self._pending), timeout=FLUSH_SECONDS)
