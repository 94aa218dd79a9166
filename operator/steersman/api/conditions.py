"""kstatus-compatible status conditions: the types and reasons we use, and pure helpers.

Semantics (as in metav1.Condition and Flux):
- one entry per `type`; `status` is True, False or Unknown;
- `lastTransitionTime` changes only when `status` changes, not when reason or message do;
- `observedGeneration` says which spec generation the condition describes.
`Reconciling` is present only while True; `Ready=True` removes `Stalled` (kstatus reads these two
as "in progress" and "failed, won't progress without a change").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import ConfigDict, Field

from steersman.api.base import ApiModel, Pattern

# Limits from metav1.Condition, so our status is accepted wherever that type is.
TYPE_PATTERN = (
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$"
)
REASON_PATTERN = r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$"
MESSAGE_MAX = 32768


class ConditionType(StrEnum):
    READY = "Ready"
    """Summary: the release is installed, tested (if enabled) and matches the spec."""
    RELEASED = "Released"
    """The last install or upgrade succeeded."""
    RECONCILING = "Reconciling"
    """A Helm action is running (present only while True)."""
    STALLED = "Stalled"
    """Out of retries or blocked by something a spec or annotation change must fix."""
    REMEDIATED = "Remediated"
    """A failed release was rolled back or uninstalled."""
    TEST_SUCCESS = "TestSuccess"
    """The result of the chart's tests."""
    DRIFTED = "Drifted"
    """Cluster objects differ from the release manifest (drift detection warn/enabled)."""


class ConditionStatus(StrEnum):
    TRUE = "True"
    FALSE = "False"
    UNKNOWN = "Unknown"


class Reason(StrEnum):
    """Reasons we set; the string is what appears in `reason` and in Events."""

    INSTALL_SUCCEEDED = "InstallSucceeded"
    INSTALL_FAILED = "InstallFailed"
    UPGRADE_SUCCEEDED = "UpgradeSucceeded"
    UPGRADE_FAILED = "UpgradeFailed"
    TEST_SUCCEEDED = "TestSucceeded"
    TEST_FAILED = "TestFailed"
    AWAITING_TESTS = "AwaitingTests"
    ROLLBACK_SUCCEEDED = "RollbackSucceeded"
    ROLLBACK_FAILED = "RollbackFailed"
    UNINSTALL_SUCCEEDED = "UninstallSucceeded"
    UNINSTALL_FAILED = "UninstallFailed"
    PENDING_RELEASE = "PendingRelease"
    PROGRESSING = "Progressing"
    PROGRESSING_WITH_RETRY = "ProgressingWithRetry"
    RETRIES_EXCEEDED = "RetriesExceeded"
    MISSING_ROLLBACK_TARGET = "MissingRollbackTarget"
    ACCESS_DENIED = "AccessDenied"
    SERVICE_ACCOUNT_NOT_FOUND = "ServiceAccountNotFound"
    OWNED_BY_OTHER = "OwnedByOtherHelmRelease"
    TARGET_NAMESPACE_NOT_FOUND = "TargetNamespaceNotFound"
    STORAGE_NAMESPACE_NOT_FOUND = "StorageNamespaceNotFound"
    CORRUPT_RECORD = "CorruptReleaseRecord"
    RELEASE_TOO_LARGE = "ReleaseTooLarge"
    ARTIFACT_FAILED = "ArtifactFailed"
    VALUES_ERROR = "ValuesError"
    INIT_FAILED = "InitFailed"
    INVALID_SPEC = "InvalidSpec"
    DEPENDENCY_NOT_READY = "DependencyNotReady"
    DEPENDENCY_NOT_FOUND = "DependencyNotFound"
    DEPENDENCY_CYCLE = "DependencyCycle"
    STORAGE_UNAVAILABLE = "StorageUnavailable"
    STORAGE_NOT_ALLOWED = "StorageNotAllowed"
    RECONCILE_STRATEGY_CHANGED = "ReconcileStrategyChanged"
    DRIFT_DETECTED = "DriftDetected"
    NO_DRIFT_DETECTED = "NoDriftDetected"
    DRIFT_CORRECTED = "DriftCorrected"
    DRIFT_CORRECTION_FAILED = "DriftCorrectionFailed"
    DRIFT_DETECTION_FAILED = "DriftDetectionFailed"
    SUSPENDED = "Suspended"
    RECONCILE_ERROR = "ReconcileError"
    REST_CLIENT_ERROR = "RESTClientError"  # Flux's: spec.kubeConfig's client cannot be made
    INSECURE_KUBECONFIG = "InsecureKubeConfig"
    REMOTE_CLUSTER_UNAVAILABLE = "RemoteClusterUnavailable"


class Condition(ApiModel):
    """One observation about the HelmRelease (same shape as metav1.Condition)."""

    model_config = ConfigDict(extra="ignore")

    type: Annotated[
        str, Field(max_length=316), Pattern(TYPE_PATTERN, "a condition type such as Ready")
    ]
    status: ConditionStatus
    observed_generation: int | None = Field(default=None, ge=0)
    last_transition_time: datetime
    reason: Annotated[
        str,
        Field(min_length=1, max_length=1024),
        Pattern(REASON_PATTERN, "a CamelCase reason such as InstallFailed"),
    ]
    message: str = Field(max_length=MESSAGE_MAX)


def _now() -> datetime:
    # Kubernetes stores metav1.Time with second precision.
    return datetime.now(UTC).replace(microsecond=0)


def get_condition(conditions: Sequence[Condition], type: str) -> Condition | None:
    return next((c for c in conditions if c.type == type), None)


def is_true(conditions: Sequence[Condition], type: str) -> bool:
    found = get_condition(conditions, type)
    return found is not None and found.status == ConditionStatus.TRUE


def is_ready(conditions: Sequence[Condition], generation: int | None = None) -> bool:
    """Ready=True; with `generation`, only if the condition describes that spec generation."""
    ready = get_condition(conditions, ConditionType.READY)
    if ready is None or ready.status != ConditionStatus.TRUE:
        return False
    return generation is None or ready.observed_generation == generation


def set_condition(
    conditions: Sequence[Condition],
    type: str,
    status: ConditionStatus | bool,
    reason: str,
    message: str,
    *,
    observed_generation: int | None = None,
    now: datetime | None = None,
) -> list[Condition]:
    """A new list with `type` set; its position is kept, a new type is appended.

    `lastTransitionTime` is carried over unless `status` changes. A message over the API limit
    is cut (with a marker) rather than having the whole status write rejected.
    """
    if isinstance(status, bool):
        status = ConditionStatus.TRUE if status else ConditionStatus.FALSE
    if len(message) > MESSAGE_MAX:
        marker = "… (truncated)"
        message = message[: MESSAGE_MAX - len(marker)] + marker
    previous = get_condition(conditions, type)
    if previous is not None and previous.status == status:
        transition = previous.last_transition_time
    else:
        transition = now.replace(microsecond=0) if now is not None else _now()
    updated = Condition(
        type=type,
        status=status,
        observed_generation=observed_generation,
        last_transition_time=transition,
        reason=reason,
        message=message,
    )
    if previous is None:
        return [*conditions, updated]
    return [updated if c.type == type else c for c in conditions]


def remove_condition(conditions: Sequence[Condition], type: str) -> list[Condition]:
    return [c for c in conditions if c.type != type]
