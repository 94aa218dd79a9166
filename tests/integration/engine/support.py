"""Helpers for engine tests: a storage backend per driver, the test charts, and the part of the
missing controllers (Job/Pod/Deployment status) that the bench does not run."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from steersman.chart.loader import load
from steersman.chart.model import Chart
from steersman.kube import KubeClient

CHARTS = Path(__file__).resolve().parents[2] / "charts" / "engine"
NOW = "2026-01-01T00:00:00Z"


def chart(name: str) -> Chart:
    return load(CHARTS / name)


async def finish_job(kube: KubeClient, ns: str, name: str, *, succeed: bool = True) -> None:
    """Play the Job controller: wait until the Job exists, then mark it complete or failed."""
    await appeared(kube, "batch/v1", "Job", name, ns)
    if succeed:
        status: dict[str, Any] = {
            "succeeded": 1,
            "startTime": NOW,
            "completionTime": NOW,
            "conditions": [
                _cond("SuccessCriteriaMet", "CompletionsReached"),
                _cond("Complete", "CompletionsReached"),
            ],
        }
    else:
        status = {
            "failed": 1,
            "startTime": NOW,
            "conditions": [
                _cond("FailureTarget", "BackoffLimitExceeded"),
                _cond("Failed", "BackoffLimitExceeded"),
            ],
        }
    await kube.patch_status("batch/v1", "Job", name, ns, status)


async def finish_pod(kube: KubeClient, ns: str, name: str, *, succeed: bool = True) -> None:
    """Play the kubelet for a test Pod."""
    await appeared(kube, "v1", "Pod", name, ns)
    await kube.patch_status("v1", "Pod", name, ns, {"phase": "Succeeded" if succeed else "Failed"})


async def make_deployment_ready(kube: KubeClient, ns: str, name: str) -> None:
    """Play the Deployment controller once the Deployment has been applied."""
    live = await appeared(kube, "apps/v1", "Deployment", name, ns)
    n = live["spec"].get("replicas", 1)
    await kube.patch_status(
        "apps/v1",
        "Deployment",
        name,
        ns,
        {
            "observedGeneration": live["metadata"]["generation"],
            "replicas": n,
            "updatedReplicas": n,
            "readyReplicas": n,
            "availableReplicas": n,
            "conditions": [
                {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            ],
        },
    )


async def appeared(
    kube: KubeClient, api_version: str, kind: str, name: str, ns: str
) -> dict[str, Any]:
    """The object once it exists (polls: the bench has no watch-based helpers)."""
    while True:
        live = await kube.get_or_none(api_version, kind, name, ns)
        if live is not None:
            return live
        await asyncio.sleep(0.05)


def _cond(kind: str, reason: str) -> dict[str, str]:
    return {
        "type": kind,
        "status": "True",
        "reason": reason,
        "lastProbeTime": NOW,
        "lastTransitionTime": NOW,
    }
