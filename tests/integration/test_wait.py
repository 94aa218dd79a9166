"""engine.wait on the real apiserver. No kubelet or controllers run on the bench, so the tests
play the controllers' part by patching status, and check both outcomes."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from steersman.engine.readiness import compute_for_hook
from steersman.engine.wait import WaitError, wait_ready
from steersman.kube import KubeClient

pytestmark = pytest.mark.integration


def deployment(name: str, replicas: int = 2) -> dict[str, Any]:
    labels = {"app": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "c", "image": "busybox"}]},
            },
        },
    }


async def make_deployment_ready(kube: KubeClient, ns: str, name: str, delay: float) -> None:
    await asyncio.sleep(delay)
    live = await kube.get("apps/v1", "Deployment", name, ns)
    n = live["spec"]["replicas"]
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


async def test_waits_until_a_deployment_becomes_available(kube: KubeClient, namespace: str) -> None:
    dep = await kube.apply(deployment("web"), namespace=namespace)
    cm = await kube.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}},
        namespace=namespace,
    )
    helper = asyncio.create_task(make_deployment_ready(kube, namespace, "web", 0.5))
    started = time.monotonic()
    await wait_ready(kube, [dep, cm], within=20)
    assert time.monotonic() - started >= 0.5
    await helper


async def test_timeout_names_what_was_not_ready_and_why(kube: KubeClient, namespace: str) -> None:
    dep = await kube.apply(deployment("slow", replicas=3), namespace=namespace)
    pvc = await kube.apply(
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "data"},
            "spec": {
                "accessModes": ["ReadWriteOnce"],
                "resources": {"requests": {"storage": "1Gi"}},
            },
        },
        namespace=namespace,
    )
    with pytest.raises(WaitError) as err:
        await wait_ready(kube, [dep, pvc], within=1.0)
    assert err.value.timed_out
    assert str(err.value).splitlines() == [
        f"resource Deployment/{namespace}/slow not ready. status: InProgress, "
        "message: Replicas: 0/3",
        f"resource PersistentVolumeClaim/{namespace}/data not ready. status: InProgress, "
        "message: PVC is not Bound. phase: Pending",
        "context deadline exceeded",
    ]


async def test_failed_resource_ends_the_wait_without_the_timeout(
    kube: KubeClient, namespace: str
) -> None:
    job = await kube.apply(
        {
            "apiVersion": "batch/v1",
            "kind": "Job",
            "metadata": {"name": "migrate"},
            "spec": {
                "template": {
                    "spec": {
                        "restartPolicy": "Never",
                        "containers": [{"name": "c", "image": "busybox"}],
                    }
                }
            },
        },
        namespace=namespace,
    )
    now = "2026-01-01T00:00:00Z"
    await kube.patch_status(
        "batch/v1",
        "Job",
        "migrate",
        namespace,
        {
            "failed": 1,
            "startTime": now,
            "conditions": [
                {
                    "type": "Failed",
                    "status": "True",
                    "reason": "BackoffLimitExceeded",
                    "lastProbeTime": now,
                    "lastTransitionTime": now,
                }
            ],
        },
    )
    started = time.monotonic()
    with pytest.raises(WaitError) as err:
        await wait_ready(kube, [job], within=30, rule=compute_for_hook)
    assert time.monotonic() - started < 5
    assert not err.value.timed_out
    assert "resource Job/" in str(err.value) and "status: Failed" in str(err.value)


async def test_crd_established_is_set_by_the_apiserver_itself(kube: KubeClient) -> None:
    crd = await kube.apply(
        {
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": {"name": "waiters.wait.steersman.dev"},
            "spec": {
                "group": "wait.steersman.dev",
                "names": {"plural": "waiters", "singular": "waiter", "kind": "Waiter"},
                "scope": "Namespaced",
                "versions": [
                    {
                        "name": "v1",
                        "served": True,
                        "storage": True,
                        "schema": {"openAPIV3Schema": {"type": "object"}},
                    }
                ],
            },
        }
    )
    await wait_ready(kube, [crd], within=20)
    live = await kube.get(
        "apiextensions.k8s.io/v1", "CustomResourceDefinition", crd["metadata"]["name"]
    )
    established = [c for c in live["status"]["conditions"] if c["type"] == "Established"]
    assert established and established[0]["status"] == "True"


async def test_paused_deployments_and_missing_objects(kube: KubeClient, namespace: str) -> None:
    paused = deployment("paused")
    paused["spec"]["paused"] = True
    live = await kube.apply(paused, namespace=namespace)
    await wait_ready(kube, [live], within=1)  # never rolls out, so not waited for
    ghost = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "ghost", "namespace": namespace},
    }
    with pytest.raises(WaitError, match="status: NotFound, message: Resource not found"):
        await wait_ready(kube, [ghost], within=0.3)
