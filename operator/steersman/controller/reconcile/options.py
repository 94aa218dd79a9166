"""Engine options built from the spec in more than one place: uninstall is run as a
remediation, when the release target changes, and when the HelmRelease is deleted."""

from __future__ import annotations

from steersman.api import DeletionPropagation, HelmRelease
from steersman.engine.actions import UninstallOptions
from steersman.engine.context import DEFAULT_TIMEOUT
from steersman.kube.client import Propagation

# Our lower-case spec value -> the apiserver's propagationPolicy.
PROPAGATION: dict[DeletionPropagation, Propagation] = {
    DeletionPropagation.BACKGROUND: "Background",
    DeletionPropagation.FOREGROUND: "Foreground",
    DeletionPropagation.ORPHAN: "Orphan",
}


def uninstall_options(
    hr: HelmRelease,
    *,
    name: str,
    namespace: str,
    storage_namespace: str,
    keep_history: bool,
    timeout: float = DEFAULT_TIMEOUT,
) -> UninstallOptions:
    """spec.uninstall applied to the release `namespace/name` whose records are in
    `storage_namespace`."""
    spec = hr.spec.uninstall
    return UninstallOptions(
        namespace=namespace,
        storage_namespace=storage_namespace,
        name=name,
        timeout=timeout,
        keep_history=keep_history,
        disable_hooks=spec.disable_hooks,
        propagation=PROPAGATION[spec.deletion_propagation],
    )
