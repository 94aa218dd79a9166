"""The Events we post: Flux-like annotations, a bounded message, who reported them."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from steersman.controller.events import (
    _RELEASE,
    APP_VERSION,
    REVISION,
    TOKEN,
    describe_release,
    event_body,
)

REF = {
    "apiVersion": "helm.steersman.dev/v1alpha1",
    "kind": "HelmRelease",
    "name": "web",
    "namespace": "team-a",
    "uid": "u-1",
}


def test_body_names_the_object_reporter_and_release() -> None:
    now = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    body = event_body(REF, "Normal", "InstallSucceeded", "ok", {REVISION: "1.2.3"}, "pod-0", now)
    assert body["metadata"] == {
        "generateName": "web.",
        "namespace": "team-a",
        "annotations": {REVISION: "1.2.3"},
    }
    assert body["involvedObject"] == REF
    assert (body["source"], body["reportingComponent"], body["reportingInstance"]) == (
        {"component": "steersman"},
        "steersman",
        "pod-0",
    )
    assert body["firstTimestamp"] == "2026-01-02T03:04:05Z"
    assert body["eventTime"] == "2026-01-02T03:04:05.678000Z"


def test_long_messages_keep_both_ends() -> None:
    now = datetime.now(UTC)
    message = "start " + "x" * 5000 + " end"
    short = event_body(REF, "Warning", "UpgradeFailed", message, {}, "i", now)["message"]
    assert len(short) <= 1024 and short.startswith("start ") and short.endswith(" end")


async def test_release_description_is_per_task() -> None:
    async def reconcile(version: str) -> object:
        describe_release(version, "app", "sha256:v")
        await asyncio.sleep(0)
        return _RELEASE.get()

    one, two = await asyncio.gather(
        asyncio.create_task(reconcile("1.0.0")), asyncio.create_task(reconcile("2.0.0"))
    )
    assert one == {REVISION: "1.0.0", APP_VERSION: "app", TOKEN: "sha256:v"}
    assert two == {REVISION: "2.0.0", APP_VERSION: "app", TOKEN: "sha256:v"}
    assert _RELEASE.get() is None  # nothing leaks into the caller's context
