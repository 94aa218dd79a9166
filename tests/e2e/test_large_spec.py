"""HelmReleases with large inline values install, upgrade and delete (issue 11 point 4).

kopf used to copy the whole spec into an annotation; past the 256 KiB annotation limit the
apiserver refused kopf's patches, so the finalizer stayed and deletion hung. Now the operator's
annotations stay small whatever the spec, and the only bound is the apiserver's object size:
- just over 256 KiB of values (compressible, like real values files): Secret storage holds it;
- 1 MiB of values that don't compress: SQL storage holds the release; in Secret storage the
  record can't fit a Secret, which the HelmRelease says clearly, and deletion still finishes.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

import pytest

from hack.operatorkit import wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    condition,
    get,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ANNOTATION_LIMIT = 262144
OURS = "helm.steersman.dev/"
WITHIN = 120.0  # a 1 MiB object through kopf, the engine and storage on a loaded 2-core bench


def _compressible(size: int) -> dict[str, Any]:
    line = "a values file line that repeats, as configuration does; "
    return {"blob": (line * (size // len(line) + 1))[:size]}


def _incompressible(size: int) -> dict[str, Any]:
    return {"blob": secrets.token_urlsafe(size)[:size]}


def _our_annotations(hr: dict[str, Any]) -> dict[str, str]:
    found = (hr.get("metadata") or {}).get("annotations") or {}
    return {k: v for k, v in found.items() if k.startswith(OURS)}


async def _create(kube: KubeClient, ns: str, name: str, body: dict[str, Any]) -> None:
    await kube.create(
        {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "spec": body},
        namespace=ns,
    )


async def _delete_and_wait(kube: KubeClient, ns: str, name: str) -> None:
    await kube.delete(API_VERSION, KIND, name, ns)

    async def gone() -> bool:
        return await kube.get_or_none(API_VERSION, KIND, name, ns) is None

    await wait_until(gone, WITHIN, f"{ns}/{name} to be deleted")


async def _check_small_bookkeeping(kube: KubeClient, ns: str, name: str) -> None:
    hr = await get(kube, ns, name)
    ours = _our_annotations(hr)
    assert f"{OURS}last-handled-digest" in ours
    assert f"{OURS}last-handled-configuration" not in ours
    assert len(json.dumps(ours)) < 2048, ours


async def test_values_over_the_annotation_limit_in_secret_storage(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    values = {"greeting": "big", **_compressible(ANNOTATION_LIMIT + 16 * 1024)}
    assert len(json.dumps(values)) > ANNOTATION_LIMIT
    op = start_operator(namespace)
    await op.wait_ready()
    await _create(e2e_kube, namespace, "big", spec(chart_repo, values=values))
    await wait_condition(e2e_kube, namespace, "big", reason="InstallSucceeded", within=WITHIN)
    await _check_small_bookkeeping(e2e_kube, namespace, "big")

    await patch_spec(e2e_kube, namespace, "big", {"values": {"greeting": "bigger"}})
    hr = await wait_condition(e2e_kube, namespace, "big", reason="UpgradeSucceeded", within=WITHIN)
    assert hr["status"]["history"][0]["version"] == 2
    cm = await e2e_kube.get("v1", "ConfigMap", "big-config", namespace)
    assert cm["data"]["greeting"] == "bigger"
    assert record_states(await records(e2e_kube, namespace, "big")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]
    await _check_small_bookkeeping(e2e_kube, namespace, "big")

    await _delete_and_wait(e2e_kube, namespace, "big")
    assert await records(e2e_kube, namespace, "big") == []
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "big-config", namespace) is None
    assert "Traceback" not in op.log()


async def test_one_mebibyte_of_values_in_sql_storage(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    pg_database: str,
) -> None:
    values = {"greeting": "huge", **_incompressible(1024 * 1024)}
    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": pg_database}
    op = start_operator(namespace, "--helm-storage-driver", "sql", env=env)
    await op.wait_ready()
    await _create(e2e_kube, namespace, "huge", spec(chart_repo, values=values))
    hr = await wait_condition(e2e_kube, namespace, "huge", reason="InstallSucceeded", within=WITHIN)
    assert hr["status"]["storage"]["driver"] == "sql"
    await _check_small_bookkeeping(e2e_kube, namespace, "huge")

    await patch_spec(e2e_kube, namespace, "huge", {"values": {"greeting": "huger"}})
    hr = await wait_condition(e2e_kube, namespace, "huge", reason="UpgradeSucceeded", within=WITHIN)
    assert [h["version"] for h in hr["status"]["history"]][:2] == [2, 1]
    cm = await e2e_kube.get("v1", "ConfigMap", "huge-config", namespace)
    assert cm["data"]["greeting"] == "huger"
    await _check_small_bookkeeping(e2e_kube, namespace, "huge")

    await _delete_and_wait(e2e_kube, namespace, "huge")
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "huge-config", namespace) is None
    assert "Traceback" not in op.log()


async def test_one_mebibyte_of_values_in_secret_storage_says_why_and_deletes(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    values = {"greeting": "huge", **_incompressible(1024 * 1024)}
    op = start_operator(namespace)
    await op.wait_ready()
    await _create(e2e_kube, namespace, "huge", spec(chart_repo, values=values))

    async def refused() -> dict[str, Any] | None:
        ready = condition(await get(e2e_kube, namespace, "huge"), "Ready")
        if ready is None or ready["status"] != "False" or "limit" not in ready["message"]:
            return None
        return ready

    ready = await wait_until(refused, WITHIN, "a condition saying the record is too large")
    assert "does not fit a Kubernetes Secret" in ready["message"]
    assert "over the 1 MiB object limit" in ready["message"]
    assert ready["reason"] == "ReleaseTooLarge"
    assert "--helm-storage-driver=sql" in ready["message"]
    assert await records(e2e_kube, namespace, "huge") == []  # nothing half-written
    await _check_small_bookkeeping(e2e_kube, namespace, "huge")

    await _delete_and_wait(e2e_kube, namespace, "huge")
    assert "Traceback" not in op.log()
