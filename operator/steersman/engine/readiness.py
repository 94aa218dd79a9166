"""Is a live object ready? The rules of Helm 4's waiter (kstatus), as pure functions.

`compute(obj)` gives the kstatus status of one object: generic checks first (being deleted,
generation not yet observed, a `Reconciling`/`Stalled` condition), then the per-kind rules.
`compute_for_hook(obj)` is the stricter variant Helm uses for hooks and `--wait-for-jobs`:
a Job must complete and a Pod must succeed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

Obj = Mapping[str, Any]


class Status(StrEnum):
    IN_PROGRESS = "InProgress"
    FAILED = "Failed"
    CURRENT = "Current"
    TERMINATING = "Terminating"
    NOT_FOUND = "NotFound"
    UNKNOWN = "Unknown"


@dataclass(frozen=True)
class Result:
    status: Status
    message: str

    @property
    def ready(self) -> bool:
        return self.status is Status.CURRENT


def _get(obj: Obj, path: str, default: Any = None) -> Any:
    cur: Any = obj
    for part in path.split("."):
        if not isinstance(cur, Mapping) or part not in cur:
            return default
        cur = cur[part]
    return cur


def _int(obj: Obj, path: str, default: int) -> int:
    value = _get(obj, path)
    return value if isinstance(value, int) and not isinstance(value, bool) else default


def _conditions(obj: Obj) -> list[Mapping[str, Any]]:
    conds = _get(obj, "status.conditions", [])
    return [c for c in conds if isinstance(c, Mapping)] if isinstance(conds, list) else []


def _condition(obj: Obj, kind: str) -> Mapping[str, Any] | None:
    return next((c for c in _conditions(obj) if c.get("type") == kind), None)


def _progress(message: str) -> Result:
    return Result(Status.IN_PROGRESS, message)


def _current(message: str) -> Result:
    return Result(Status.CURRENT, message)


def _generic(obj: Obj) -> Result | None:
    if _get(obj, "metadata.deletionTimestamp"):
        return Result(Status.TERMINATING, "Resource scheduled for deletion")
    generation = _get(obj, "metadata.generation")
    observed = _get(obj, "status.observedGeneration")
    if isinstance(generation, int) and isinstance(observed, int) and generation != observed:
        kind = obj.get("kind", "")
        return _progress(
            f"{kind} generation is {generation}, but latest observed generation is {observed}"
        )
    for cond in _conditions(obj):
        if cond.get("status") != "True":
            continue
        if cond.get("type") == "Reconciling":
            return _progress(str(cond.get("message", "")))
        if cond.get("type") == "Stalled":
            return Result(Status.FAILED, str(cond.get("message", "")))
    return None


def _replica_rules(
    rules: list[tuple[int, int, str]], done: str
) -> Result:  # (want, have, label) checked in order: first shortfall wins
    for want, have, label in rules:
        if want > have:
            return _progress(f"{label}: {have}/{want}")
    return _current(done)


def _deployment(obj: Obj) -> Result:
    progressing = _int(obj, "spec.progressDeadlineSeconds", 2**31 - 1) == 2**31 - 1
    available = False
    for cond in _conditions(obj):
        if cond.get("type") == "Progressing":
            if cond.get("reason") == "ProgressDeadlineExceeded":
                return Result(Status.FAILED, "Progress deadline exceeded")
            if cond.get("status") == "True" and cond.get("reason") == "NewReplicaSetAvailable":
                progressing = True
        elif cond.get("type") == "Available" and cond.get("status") == "True":
            available = True
    spec = _int(obj, "spec.replicas", 1)
    replicas = _int(obj, "status.replicas", 0)
    updated = _int(obj, "status.updatedReplicas", 0)
    ready = _int(obj, "status.readyReplicas", 0)
    avail = _int(obj, "status.availableReplicas", 0)
    if spec > replicas:
        return _progress(f"Replicas: {replicas}/{spec}")
    if spec > updated:
        return _progress(f"Updated: {updated}/{spec}")
    if replicas > spec:
        return _progress(f"Pending termination: {replicas - spec}")
    if updated > avail:
        return _progress(f"Available: {avail}/{updated}")
    if spec > ready:
        return _progress(f"Ready: {ready}/{spec}")
    if not progressing:
        return _progress("ReplicaSet not Available")
    if not available:
        return _progress("Deployment not Available")
    return _current(f"Deployment is available. Replicas: {replicas}")


def _statefulset(obj: Obj) -> Result:
    if _get(obj, "spec.updateStrategy.type") == "OnDelete":
        return _current("StatefulSet is using the ondelete update strategy")
    spec = _int(obj, "spec.replicas", 1)
    ready = _int(obj, "status.readyReplicas", 0)
    current = _int(obj, "status.currentReplicas", 0)
    updated = _int(obj, "status.updatedReplicas", 0)
    replicas = _int(obj, "status.replicas", 0)
    partition = _int(obj, "spec.updateStrategy.rollingUpdate.partition", -1)
    if spec > replicas:
        return _progress(f"Replicas: {replicas}/{spec}")
    if spec > ready:
        return _progress(f"Ready: {ready}/{spec}")
    if replicas > spec:
        return _progress(f"Pending termination: {replicas - spec}")
    if partition != -1:
        if updated < spec - partition:
            return _progress(f"updated: {updated}/{spec - partition}")
        return _current(f"Partition rollout complete. updated: {updated}")
    if spec > current:
        return _progress(f"current: {current}/{spec}")
    if _get(obj, "status.currentRevision", "") != _get(obj, "status.updateRevision", ""):
        return _progress("Waiting for updated revision to match current")
    return _current(f"All replicas scheduled as expected. Replicas: {replicas}")


def _daemonset(obj: Obj) -> Result:
    kind = obj.get("kind", "DaemonSet")
    if _get(obj, "metadata.generation") is None:
        return _progress(f"{kind} metadata.generation not found")
    if _get(obj, "status.observedGeneration") is None:
        return _progress(f"{kind} status.observedGeneration not found")
    desired = _int(obj, "status.desiredNumberScheduled", -1)
    if desired == -1:
        return _progress("Missing .status.desiredNumberScheduled")
    return _replica_rules(
        [
            (desired, _int(obj, "status.currentNumberScheduled", 0), "Current"),
            (desired, _int(obj, "status.updatedNumberScheduled", 0), "Updated"),
            (desired, _int(obj, "status.numberAvailable", 0), "Available"),
            (desired, _int(obj, "status.numberReady", 0), "Ready"),
        ],
        f"All replicas scheduled as expected. Replicas: {desired}",
    )


def _replicaset(obj: Obj) -> Result:
    failure = _condition(obj, "ReplicaFailure")
    if failure is not None and failure.get("status") == "True":
        return _progress("Replica Failure condition. Check Pods")
    spec = _int(obj, "spec.replicas", 1)
    replicas = _int(obj, "status.replicas", 0)
    result = _replica_rules(
        [
            (spec, _int(obj, "status.fullyLabeledReplicas", 0), "Labelled"),
            (spec, _int(obj, "status.availableReplicas", 0), "Available"),
            (spec, _int(obj, "status.readyReplicas", 0), "Ready"),
        ],
        f"ReplicaSet is available. Replicas: {replicas}",
    )
    if result.ready and replicas > spec:
        return _progress(f"Pending termination: {replicas - spec}")
    return result


def _job_counts(obj: Obj) -> tuple[int, int, int]:
    parallelism = _int(obj, "spec.parallelism", 1)
    completions = _int(obj, "spec.completions", parallelism)
    return completions, _int(obj, "status.succeeded", 0), _int(obj, "status.failed", 0)


def _job_outcome(obj: Obj, *, suspended_counts: bool) -> Result | None:
    """Complete or Failed (and, for a plain wait, Suspended) from the Job's conditions."""
    completions, succeeded, failed = _job_counts(obj)
    for cond in _conditions(obj):
        if cond.get("status") != "True":
            continue
        if cond.get("type") == "Complete":
            return _current(f"Job Completed. succeeded: {succeeded}/{completions}")
        if cond.get("type") == "Failed":
            return Result(Status.FAILED, f"Job Failed. failed: {failed}/{completions}")
        if cond.get("type") == "Suspended" and suspended_counts:
            return _current("Job is suspended")
    return None


