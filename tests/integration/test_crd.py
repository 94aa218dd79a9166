"""The generated HelmRelease CRD on the real kube-apiserver (1.20 on the bench).

Proves what unit tests cannot: the apiserver accepts the schema as structural, applies the same
defaults as the pydantic models, rejects what the models reject, serves the status subresource and
prints the columns `kubectl get helmreleases` shows.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import pytest
from kubernetes_asyncio import client
from pydantic import ValidationError

from steersman.api import (
    API_VERSION,
    KIND,
    ConditionType,
    HelmRelease,
    HelmReleaseSpec,
    HelmReleaseStatus,
    Reason,
    Snapshot,
    StorageDriver,
    StorageStatus,
    names,
    set_condition,
)
from steersman.api.crd import render_crd
from steersman.kube import Invalid, KubeClient, UnknownKind

pytestmark = pytest.mark.integration

CRD_API = "apiextensions.k8s.io/v1"
MINIMAL_SPEC = {"chart": {"repository": "https://charts.example.com/stable", "name": "podinfo"}}


def helmrelease(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": name}, "spec": spec}


def without_empty_lists(obj: Any) -> Any:
    """The apiserver has no defaults for lists, pydantic has `[]`: compare without them."""
    if isinstance(obj, dict):
        return {k: without_empty_lists(v) for k, v in obj.items() if v != []}
    return obj


@pytest.fixture(scope="module")
async def crd(kube: KubeClient) -> AsyncIterator[dict[str, Any]]:
    """The generated CRD, applied and Established; the served kind is visible to discovery."""
    await kube.apply(render_crd())
    live: dict[str, Any] = {}
    for _ in range(100):
        live = await kube.get(CRD_API, "CustomResourceDefinition", names.CRD_NAME)
        conditions = {c["type"]: c["status"] for c in live["status"].get("conditions") or []}
        if conditions.get("Established") == "True":
            break
        await asyncio.sleep(0.1)
    for _ in range(100):  # discovery serves the group a moment after Established
        kube.discovery.invalidate(API_VERSION)
        try:
            await kube.resource(API_VERSION, KIND)
            break
        except UnknownKind:
            await asyncio.sleep(0.1)
    yield live


async def test_crd_is_established_with_names_and_status_subresource(
    kube: KubeClient, crd: dict[str, Any]
) -> None:
    conditions = {c["type"]: c["status"] for c in crd["status"]["conditions"]}
    assert conditions["Established"] == "True"
    assert conditions["NamesAccepted"] == "True"
    # A non-structural schema would show up here (and would disable defaulting and pruning).
    assert "NonStructuralSchema" not in conditions
    doc = await kube.request("GET", f"/apis/{API_VERSION}")
    served = {r["name"]: r for r in doc["resources"]}
    assert served["helmreleases"]["kind"] == "HelmRelease"
    assert served["helmreleases"]["shortNames"] == ["hr", "shr"]
    assert served["helmreleases"]["categories"] == ["all", "steersman"]
    assert served["helmreleases"]["namespaced"] is True
    assert "helmreleases/status" in served


async def test_server_defaults_match_the_model_defaults(
    kube: KubeClient, crd: dict[str, Any], namespace: str
) -> None:
    live = await kube.apply(helmrelease("minimal", MINIMAL_SPEC), namespace=namespace)
    spec = live["spec"]
    assert spec["interval"] == "10m"
    assert spec["timeout"] == "5m"
    assert spec["suspend"] is False
    assert spec["maxHistory"] == 5
    assert spec["chart"]["version"] == "*"
    assert spec["install"] == {
        "createNamespace": False,
        "crds": "Create",
        "skipCRDs": False,
        "replace": False,
        "disableTakeOwnership": False,
        "disableWait": False,
        "disableWaitForJobs": False,
        "disableHooks": False,
        "disableSchemaValidation": False,
        "disableOpenAPIValidation": False,
        "remediation": {"retries": 0},
    }  # no timeout or serverSideApply: unset means spec.timeout / the controller's default
    assert spec["upgrade"]["remediation"] == {"retries": 0, "strategy": "rollback"}
    assert spec["uninstall"]["deletionPropagation"] == "background"
    assert spec["driftDetection"] == {"mode": "disabled"}
    assert spec["test"] == {"enable": False, "ignoreFailures": False}  # filters: none
    # Every default the models apply, the apiserver applies too (and nothing else).
    model = HelmReleaseSpec.model_validate(MINIMAL_SPEC)
    assert spec == without_empty_lists(model.to_k8s())
    assert HelmRelease.from_k8s(live).spec == model


async def test_full_spec_round_trips_unchanged(
    kube: KubeClient, crd: dict[str, Any], namespace: str
) -> None:
    spec = HelmReleaseSpec.model_validate(
        {
            "chart": {
                "repository": "oci://registry.example.com/charts",
                "name": "app",
                "version": ">=1.2.0 <2",
                "secretRef": {"name": "registry-auth"},
            },
            "interval": "1h30m",
            "releaseName": "app-prod",
            "targetNamespace": "prod",
            "storageNamespace": "helm-state",
            "storage": {"driver": "sql"},
            "maxHistory": 0,
            "serviceAccountName": "deployer",
            "dependsOn": [{"name": "db"}, {"name": "cache", "namespace": "shared"}],
            "values": {
                "replicas": 3,
                "nested": {"list": [1, "two", None, {"x": True}]},
                "drop": None,
            },
            "valuesFrom": [
                {"kind": "ConfigMap", "name": "base"},
                {"kind": "Secret", "name": "creds", "valuesKey": "pw", "targetPath": "a.b[0]"},
            ],
            "install": {"createNamespace": True, "remediation": {"retries": -1}},
            "upgrade": {"crds": "CreateReplace", "remediation": {"strategy": "uninstall"}},
            "rollback": {"force": True},
            "uninstall": {"keepHistory": True, "deletionPropagation": "orphan"},
            "test": {"enable": True},
            "driftDetection": {
                "mode": "enabled",
                "ignore": [{"paths": ["/spec/replicas"], "target": {"kind": "Deployment"}}],
            },
        }
    )
    live = await kube.apply(helmrelease("full", spec.to_k8s()), namespace=namespace)
    # Values are kept as given, including nulls inside them (preserve-unknown-fields).
    # (a null value is how Helm users delete a chart default, so it must survive).
    assert live["spec"]["values"] == {
        "replicas": 3,
        "nested": {"list": [1, "two", None, {"x": True}]},
        "drop": None,
    }
    assert HelmRelease.from_k8s(live).spec == spec


INVALID = [
    pytest.param({"storage": {"driver": "etcd"}}, "spec.storage.driver", id="driver-enum"),
    pytest.param({"interval": "5 minutes"}, "spec.interval", id="interval-pattern"),
    pytest.param({"timeout": "10"}, "spec.timeout", id="timeout-without-unit"),
    pytest.param({"maxHistory": -1}, "spec.maxHistory", id="negative-history"),
    pytest.param(
        {"upgrade": {"remediation": {"strategy": "retry"}}},
        "spec.upgrade.remediation.strategy",
        id="strategy-enum",
    ),
    # 1.20 names list items without their index.
    pytest.param({"valuesFrom": [{"kind": "Pod", "name": "x"}]}, "valuesFrom", id="values-kind"),
    pytest.param({"targetNamespace": "Not_A_Namespace"}, "spec.targetNamespace", id="namespace"),
]


@pytest.mark.parametrize(("extra", "field"), INVALID)
async def test_invalid_specs_are_rejected_by_server_and_model(
    kube: KubeClient, crd: dict[str, Any], namespace: str, extra: dict[str, Any], field: str
) -> None:
    spec = {**MINIMAL_SPEC, **extra}
    with pytest.raises(Invalid) as rejected:
        await kube.apply(helmrelease("bad", spec), namespace=namespace)
    assert rejected.value.status == 422
    assert field in rejected.value.message
    with pytest.raises(ValidationError):
        HelmReleaseSpec.model_validate(spec)


async def test_repository_must_be_http_https_or_oci(
    kube: KubeClient, crd: dict[str, Any], namespace: str
) -> None:
    # Helm and Flux accept plain http:// repositories (an in-cluster ChartMuseum);
    # any other scheme is refused by the API before the controller sees it.
    spec = {"chart": {"repository": "ftp://charts.example.com", "name": "podinfo"}}
    with pytest.raises(Invalid, match=r"spec\.chart\.repository"):
        await kube.apply(helmrelease("ftp-repo", spec), namespace=namespace)
    plain = {"chart": {"repository": "http://chartmuseum.tools:8080", "name": "podinfo"}}
    applied = await kube.apply(helmrelease("plain-http", plain), namespace=namespace)
    assert applied["spec"]["chart"]["repository"] == "http://chartmuseum.tools:8080"


def ready_status(generation: int) -> HelmReleaseStatus:
    now = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    conditions = set_condition(
        [],
        ConditionType.RELEASED,
        True,
        Reason.UPGRADE_SUCCEEDED,
        "Helm upgrade succeeded for release default/app.v2 with chart podinfo@6.5.0",
        observed_generation=generation,
        now=now,
    )
    conditions = set_condition(
        conditions,
        ConditionType.READY,
        True,
        Reason.UPGRADE_SUCCEEDED,
        "Helm upgrade succeeded",
        observed_generation=generation,
        now=now,
    )
    snapshot = Snapshot(
        name="app",
        namespace="default",
        version=2,
        status="deployed",
        chart_name="podinfo",
        chart_version="6.5.0",
        app_version="6.5.0",
        config_digest="sha256:" + "0" * 64,
        first_deployed=now,
        last_deployed=now,
    )
    return HelmReleaseStatus(
        observed_generation=generation,
        conditions=conditions,
        history=[snapshot],
        last_attempted_chart_version="6.5.0",
        storage=StorageStatus(driver=StorageDriver.SECRET, namespace="default"),
    )


async def test_status_subresource_and_printer_columns(
    kube: KubeClient, kube_api: client.ApiClient, crd: dict[str, Any], namespace: str
) -> None:
    created = await kube.apply(helmrelease("app", MINIMAL_SPEC), namespace=namespace)
    generation = created["metadata"]["generation"]
    status = ready_status(generation)
    body = {**status.to_k8s(), "notInSchema": "pruned"}
    patched = await kube.patch_status(API_VERSION, KIND, "app", namespace, body)
    assert "notInSchema" not in patched["status"]
    assert patched["metadata"]["generation"] == generation  # status writes don't bump it
    live = HelmRelease.from_k8s(await kube.get(API_VERSION, KIND, "app", namespace))
    assert live.status == status
    assert live.status.is_ready(generation)

    # Status sent with the main resource is ignored: only the subresource writes it.
    await kube.merge_patch(API_VERSION, KIND, "app", namespace, {"status": {"failures": 7}})
    again = await kube.get(API_VERSION, KIND, "app", namespace)
    assert again["status"]["failures"] == 0

    path = (await kube.resource(API_VERSION, KIND)).path(namespace, "app")
    table = await kube_api.call_api(
        path,
        "GET",
        header_params={"Accept": "application/json;as=Table;v=v1;g=meta.k8s.io"},
        response_types_map={200: "object"},
        auth_settings=["BearerToken"],
        _return_http_data_only=True,
    )
    columns = [c["name"] for c in table["columnDefinitions"]]
    assert columns == [
        "Name",
        "Chart",
        "Version",
        "Revision",
        "App Version",
        "Ready",
        "Status",
        "Suspended",
        "Age",
        "Storage",
    ]
    cells = dict(zip(columns, table["rows"][0]["cells"], strict=True))
    assert cells["Name"] == "app"
    assert cells["Chart"] == "podinfo"
    assert cells["Version"] == "6.5.0"
    assert cells["Revision"] == 2
    assert cells["Storage"] == "secret"
    assert cells["Ready"] == "True"
    assert cells["Status"] == "Helm upgrade succeeded"
    assert cells["Suspended"] is False  # the schema's default, not an empty cell
