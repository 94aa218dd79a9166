"""A thin async facade over kubernetes_asyncio: discovery-backed generic objects, server-side
apply, typed errors, optional service-account impersonation."""

from steersman.kube.client import FIELD_MANAGER, KubeClient, Propagation
from steersman.kube.discovery import Discovery, Resource, group_version_path
from steersman.kube.errors import (
    Conflict,
    Forbidden,
    Invalid,
    KubeError,
    NotFound,
    Unavailable,
    UnknownKind,
)
from steersman.kube.kubeconfig import InsecureKubeConfig, KubeConfigError

__all__ = [
    "FIELD_MANAGER",
    "Conflict",
    "Discovery",
    "Forbidden",
    "InsecureKubeConfig",
    "Invalid",
    "KubeClient",
    "KubeConfigError",
    "KubeError",
    "NotFound",
    "Propagation",
    "Resource",
    "Unavailable",
    "UnknownKind",
    "group_version_path",
]
