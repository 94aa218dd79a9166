"""Reading HelmReleases, their conditions, Events and Helm release records in e2e tests."""

from __future__ import annotations

import secrets
from typing import Any

from hack.operatorkit import helmrelease, wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient

TIMEOUT = 60.0


def spec(repo: str, **extra: Any) -> dict[str, Any]:
    """A HelmRelease spec for the sample chart; `extra` is merged in (camelCase keys)."""
    return {
        "chart": {"repository": repo, "name": "demo", "version": "0.1.0", "insecure": True},
        "interval": "1m",
        "timeout": "30s",
        **extra,
    }


async def create(kube: KubeClient, ns: str, name: str, body: dict[str, Any], **meta: Any) -> None:
    await kube.create(helmrelease(name, body, **meta), namespace=ns)


async def get(kube: KubeClient, ns: str, name: str) -> dict[str, Any]:
    return await kube.get(API_VERSION, KIND, name, ns)


def condition(hr: dict[str, Any], type: str) -> dict[str, Any] | None:
    for c in (hr.get("status") or {}).get("conditions") or []:
        if c["type"] == type:
            return dict(c)
    return None


async def wait_condition(
    kube: KubeClient,
    ns: str,
    name: str,
    type: str = "Ready",
    status: str = "True",
    reason: str | None = None,
    within: float = TIMEOUT,
    current: bool = True,
) -> dict[str, Any]:
    """Wait until `type` has `status` (and `reason`) for the current generation."""

    async def probe() -> dict[str, Any] | None:
        hr = await get(kube, ns, name)
        c = condition(hr, type)
        if c is None or c["status"] != status or (reason and c["reason"] != reason):
            return None
        if current and c.get("observedGeneration") != hr["metadata"]["generation"]:
            return None
        return hr

    return await wait_until(probe, within, f"{ns}/{name} {type}={status} {reason or ''}")


async def wait_drift_checked(kube: KubeClient, ns: str, name: str) -> dict[str, Any]:
    """Wait for a real drift comparison that found none: right after an install or upgrade the
    operator reports NoDriftDetected without comparing (it has just applied every object)."""

    async def probe() -> dict[str, Any] | None:
        hr = await get(kube, ns, name)
        c = condition(hr, "Drifted")
        return hr if c is not None and c["message"] == "No drift detected" else None

    return await wait_until(probe, TIMEOUT, f"{ns}/{name} compared with its release, no drift")


async def patch_spec(kube: KubeClient, ns: str, name: str, changes: dict[str, Any]) -> None:
    await kube.merge_patch(API_VERSION, KIND, name, ns, {"spec": changes})


async def annotate(kube: KubeClient, ns: str, name: str, key: str) -> str:
    token = secrets.token_hex(4)
    await kube.merge_patch(API_VERSION, KIND, name, ns, {"metadata": {"annotations": {key: token}}})
    return token


async def records(
    kube: KubeClient, ns: str, release: str, kind: str = "Secret"
) -> list[dict[str, Any]]:
    """Helm release records (Secrets or ConfigMaps) of `release`, oldest first."""
    found = await kube.list("v1", kind, ns, label_selector=f"owner=helm,name={release}")
    return sorted(found, key=lambda o: int(o["metadata"]["labels"]["version"]))


def record_states(found: list[dict[str, Any]]) -> list[tuple[int, str]]:
    return [
        (int(o["metadata"]["labels"]["version"]), o["metadata"]["labels"]["status"]) for o in found
    ]


async def events(kube: KubeClient, ns: str, name: str) -> list[dict[str, Any]]:
    found = await kube.list("v1", "Event", ns)
    return [e for e in found if (e.get("involvedObject") or {}).get("name") == name]


async def event_reasons(kube: KubeClient, ns: str, name: str) -> list[str]:
    return [str(e.get("reason")) for e in await events(kube, ns, name)]
