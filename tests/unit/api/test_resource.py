"""The whole HelmRelease object as read from the apiserver."""

from __future__ import annotations

from typing import Any

from steersman.api import API_VERSION, HelmRelease, HelmReleaseStatus, StorageDriver, names


def body(**extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": "HelmRelease",
        "metadata": {
            "name": "app",
            "namespace": "team",
            "generation": 4,
            "annotations": {"helm.steersman.dev/force": "t1"},
        },
        "spec": {"chart": {"repository": "oci://r.example.com/c", "name": "app"}},
        **extra,
    }


def test_parse_without_status() -> None:
    hr = HelmRelease.from_k8s(body())
    assert (hr.name, hr.namespace, hr.generation) == ("app", "team", 4)
    assert hr.annotations == {"helm.steersman.dev/force": "t1"}
    assert hr.status == HelmReleaseStatus()
    assert HelmRelease.from_k8s(body(status={})).status == HelmReleaseStatus()


def test_status_tolerates_fields_it_does_not_know() -> None:
    hr = HelmRelease.from_k8s(
        body(
            status={
                "observedGeneration": 3,
                "storage": {"driver": "sql", "namespace": "team"},
                "history": [
                    {
                        "name": "app",
                        "namespace": "team",
                        "version": 7,
                        "status": "deployed",
                        "chartName": "app",
                        "chartVersion": "1.0.0",
                        "configDigest": "sha256:00",
                        "someFutureField": 1,
                    }
                ],
                "fromANewerOperator": {"x": 1},
            }
        )
    )
    assert hr.status.storage is not None and hr.status.storage.driver is StorageDriver.SQL
    assert hr.status.latest is not None and hr.status.latest.version == 7
    assert not hr.status.is_ready()
    assert hr.status.condition("Ready") is None


def test_api_version_is_group_slash_version() -> None:
    assert (
        f"{names.GROUP}/{names.VERSION}"
        == API_VERSION
        == HelmRelease.model_fields["api_version"].default
    )
