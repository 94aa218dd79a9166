"""ConfigWatch against the real apiserver: list-then-watch of labelled ConfigMaps/Secrets,
metadata only."""

from __future__ import annotations

import asyncio
import contextlib

import pytest

from steersman.controller.config_watch import ConfigWatch, Ref
from steersman.kube import KubeClient

pytestmark = pytest.mark.integration

LABEL = {"reconcile.fluxcd.io/watch": "Enabled"}


async def next_change(seen: asyncio.Queue[Ref], within: float = 10) -> Ref:
    return await asyncio.wait_for(seen.get(), within)


async def test_changes_of_labelled_objects_only(kube: KubeClient, namespace: str) -> None:
    def cm(name: str, value: str, labels: dict[str, str]) -> dict[str, object]:
        return {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": name, "labels": labels},
            "data": {"v": value},
        }

    await kube.create(cm("before", "1", LABEL), namespace=namespace)
    seen: asyncio.Queue[Ref] = asyncio.Queue()
    watch = ConfigWatch(kube, (namespace,), ("reconcile.fluxcd.io/watch=Enabled",), seen.put_nowait)
    task = asyncio.create_task(watch.run())
    try:
        await asyncio.sleep(1)
        assert seen.empty()  # what exists at the start wakes no one
        await kube.apply(cm("before", "2", LABEL), namespace=namespace)
        assert await next_change(seen) == ("ConfigMap", namespace, "before")
        await kube.create(cm("plain", "1", {}), namespace=namespace)
        await kube.apply(cm("plain", "2", {}), namespace=namespace)
        await kube.create(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": "s", "labels": LABEL},
                "stringData": {"k": "v"},
            },
            namespace=namespace,
        )
        assert await next_change(seen) == ("Secret", namespace, "s")
        await kube.delete("v1", "ConfigMap", "before", namespace)
        assert await next_change(seen) == ("ConfigMap", namespace, "before")
        await asyncio.sleep(1)
        assert seen.empty()  # the unlabelled ConfigMap never showed up
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
