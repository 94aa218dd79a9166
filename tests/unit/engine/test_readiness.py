"""Helm 4 / kstatus readiness rules on object snapshots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from steersman.engine.readiness import Status, compute, compute_for_hook, compute_with_jobs


def obj(api_version: str, kind: str, spec: Any = None, status: Any = None, **meta: Any) -> Any:
    out: dict[str, Any] = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "x"}}
    out["metadata"].update(meta)
    if spec is not None:
        out["spec"] = spec
    if status is not None:
        out["status"] = status
    return out


def cond(kind: str, status: str = "True", reason: str = "", message: str = "") -> Any:
    return {"type": kind, "status": status, "reason": reason, "message": message}


READY_DEPLOY_STATUS = {
    "observedGeneration": 2,
    "replicas": 3,
    "updatedReplicas": 3,
    "readyReplicas": 3,
    "availableReplicas": 3,
    "conditions": [
        cond("Progressing", reason="NewReplicaSetAvailable"),
        cond("Available"),
    ],
}

CASES = [
    # Deployment
    (obj("apps/v1", "Deployment", {"replicas": 3}), Status.IN_PROGRESS, "Replicas: 0/3"),
    (
        obj("apps/v1", "Deployment", {"replicas": 3}, READY_DEPLOY_STATUS, generation=2),
        Status.CURRENT,
        "Deployment is available. Replicas: 3",
    ),
    (
        obj("apps/v1", "Deployment", {"replicas": 3}, READY_DEPLOY_STATUS, generation=3),
        Status.IN_PROGRESS,
        "Deployment generation is 3, but latest observed generation is 2",
    ),
    (
        obj(
            "apps/v1",
            "Deployment",
            {"replicas": 3},
            {**READY_DEPLOY_STATUS, "availableReplicas": 1},
            generation=2,
        ),
        Status.IN_PROGRESS,
        "Available: 1/3",
    ),
    (
        obj(
            "apps/v1",
            "Deployment",
            {"replicas": 1},
            {"conditions": [cond("Progressing", "False", "ProgressDeadlineExceeded")]},
        ),
        Status.FAILED,
        "Progress deadline exceeded",
    ),
    (
        obj(
            "apps/v1",
            "Deployment",
            {"replicas": 2, "progressDeadlineSeconds": 600},
            {
                **READY_DEPLOY_STATUS,
                "replicas": 2,
                "updatedReplicas": 2,
                "readyReplicas": 2,
                "availableReplicas": 2,
                "conditions": [cond("Available")],
            },
            generation=2,
        ),
        Status.IN_PROGRESS,
        "ReplicaSet not Available",
    ),
    # StatefulSet
    (
        obj(
            "apps/v1",
            "StatefulSet",
            {"replicas": 2},
            {
                "replicas": 2,
                "readyReplicas": 2,
                "currentReplicas": 2,
                "currentRevision": "a",
                "updateRevision": "b",
            },
        ),
        Status.IN_PROGRESS,
        "Waiting for updated revision to match current",
    ),
    (
        obj("apps/v1", "StatefulSet", {"replicas": 2, "updateStrategy": {"type": "OnDelete"}}),
        Status.CURRENT,
        "StatefulSet is using the ondelete update strategy",
    ),
    (
        obj(
            "apps/v1",
            "StatefulSet",
            {"replicas": 3, "updateStrategy": {"rollingUpdate": {"partition": 1}}},
            {"replicas": 3, "readyReplicas": 3, "updatedReplicas": 1},
        ),
        Status.IN_PROGRESS,
        "updated: 1/2",
    ),
    # DaemonSet
    (
        obj("apps/v1", "DaemonSet", {}, {"desiredNumberScheduled": 2}, generation=1),
        Status.IN_PROGRESS,
        "DaemonSet status.observedGeneration not found",
    ),
    (
        obj(
            "apps/v1",
            "DaemonSet",
            {},
            {
                "observedGeneration": 1,
                "desiredNumberScheduled": 2,
                "currentNumberScheduled": 2,
                "updatedNumberScheduled": 2,
                "numberAvailable": 1,
                "numberReady": 2,
            },
            generation=1,
        ),
        Status.IN_PROGRESS,
        "Available: 1/2",
    ),
    # Job, Pod, PVC, Service, CRD, APIService, generic
    (obj("batch/v1", "Job", {}, {}), Status.IN_PROGRESS, "Job not started"),
    (
        obj("batch/v1", "Job", {}, {"startTime": "2026-01-01T00:00:00Z", "active": 1}),
        Status.CURRENT,
        "Job in progress. success:0, active: 1, failed: 0",
    ),
    (
        obj("batch/v1", "Job", {"completions": 2}, {"failed": 3, "conditions": [cond("Failed")]}),
        Status.FAILED,
        "Job Failed. failed: 3/2",
    ),
    (
        obj("v1", "Pod", {}, {"phase": "Running"}),
        Status.IN_PROGRESS,
        "Pod is running but is not Ready",
    ),
    (
        obj("v1", "Pod", {}, {"phase": "Running", "conditions": [cond("Ready")]}),
        Status.CURRENT,
        "Pod is Ready",
    ),
    (
        obj(
            "v1",
            "Pod",
            {},
            {
                "phase": "Running",
                "containerStatuses": [
                    {"name": "a", "state": {"waiting": {"reason": "CrashLoopBackOff"}}},
                    {"name": "b", "state": {"running": {}}},
                ],
            },
        ),
        Status.FAILED,
        "Containers in CrashLoop state: a",
    ),
    (
        obj("v1", "PersistentVolumeClaim", {}, {"phase": "Pending"}),
        Status.IN_PROGRESS,
        "PVC is not Bound. phase: Pending",
    ),
    (obj("v1", "PersistentVolumeClaim", {}, {"phase": "Bound"}), Status.CURRENT, "PVC is Bound"),
    (
        obj("v1", "Service", {"type": "LoadBalancer"}),
        Status.IN_PROGRESS,
        "ClusterIP not set. Service type: LoadBalancer",
    ),
    (
        obj("v1", "Service", {"type": "LoadBalancer", "clusterIP": "10.0.0.5"}),
        Status.CURRENT,
        "Service is ready",
    ),
    (
        obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", {}, {}),
        Status.IN_PROGRESS,
        "Install in progress",
    ),
    (
        obj(
            "apiextensions.k8s.io/v1",
            "CustomResourceDefinition",
            {},
            {"conditions": [cond("NamesAccepted", "False", "Conflict", "names clash")]},
        ),
        Status.FAILED,
        "names clash",
    ),
    (
        obj(
            "apiregistration.k8s.io/v1",
            "APIService",
            {},
            {"conditions": [cond("Available", "False", message="endpoints missing")]},
        ),
        Status.IN_PROGRESS,
        "endpoints missing",
    ),
    (
        obj("example.com/v1", "Widget", {}, {"conditions": [cond("Reconciling", message="busy")]}),
        Status.IN_PROGRESS,
        "busy",
    ),
    (
        obj("example.com/v1", "Widget", {}, {"conditions": [cond("Stalled", message="stuck")]}),
        Status.FAILED,
        "stuck",
    ),
    (obj("example.com/v1", "Widget"), Status.CURRENT, "Resource is current"),
    (
        obj("v1", "ConfigMap", deletionTimestamp="2026-01-01T00:00:00Z"),
        Status.TERMINATING,
        "Resource scheduled for deletion",
    ),
]


@pytest.mark.parametrize(("live", "status", "message"), CASES)
def test_compute(live: Any, status: Status, message: str) -> None:
    res = compute(live)
    assert (res.status, res.message) == (status, message)


def test_unschedulable_pod_fails_only_after_the_schedule_window() -> None:
    def pod(age: float) -> Any:
        created = (datetime.now(UTC) - timedelta(seconds=age)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return obj(
            "v1",
            "Pod",
            {},
            {"phase": "Pending", "conditions": [cond("PodScheduled", "False", "Unschedulable")]},
            creationTimestamp=created,
        )

    assert compute(pod(1)).status is Status.IN_PROGRESS
    assert compute(pod(60)).status is Status.FAILED


def test_hook_rules_need_jobs_to_complete_and_pods_to_succeed() -> None:
    running_job = obj("batch/v1", "Job", {}, {"startTime": "2026-01-01T00:00:00Z"})
    assert compute(running_job).ready  # a plain wait accepts a started Job
    assert not compute_for_hook(running_job).ready
    assert not compute_with_jobs(running_job).ready
    done = obj("batch/v1", "Job", {}, {"succeeded": 1, "conditions": [cond("Complete")]})
    assert compute_for_hook(done).message == "Job Completed. succeeded: 1/1"
    assert compute_for_hook(obj("v1", "Pod", {}, {"phase": "Failed"})).status is Status.FAILED
    assert compute_for_hook(obj("v1", "Pod", {}, {"phase": "Succeeded"})).ready
    assert (
        compute_for_hook(
            obj("v1", "Pod", {}, {"phase": "Running", "conditions": [cond("Ready")]})
        ).status
        is Status.IN_PROGRESS
    )
    assert compute_for_hook(obj("apps/v1", "Deployment", {"replicas": 5})).ready
