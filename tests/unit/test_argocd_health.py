"""manifests/argocd/health.lua, run in Lua 5.1 (what Argo CD's gopher-lua speaks) through lupa,
on HelmRelease statuses built with our own status models, the way the operator writes them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import lupa.lua51 as lua51
import yaml

from steersman.api import (
    ConditionStatus,
    ConditionType,
    HelmReleaseStatus,
    Reason,
    set_condition,
)
from steersman.api.conditions import Condition

ROOT = Path(__file__).resolve().parents[2]
HEALTH = ROOT / "manifests" / "argocd" / "health.lua"
CONFIGMAP = ROOT / "manifests" / "argocd" / "argocd-cm.yaml"
KEY = "resource.customizations.health.helm.steersman.dev_HelmRelease"


def health(obj: dict[str, Any]) -> tuple[str, str]:
    """(status, message) as Argo CD would get them: a fresh runtime with `obj` set."""
    runtime = lua51.LuaRuntime(unpack_returned_tuples=True)
    runtime.globals().obj = runtime.table_from(obj, recursive=True)
    result = runtime.execute(HEALTH.read_text())
    return str(result["status"]), str(result["message"])


def conditions(*entries: tuple[str, ConditionStatus, str, str, int]) -> list[Condition]:
    out: list[Condition] = []
    for type, status, reason, message, generation in entries:
        out = set_condition(out, type, status, reason, message, observed_generation=generation)
    return out


def helmrelease(
    generation: int,
    conds: list[Condition] | None = None,
    observed: int | None = None,
    suspend: bool = False,
) -> dict[str, Any]:
    obj: dict[str, Any] = {
        "apiVersion": "helm.steersman.dev/v1alpha1",
        "kind": "HelmRelease",
        "metadata": {"name": "web", "namespace": "team-a", "generation": generation},
        "spec": {"chart": {"repository": "https://charts.example.com", "name": "web"}},
    }
    if suspend:
        obj["spec"]["suspend"] = True
    if conds is not None:
        status = HelmReleaseStatus(conditions=conds, observed_generation=observed)
        obj["status"] = status.to_k8s()
    return obj


T, F, U = ConditionStatus.TRUE, ConditionStatus.FALSE, ConditionStatus.UNKNOWN
DEPLOYED = "Helm upgrade succeeded for release team-a/web.v2 with chart web@1.2.0"


def test_ready_for_the_current_generation_is_healthy() -> None:
    conds = conditions(
        (ConditionType.RELEASED, T, Reason.UPGRADE_SUCCEEDED, DEPLOYED, 3),
        (ConditionType.READY, T, Reason.UPGRADE_SUCCEEDED, DEPLOYED, 3),
    )
    assert health(helmrelease(3, conds, observed=3)) == ("Healthy", DEPLOYED)


def test_an_action_running_is_progressing() -> None:
    running = "Running 'upgrade' action with timeout of 5m"
    conds = conditions(
        (ConditionType.RELEASED, T, Reason.INSTALL_SUCCEEDED, DEPLOYED, 1),
        (ConditionType.RECONCILING, T, Reason.PROGRESSING, running, 2),
        (ConditionType.READY, U, Reason.PROGRESSING, running, 2),
    )
    assert health(helmrelease(2, conds, observed=1)) == ("Progressing", running)


def test_a_failed_upgrade_is_degraded_with_the_cause() -> None:
    failed = "Helm upgrade failed: timed out waiting for Deployment team-a/web"
    conds = conditions(
        (ConditionType.RELEASED, F, Reason.UPGRADE_FAILED, failed, 2),
        (ConditionType.READY, F, Reason.UPGRADE_FAILED, failed, 2),
    )
    assert health(helmrelease(2, conds, observed=1)) == ("Degraded", failed)


def test_a_failure_before_any_release_is_degraded() -> None:
    fetch = "failed to fetch chart web: version 9.9.9 not found"
    conds = conditions((ConditionType.READY, F, Reason.ARTIFACT_FAILED, fetch, 1))
    assert health(helmrelease(1, conds)) == ("Degraded", fetch)


def test_stalled_is_degraded_and_names_the_reason() -> None:
    out_of_retries = "install retries exhausted; last failure: hook failed"
    conds = conditions(
        (ConditionType.RELEASED, F, Reason.INSTALL_FAILED, "hook failed", 4),
        (ConditionType.STALLED, T, Reason.RETRIES_EXCEEDED, out_of_retries, 4),
        (ConditionType.READY, F, Reason.RETRIES_EXCEEDED, out_of_retries, 4),
    )
    assert health(helmrelease(4, conds, observed=4)) == (
        "Degraded",
        f"Stalled (RetriesExceeded): {out_of_retries}",
    )


def test_suspended_wins_over_any_status() -> None:
    conds = conditions((ConditionType.READY, F, Reason.UPGRADE_FAILED, "boom", 1))
    assert health(helmrelease(1, conds, suspend=True)) == (
        "Suspended",
        "HelmRelease is suspended (spec.suspend)",
    )


def test_conditions_about_an_older_generation_are_progressing() -> None:
    # The user just changed the spec (generation 5); the operator has not looked yet. Neither
    # the old Ready=True nor an old Stalled may speak for the new spec.
    ready_before = conditions((ConditionType.READY, T, Reason.UPGRADE_SUCCEEDED, DEPLOYED, 4))
    stalled_before = conditions(
        (ConditionType.STALLED, T, Reason.INVALID_SPEC, "bad values", 4),
        (ConditionType.READY, F, Reason.INVALID_SPEC, "bad values", 4),
    )
    waiting = ("Progressing", "Waiting for the operator to reconcile generation 5")
    assert health(helmrelease(5, ready_before, observed=4)) == waiting
    assert health(helmrelease(5, stalled_before, observed=4)) == waiting


def test_ready_true_with_an_older_observed_generation_is_progressing() -> None:
    conds = conditions((ConditionType.READY, T, Reason.UPGRADE_SUCCEEDED, DEPLOYED, 6))
    assert health(helmrelease(6, conds, observed=5))[0] == "Progressing"


def test_no_status_yet_is_progressing() -> None:
    assert health(helmrelease(1)) == (
        "Progressing",
        "Waiting for the operator to reconcile the HelmRelease",
    )
    assert health(helmrelease(1, []))[0] == "Progressing"


def test_waiting_for_a_dependency_is_progressing() -> None:
    waiting = "dependency 'team-a/db' is not ready"
    conds = conditions((ConditionType.READY, F, Reason.DEPENDENCY_NOT_READY, waiting, 2))
    assert health(helmrelease(2, conds)) == ("Progressing", waiting)


def test_the_argocd_cm_snippet_carries_the_same_lua() -> None:
    (configmap,) = [d for d in yaml.safe_load_all(CONFIGMAP.read_text()) if d]
    assert configmap["kind"] == "ConfigMap" and configmap["metadata"]["name"] == "argocd-cm"
    assert configmap["data"][KEY] == HEALTH.read_text()
