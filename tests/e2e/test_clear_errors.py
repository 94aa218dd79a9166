"""Failures that used to mislead (issue 11 points 6 and 7): each gets a condition that names the
cause and what to do, and leaves the existing release as it was."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import shutil
import zlib
from pathlib import Path

import pytest

from hack.operatorkit import SAMPLE_CHART, push_chart, wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    annotate,
    condition,
    create,
    events,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
)
from tests.e2e.tenancy_support import grant, service_account

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def _ready_message(kube: KubeClient, ns: str, name: str, status: str, reason: str) -> str:
    hr = await wait_condition(kube, ns, name, "Ready", status, reason)
    ready = condition(hr, "Ready")
    assert ready is not None
    return str(ready["message"])


async def test_dependency_cycles_self_and_missing_dependencies_are_named(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--requeue-dependency-seconds", "1")
    await op.wait_ready()
    ns = namespace
    await create(e2e_kube, ns, "narcissus", spec(chart_repo, dependsOn=[{"name": "narcissus"}]))
    await create(e2e_kube, ns, "x", spec(chart_repo, dependsOn=[{"name": "q"}]))
    await create(e2e_kube, ns, "q", spec(chart_repo, dependsOn=[{"name": "z"}]))
    await create(e2e_kube, ns, "z", spec(chart_repo, dependsOn=[{"name": "x"}]))
    await create(e2e_kube, ns, "lonely", spec(chart_repo, dependsOn=[{"name": "nobody"}]))
    # A release named `y` renders `app.kubernetes.io/instance: y`, a YAML 1.1 bool to kube's
    # manifest reader: helm install refuses it before storing anything, and so do we.
    await create(e2e_kube, ns, "y", spec(chart_repo))

    message = await _ready_message(e2e_kube, ns, "narcissus", "False", "DependencyCycle")
    assert message.startswith(f"HelmRelease {ns}/narcissus depends on itself")
    message = await _ready_message(e2e_kube, ns, "x", "False", "DependencyCycle")
    assert f"{ns}/x -> {ns}/q -> {ns}/z -> {ns}/x" in message
    message = await _ready_message(e2e_kube, ns, "lonely", "False", "DependencyNotFound")
    assert message.startswith(f"dependency '{ns}/nobody' does not exist")
    message = await _ready_message(e2e_kube, ns, "y", "False", "InstallFailed")
    assert (
        'unable to decode "": json: cannot unmarshal bool into Go struct field '
        "ObjectMeta.metadata.labels of type string"
    ) in message, message
    assert "quote it" in message
    assert await records(e2e_kube, ns, "y") == []

    # Breaking the cycle lets all three install, dependencies first.
    await patch_spec(e2e_kube, ns, "z", {"dependsOn": []})
    for name in ("z", "q", "x"):
        await wait_condition(e2e_kube, ns, name)


async def test_missing_target_and_storage_namespaces_are_named(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--allow-cross-namespace-releases")
    await op.wait_ready()
    nowhere = f"t-nowhere-{secrets.token_hex(3)}"
    await create(e2e_kube, namespace, "lost", spec(chart_repo, targetNamespace=nowhere))
    await create(e2e_kube, namespace, "adrift", spec(chart_repo, storageNamespace=nowhere))
    message = await _ready_message(e2e_kube, namespace, "lost", "False", "TargetNamespaceNotFound")
    assert message.startswith(f"target namespace '{nowhere}' does not exist")
    assert "createNamespace" in message
    message = await _ready_message(
        e2e_kube, namespace, "adrift", "False", "StorageNamespaceNotFound"
    )
    assert message.startswith(f"storage namespace '{nowhere}' (spec.storageNamespace)")
    assert await records(e2e_kube, namespace, "adrift") == []

    # Once the namespace exists, the retries (with backoff) go ahead.
    await e2e_kube.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": nowhere}})
    await wait_condition(e2e_kube, namespace, "lost", within=90)
    await wait_condition(e2e_kube, namespace, "adrift", within=90)
    assert record_states(await records(e2e_kube, nowhere, "adrift")) == [(1, "deployed")]


def _secret(ns: str, release: str, version: int, payload: str) -> dict[str, object]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": f"sh.helm.release.v1.{release}.v{version}",
            "namespace": ns,
            "labels": {
                "owner": "helm",
                "name": release,
                "version": str(version),
                "status": "deployed",
            },
        },
        "type": "helm.sh/release.v1",
        "data": {"release": base64.b64encode(payload.encode()).decode()},
    }


async def test_corrupt_newest_record_is_named_and_the_history_kept(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "web", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "web")
    v1 = (await records(e2e_kube, namespace, "web"))[0]["metadata"]["resourceVersion"]

    # Garbage in data.release.
    await e2e_kube.create(_secret(namespace, "web", 2, "garbage!"), namespace=namespace)
    await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "two"}})
    message = await _ready_message(e2e_kube, namespace, "web", "False", "CorruptReleaseRecord")
    assert f"Secret {namespace}/sh.helm.release.v1.web.v2 is labelled as a record of" in message
    assert "Delete that Secret" in message

    # A record in another encoding (zlib instead of gzip under the base64).
    body = json.dumps({"name": "web", "version": 2}).encode()
    other = base64.b64encode(zlib.compress(body)).decode()
    await e2e_kube.delete("v1", "Secret", "sh.helm.release.v1.web.v2", namespace)
    await e2e_kube.create(_secret(namespace, "web", 2, other), namespace=namespace)
    await annotate(e2e_kube, namespace, "web", "helm.steersman.dev/reconcile")

    async def reencoded() -> bool:
        hr = await e2e_kube.get(API_VERSION, KIND, "web", namespace)
        ready = condition(hr, "Ready") or {}
        return ready.get("reason") == "CorruptReleaseRecord" and "not valid JSON" in str(
            ready.get("message")
        )

    await wait_until(reencoded, 60, "the other encoding to be reported")
    found = await records(e2e_kube, namespace, "web")
    assert found[0]["metadata"]["resourceVersion"] == v1  # v1 untouched

    # Removing the bad record lets the upgrade go on from v1.
    await e2e_kube.delete("v1", "Secret", "sh.helm.release.v1.web.v2", namespace)
    await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded", within=90)
    assert record_states(await records(e2e_kube, namespace, "web")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]


async def test_long_name_with_a_dot_gets_a_valid_release_name(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    name = "a" * 39 + "." + "b" * 20  # 60 characters; the cut at 40 lands on the '.'
    await create(e2e_kube, namespace, name, spec(chart_repo))
    hr = await wait_condition(e2e_kube, namespace, name)
    release = hr["status"]["history"][0]["name"]
    assert release.startswith("a" * 39 + "-") and len(release) == 52
    assert record_states(await records(e2e_kube, namespace, release)) == [(1, "deployed")]


@pytest.fixture(scope="module")
def bulky_repo(
    helm_v4: Path,
    helm_env: dict[str, str],
    oci_registry: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> str:
    """Chart `bulky`: 0.1.0 small, 0.2.0 with 1.2 MB of incompressible files (a record of
    about 1.6 MiB)."""
    root = tmp_path_factory.mktemp("bulky")
    small, big = root / "small" / "bulky", root / "big" / "bulky"
    for target in (small, big):
        shutil.copytree(SAMPLE_CHART, target)
        chart = (target / "Chart.yaml").read_text().replace("name: demo", "name: bulky")
        (target / "Chart.yaml").write_text(chart)
    (big / "files").mkdir()
    blob = base64.b64encode(secrets.token_bytes(900 * 1024)).decode()
    (big / "files" / "blob.txt").write_text(blob)
    push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"], chart_dir=small)
    return push_chart(helm_v4, helm_env, oci_registry, ["0.2.0"], chart_dir=big)


async def test_release_over_the_object_limit_stalls_once_and_keeps_the_history(
    e2e_kube: KubeClient, namespace: str, bulky_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    body = spec(bulky_repo, interval="2s")
    body["chart"] = {**body["chart"], "name": "bulky"}
    await create(e2e_kube, namespace, "big", body)
    await wait_condition(e2e_kube, namespace, "big")
    await patch_spec(e2e_kube, namespace, "big", {"chart": {**body["chart"], "version": "0.2.0"}})
    hr = await wait_condition(e2e_kube, namespace, "big", "Stalled", "True", "ReleaseTooLarge")
    ready = condition(hr, "Ready")
    assert ready is not None and ready["reason"] == "ReleaseTooLarge"
    assert "over the 1 MiB object limit" in ready["message"]
    assert "existing revisions are intact" in ready["message"]
    assert "sql" in ready["message"]

    await asyncio.sleep(8)  # four intervals: each reconcile meets the same stall
    warnings = [
        e for e in await events(e2e_kube, namespace, "big") if e.get("reason") == "ReleaseTooLarge"
    ]
    assert len(warnings) == 1 and int(warnings[0].get("count") or 1) == 1
    assert record_states(await records(e2e_kube, namespace, "big")) == [(1, "deployed")]
    hr = await e2e_kube.get(API_VERSION, KIND, "big", namespace)
    assert (condition(hr, "Stalled") or {}).get("reason") == "ReleaseTooLarge"


async def test_failed_drift_check_says_it_could_not_run(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await service_account(e2e_kube, namespace, "drifter")
    await grant(e2e_kube, namespace, "drifter", namespace, "drifter")
    body = spec(chart_repo, serviceAccountName="drifter", driftDetection={"mode": "warn"})
    await create(e2e_kube, namespace, "watched", body)
    hr = await wait_condition(e2e_kube, namespace, "watched")
    assert (condition(hr, "Drifted") or {}).get("reason") == "NoDriftDetected"

    # The account may still read, but no longer patch: the dry-run apply is refused.
    read_only = [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list"]}]
    await grant(e2e_kube, namespace, "drifter", namespace, "drifter", read_only)
    await annotate(e2e_kube, namespace, "watched", "helm.steersman.dev/reconcile")
    hr = await wait_condition(
        e2e_kube, namespace, "watched", "Drifted", "Unknown", "DriftDetectionFailed"
    )
    drifted = condition(hr, "Drifted")
    assert drifted is not None
    assert drifted["message"].startswith("Drift detection could not run:")
    assert "forbidden" in drifted["message"]
    assert "No drift detected" not in drifted["message"]


async def test_forbidden_uninstall_on_delete_is_reported(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await service_account(e2e_kube, namespace, "remover")
    await grant(e2e_kube, namespace, "remover", namespace, "remover")
    await create(e2e_kube, namespace, "sticky", spec(chart_repo, serviceAccountName="remover"))
    await wait_condition(e2e_kube, namespace, "sticky")

    no_delete = [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get", "list", "patch"]}
    ]
    await grant(e2e_kube, namespace, "remover", namespace, "remover", no_delete)
    await e2e_kube.delete(API_VERSION, KIND, "sticky", namespace)
    hr = await wait_condition(
        e2e_kube, namespace, "sticky", "Ready", "False", "UninstallFailed", current=False
    )
    ready = condition(hr, "Ready")
    assert ready is not None
    assert f"service account {namespace}/remover is not allowed" in ready["message"]
    assert "helm.steersman.dev/finalizer stays" in ready["message"]
    assert "spec.suspend" in ready["message"]
    assert "UninstallFailed" in {
        e.get("reason") for e in await events(e2e_kube, namespace, "sticky")
    }

    # With the right back, the retry uninstalls and the HelmRelease goes.
    await grant(e2e_kube, namespace, "remover", namespace, "remover")

    async def gone() -> bool:
        return await e2e_kube.get_or_none(API_VERSION, KIND, "sticky", namespace) is None

    await wait_until(gone, 60, "the HelmRelease to be deleted after the retry")
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "sticky-config", namespace) is None
