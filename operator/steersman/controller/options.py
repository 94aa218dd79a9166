"""The engine's options for each Helm action, built from a HelmRelease's spec (Flux's fields).

Pure functions: the spec, where the release lives and what the controller knows about the
release's history go in; the engine's option objects come out. Defaults follow Flux: objects
without Helm's ownership metadata are adopted, Jobs are waited for, each action's timeout
falls back to `spec.timeout`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from steersman.api import HelmRelease, HelmReleaseSpec, ServerSideApplyMode, parse_duration
from steersman.engine import (
    CrdPolicy,
    InstallOptions,
    RollbackOptions,
    TestOptions,
    UninstallOptions,
    UpgradeOptions,
)
from steersman.kube import Propagation

Action = Literal["install", "upgrade", "test", "rollback", "uninstall"]
SSA_RECORDED = "ssa"  # a release record's apply_method when it was applied server-side


@dataclass(frozen=True)
class Where:
    """The release an action works on."""

    name: str
    namespace: str  # the release's (target) namespace
    storage_namespace: str
    labels: dict[str, str] = field(default_factory=dict)  # stamped on the records


def action_timeout(spec: HelmReleaseSpec, action: str) -> str:
    """The action's own `timeout`, else `spec.timeout` (as text, e.g. "5m")."""
    own: dict[str, str | None] = {
        "install": spec.install.timeout,
        "upgrade": spec.upgrade.timeout,
        "test": spec.test.timeout,
        "rollback": spec.rollback.timeout,
        "uninstall": spec.uninstall.timeout,
    }
    return own.get(action) or spec.timeout


def _seconds(spec: HelmReleaseSpec, action: Action) -> float:
    return parse_duration(action_timeout(spec, action))


def server_side(
    mode: ServerSideApplyMode | None, default: ServerSideApplyMode, last_apply_method: str
) -> bool:
    """enabled/disabled decide; auto (also when the spec leaves it to the controller's default)
    keeps the apply method recorded in the release's last revision (helm v3: client-side)."""
    chosen = mode or default
    if chosen is ServerSideApplyMode.AUTO:
        return last_apply_method == SSA_RECORDED
    return chosen is ServerSideApplyMode.ENABLED


def install_crd_policy(spec: HelmReleaseSpec) -> CrdPolicy:
    """`install.crds`, with Flux's deprecated `install.skipCRDs: true` meaning Skip."""
    if spec.install.skip_crds:
        return CrdPolicy.SKIP
    return CrdPolicy(spec.install.crds.value)


def install_options(
    hr: HelmRelease, where: Where, newest_status: str | None, default_ssa: ServerSideApplyMode
) -> InstallOptions:
    """`newest_status`: the status of the release's newest record, if any. A failed install is
    installed over (the controller's retry); an uninstalled release kept with its history is
    reused with `install.replace` or when this HelmRelease keeps history itself."""
    spec = hr.spec
    install = spec.install
    reuse_uninstalled = install.replace or spec.uninstall.keep_history
    if install.server_side_apply is None:
        ssa = default_ssa is not ServerSideApplyMode.DISABLED  # auto: nothing to follow yet
    else:
        ssa = install.server_side_apply
    return InstallOptions(
        namespace=where.namespace,
        storage_namespace=where.storage_namespace,
        timeout=_seconds(spec, "install"),
        wait=not install.disable_wait,
        wait_for_jobs=not install.disable_wait_for_jobs,
        disable_hooks=install.disable_hooks,
        server_side=ssa,
        skip_schema_validation=install.disable_schema_validation,
        name=where.name,
        replace=newest_status == "failed" or (newest_status == "uninstalled" and reuse_uninstalled),
        create_namespace=install.create_namespace,
        crds=install_crd_policy(spec),
        take_ownership=not install.disable_take_ownership,
        labels=dict(where.labels),
    )


def upgrade_options(
    hr: HelmRelease, where: Where, last_apply_method: str, default_ssa: ServerSideApplyMode
) -> UpgradeOptions:
    spec = hr.spec
    upgrade = spec.upgrade
    return UpgradeOptions(
        namespace=where.namespace,
        storage_namespace=where.storage_namespace,
        timeout=_seconds(spec, "upgrade"),
        wait=not upgrade.disable_wait,
        wait_for_jobs=not upgrade.disable_wait_for_jobs,
        disable_hooks=upgrade.disable_hooks,
        server_side=server_side(upgrade.server_side_apply, default_ssa, last_apply_method),
        skip_schema_validation=upgrade.disable_schema_validation,
        name=where.name,
        max_history=spec.max_history,
        cleanup_on_fail=upgrade.cleanup_on_fail,
        crds=CrdPolicy(upgrade.crds.value),
        take_ownership=not upgrade.disable_take_ownership,
        # declarative unless preserveValues: the values are exactly what the spec composes
        reset_values=not upgrade.preserve_values,
        reuse_values=upgrade.preserve_values,
        force=upgrade.force,
        labels=dict(where.labels),
    )


def rollback_options(
    hr: HelmRelease,
    where: Where,
    version: int,
    last_apply_method: str,
    default_ssa: ServerSideApplyMode,
) -> RollbackOptions:
    spec = hr.spec
    rollback = spec.rollback
    return RollbackOptions(
        namespace=where.namespace,
        storage_namespace=where.storage_namespace,
        timeout=_seconds(spec, "rollback"),
        wait=not rollback.disable_wait,
        wait_for_jobs=not rollback.disable_wait_for_jobs,
        disable_hooks=rollback.disable_hooks,
        server_side=server_side(rollback.server_side_apply, default_ssa, last_apply_method),
        name=where.name,
        version=version,
        max_history=spec.max_history,
        cleanup_on_fail=rollback.cleanup_on_fail,
        force=rollback.force,
        recreate=rollback.recreate,
        labels=dict(where.labels),
    )


def uninstall_options(
    hr: HelmRelease, where: Where, *, keep_history: bool | None = None
) -> UninstallOptions:
    """The one builder for every uninstall: the remediation, the delete, a changed target
    (which passes keep_history=False: the old release is gone for good)."""
    spec = hr.spec
    uninstall = spec.uninstall
    return UninstallOptions(
        namespace=where.namespace,
        storage_namespace=where.storage_namespace,
        timeout=_seconds(spec, "uninstall"),
        wait=not uninstall.disable_wait,
        disable_hooks=uninstall.disable_hooks,
        name=where.name,
        keep_history=uninstall.keep_history if keep_history is None else keep_history,
        propagation=propagation(uninstall.deletion_propagation.value),
    )


def release_test_options(hr: HelmRelease, where: Where) -> TestOptions:
    spec = hr.spec
    return TestOptions(
        where.name,
        where.namespace,
        where.storage_namespace,
        _seconds(spec, "test"),
        include=[f.name for f in spec.test.filters if not f.exclude],
        exclude=[f.name for f in spec.test.filters if f.exclude],
    )


def propagation(value: str) -> Propagation:
    """Our lower-case spec value -> the apiserver's propagationPolicy."""
    policies: dict[str, Propagation] = {
        "background": "Background",
        "foreground": "Foreground",
        "orphan": "Orphan",
    }
    return policies[value]
