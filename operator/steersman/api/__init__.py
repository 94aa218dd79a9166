"""HelmRelease API (`helm.steersman.dev/v1alpha1`): pydantic models and CRD generation.

Modules: `spec` (desired state), `status` (observed state), `conditions` (kstatus conditions
and helpers), `annotation_names` (one-off requests: reconcile, force, reset), `digest` (values
digests), `duration` (Go duration strings), `resource` (the whole object), `crd` (CRD rendering)
and `schema` (pydantic JSON schema -> structural schema).
"""

from steersman.api import annotation_names
from steersman.api.annotation_names import DRIFT_DETECTION
from steersman.api.conditions import (
    Condition,
    ConditionStatus,
    ConditionType,
    Reason,
    get_condition,
    is_ready,
    is_true,
    remove_condition,
    set_condition,
)
from steersman.api.crd import render_crd_yaml
from steersman.api.digest import digest, values_digest
from steersman.api.duration import parse_duration
from steersman.api.names import (
    API_VERSION,
    GROUP,
    KIND,
    OWNER_NAME_LABEL,
    OWNER_NAMESPACE_LABEL,
    PLURAL,
    VERSION,
)
from steersman.api.resource import HelmRelease
from steersman.api.spec import (
    ChartSpec,
    CRDPolicy,
    DeletionPropagation,
    DriftDetectionMode,
    DriftIgnoreRule,
    DriftTarget,
    HelmReleaseSpec,
    RemediationStrategy,
    ServerSideApplyMode,
    StorageDriver,
    ValuesReference,
    ValuesSourceKind,
)
from steersman.api.status import (
    HelmReleaseStatus,
    ReleaseAction,
    Snapshot,
    StorageStatus,
    TestHookStatus,
)

__all__ = [
    "API_VERSION",
    "DRIFT_DETECTION",
    "GROUP",
    "KIND",
    "OWNER_NAMESPACE_LABEL",
    "OWNER_NAME_LABEL",
    "PLURAL",
    "VERSION",
    "CRDPolicy",
    "ChartSpec",
    "Condition",
    "ConditionStatus",
    "ConditionType",
    "DeletionPropagation",
    "DriftDetectionMode",
    "DriftIgnoreRule",
    "DriftTarget",
    "HelmRelease",
    "HelmReleaseSpec",
    "HelmReleaseStatus",
    "Reason",
    "ReleaseAction",
    "RemediationStrategy",
    "ServerSideApplyMode",
    "Snapshot",
    "StorageDriver",
    "StorageStatus",
    "TestHookStatus",
    "ValuesReference",
    "ValuesSourceKind",
    "annotation_names",
    "digest",
    "get_condition",
    "is_ready",
    "is_true",
    "parse_duration",
    "remove_condition",
    "render_crd_yaml",
    "set_condition",
    "values_digest",
]