def _job(obj: Obj) -> Result:
    outcome = _job_outcome(obj, suspended_counts=True)
    if outcome is not None:
        return outcome
    _, succeeded, failed = _job_counts(obj)
    if not _get(obj, "status.startTime"):
        return _progress("Job not started")
    active = _int(obj, "status.active", 0)
    return _current(f"Job in progress. success:{succeeded}, active: {active}, failed: {failed}")


def _pod(obj: Obj) -> Result:
    phase = _get(obj, "status.phase", "")
    if phase == "Succeeded":
        return _current("Pod has completed successfully")
    if phase == "Failed":
        return _current("Pod has completed, but not successfully")
    if phase == "Running":
        ready = _condition(obj, "Ready")
        if ready is not None and ready.get("status") == "True":
            return _current("Pod is Ready")
        looping = [
            str(cs.get("name"))
            for cs in _get(obj, "status.containerStatuses", []) or []
            if _get(cs, "state.waiting.reason") == "CrashLoopBackOff"
        ]
        if looping:
            return Result(Status.FAILED, f"Containers in CrashLoop state: {','.join(looping)}")
        return _progress("Pod is running but is not Ready")
    if phase == "Pending":
        sched = _condition(obj, "PodScheduled")
        if sched and sched.get("status") == "False" and sched.get("reason") == "Unschedulable":
            # A pod gets a short window to be scheduled before it counts as failed.
            if _age_seconds(obj) < SCHEDULE_WINDOW_SECONDS:
                return _progress("Pod has not been scheduled")
            return Result(Status.FAILED, "Pod could not be scheduled")
        return _progress("Pod is in the Pending phase")
    return _progress("Pod phase not available")


SCHEDULE_WINDOW_SECONDS = 15.0


def _age_seconds(obj: Obj) -> float:
    created = _get(obj, "metadata.creationTimestamp")
    if not isinstance(created, str):
        return 0.0
    try:
        then = datetime.fromisoformat(created.replace("Z", "+00:00"))
    except ValueError:
        return 0.0
    return (datetime.now(UTC) - then).total_seconds()


def _pvc(obj: Obj) -> Result:
    phase = _get(obj, "status.phase", "unknown")
    if phase != "Bound":
        return _progress(f"PVC is not Bound. phase: {phase}")
    return _current("PVC is Bound")


def _service(obj: Obj) -> Result:
    if _get(obj, "spec.type", "ClusterIP") == "LoadBalancer" and not _get(obj, "spec.clusterIP"):
        return _progress("ClusterIP not set. Service type: LoadBalancer")
    return _current("Service is ready")


def _crd(obj: Obj) -> Result:
    for cond in _conditions(obj):
        if cond.get("type") == "NamesAccepted" and cond.get("status") == "False":
            return Result(Status.FAILED, str(cond.get("message", "")))
        if cond.get("type") == "Established":
            if cond.get("status") == "False" and cond.get("reason") != "Installing":
                return Result(Status.FAILED, str(cond.get("message", "")))
            if cond.get("status") == "True":
                return _current("CRD is established")
    return _progress("Install in progress")


def _apiservice(obj: Obj) -> Result:
    # kstatus has no rule here; Helm 3's waiter required Available, and an APIService that is
    # not available breaks discovery for everything after it, so we keep that rule.
    cond = _condition(obj, "Available")
    if cond is not None and cond.get("status") == "True":
        return _current("APIService is available")
    return _progress(str((cond or {}).get("message") or "APIService not Available"))


def _always(_: Obj) -> Result:
    return _current("Resource is always ready")


_RULES: dict[str, Callable[[Obj], Result]] = {
    "Service": _service,
    "Pod": _pod,
    "Secret": _always,
    "ConfigMap": _always,
    "PersistentVolumeClaim": _pvc,
    "apps/StatefulSet": _statefulset,
    "apps/DaemonSet": _daemonset,
    "extensions/DaemonSet": _daemonset,
    "apps/Deployment": _deployment,
    "extensions/Deployment": _deployment,
    "apps/ReplicaSet": _replicaset,
    "extensions/ReplicaSet": _replicaset,
    "policy/PodDisruptionBudget": lambda _: _current("AllowedDisruptions has been computed."),
    "batch/CronJob": _always,
    "batch/Job": _job,
    "apiextensions.k8s.io/CustomResourceDefinition": _crd,
    "apiregistration.k8s.io/APIService": _apiservice,
}


def group_kind(obj: Obj) -> str:
    api_version = str(obj.get("apiVersion", ""))
    group = api_version.rsplit("/", 1)[0] if "/" in api_version else ""
    kind = str(obj.get("kind", ""))
    return f"{group}/{kind}" if group else kind


def compute(obj: Obj) -> Result:
    generic = _generic(obj)
    if generic is not None:
        return generic
    rule = _RULES.get(group_kind(obj))
    return rule(obj) if rule is not None else _current("Resource is current")


def _hook_job(obj: Obj) -> Result:
    return _job_outcome(obj, suspended_counts=False) or _progress("Job in progress")


def _hook_pod(obj: Obj) -> Result:
    name = _get(obj, "metadata.name", "")
    phase = _get(obj, "status.phase", "")
    if phase == "Succeeded":
        return _current(f"pod {name} succeeded")
    if phase == "Failed":
        return Result(Status.FAILED, f"pod {name} failed")
    return _progress("Pod in progress")


def compute_for_hook(obj: Obj) -> Result:
    """Jobs must complete and Pods must succeed; every other kind is ready at once."""
    kind = group_kind(obj)
    if kind == "batch/Job":
        return _hook_job(obj)
    if kind == "Pod":
        return _hook_pod(obj)
    return _current("Resource is always ready")


def compute_with_jobs(obj: Obj) -> Result:
    """`compute`, except that a Job must complete (Helm's --wait-for-jobs)."""
    if group_kind(obj) == "batch/Job":
        return _generic(obj) or _hook_job(obj)
    return compute(obj)
