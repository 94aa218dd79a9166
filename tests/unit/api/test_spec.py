"""HelmReleaseSpec: defaults, camelCase names and validation errors a user can act on."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from steersman.api import (
    CRDPolicy,
    DeletionPropagation,
    DriftDetectionMode,
    HelmReleaseSpec,
    RemediationStrategy,
    StorageDriver,
    ValuesSourceKind,
)

CHART = {"repository": "https://charts.example.com/stable", "name": "podinfo"}


def spec(**fields: Any) -> HelmReleaseSpec:
    return HelmReleaseSpec.model_validate({"chart": CHART, **fields})


def error_of(**fields: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        spec(**fields)
    return str(caught.value)


def test_defaults() -> None:
    s = spec()
    assert s.chart.version == "*"
    assert s.chart.secret_ref is None and s.chart.insecure is False
    assert (s.interval, s.timeout, s.suspend, s.max_history) == ("10m", "5m", False, 5)
    assert s.release_name is None and s.target_namespace is None
    assert s.storage_namespace is None and s.storage is None
    assert s.values is None and s.values_from == [] and s.depends_on == []
    assert s.install.crds is CRDPolicy.CREATE and s.install.remediation.retries == 0
    assert not (s.install.create_namespace or s.install.disable_wait or s.install.disable_hooks)
    assert s.upgrade.crds is CRDPolicy.CREATE
    assert s.upgrade.remediation.strategy is RemediationStrategy.ROLLBACK
    assert not (s.rollback.force or s.rollback.cleanup_on_fail)
    assert s.uninstall.deletion_propagation is DeletionPropagation.BACKGROUND
    assert not s.uninstall.keep_history
    assert not (s.test.enable or s.test.ignore_failures)
    assert s.drift_detection.mode is DriftDetectionMode.DISABLED


def test_camel_case_in_and_out() -> None:
    s = HelmReleaseSpec.model_validate(
        {
            "chart": {**CHART, "secretRef": {"name": "auth"}},
            "maxHistory": 0,
            "valuesFrom": [{"kind": "Secret", "name": "v", "targetPath": "a.b[1]"}],
            "upgrade": {"cleanupOnFail": True},
            "driftDetection": {"mode": "warn"},
        }
    )
    assert s.chart.secret_ref is not None and s.chart.secret_ref.name == "auth"
    assert s.values_from[0].kind is ValuesSourceKind.SECRET
    assert s.values_from[0].values_key == "values.yaml"
    assert s.values_from[0].target_path == "a.b[1]"
    out = s.to_k8s()
    assert out["maxHistory"] == 0
    assert out["upgrade"]["cleanupOnFail"] is True
    assert out["valuesFrom"][0] == {
        "kind": "Secret",
        "name": "v",
        "valuesKey": "values.yaml",
        "targetPath": "a.b[1]",
        "optional": False,
    }
    assert "values" not in out and "releaseName" not in out  # unset fields are omitted
    # Python names work too, for code that builds specs.
    assert HelmReleaseSpec(chart=s.chart, max_history=3).max_history == 3


@pytest.mark.parametrize(
    "url",
    [
        "https://charts.example.com",
        "https://h:8443/a/b",
        "oci://ghcr.io/org/charts",
        "http://chartmuseum.charts.svc:8080",  # plain HTTP, as Helm and Flux accept
    ],
)
def test_accepted_repositories(url: str) -> None:
    assert spec(chart={**CHART, "repository": url}).chart.repository == url


@pytest.mark.parametrize(
    "url", ["ftp://charts.example.com", "charts.example.com", "oci://", "https://a b", "s3://b"]
)
def test_rejected_repositories_say_what_is_expected(url: str) -> None:
    message = error_of(chart={**CHART, "repository": url})
    assert "chart.repository" in message
    assert "must be an http(s):// chart repository or an oci:// registry URL" in message


@pytest.mark.parametrize("interval", ["5 minutes", "10", "m", "-5m", "1d", ""])
def test_bad_interval_is_rejected_with_an_example(interval: str) -> None:
    message = error_of(interval=interval)
    assert "interval" in message
    assert "a Go duration such as 30s, 5m or 1h30m" in message


def test_zero_interval_is_rejected() -> None:
    assert "must be longer than zero" in error_of(interval="0s")


def test_bad_enum_lists_the_allowed_values() -> None:
    message = error_of(storage={"driver": "etcd"})
    assert "storage.driver" in message
    assert "'secret', 'configmap', 'memory' or 'sql'" in message
    assert "'rollback' or 'uninstall'" in error_of(upgrade={"remediation": {"strategy": "x"}})
    assert "'Skip', 'Create' or 'CreateReplace'" in error_of(install={"crds": "Always"})
    assert "'background', 'foreground' or 'orphan'" in error_of(
        uninstall={"deletionPropagation": "now"}
    )
    assert "'disabled', 'warn' or 'enabled'" in error_of(driftDetection={"mode": "on"})


def test_typo_in_a_field_name_is_an_error_not_ignored() -> None:
    assert "maxHistroy" in error_of(maxHistroy=3)


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"maxHistory": -1}, "maxHistory"),
        ({"install": {"remediation": {"retries": -2}}}, "retries"),
        ({"releaseName": "x" * 54}, "releaseName"),
        ({"releaseName": "Bad_Name"}, "releaseName"),
        ({"targetNamespace": "UPPER"}, "targetNamespace"),
        ({"dependsOn": [{"name": ""}]}, "dependsOn"),
        ({"valuesFrom": [{"kind": "Pod", "name": "x"}]}, "valuesFrom"),
        ({"valuesFrom": [{"kind": "Secret", "name": "x", "targetPath": "a b"}]}, "targetPath"),
        ({"driftDetection": {"ignore": [{"paths": []}]}}, "paths"),
        ({"driftDetection": {"ignore": [{"paths": ["spec/replicas"]}]}}, "JSON pointer"),
        ({"chart": {"repository": CHART["repository"]}}, "chart.name"),
    ],
)
def test_other_constraints(fields: dict[str, Any], where: str) -> None:
    assert where in error_of(**fields)


def test_nulls_in_values_are_kept() -> None:
    # A null value is how a Helm user deletes a key from the chart's defaults.
    values = {"a": None, "b": {"c": None}, "l": [None, 1]}
    assert spec(values=values).to_k8s()["values"] == values


def test_plain_http_only_for_oci_registries() -> None:
    local = {"repository": "oci://127.0.0.1:5000/charts", "name": "app", "insecure": True}
    assert spec(chart=local).chart.insecure
    message = error_of(chart={**CHART, "insecure": True})
    assert "insecure (plain HTTP) is only for oci:// repositories" in message
    assert "write its http:// URL" in message
    plain = {**CHART, "repository": "http://charts.example.com"}
    assert "only for oci://" in error_of(chart={**plain, "insecure": True})


DIGEST = "sha256:" + "ab" * 32


def test_digest_pins_oci_charts_only() -> None:
    oci = {"repository": "oci://ghcr.io/org/charts", "name": "app"}
    assert spec(chart={**oci, "digest": DIGEST}).chart.digest == DIGEST
    assert spec(chart={**oci, "digest": DIGEST, "version": "1.2.3"}).chart.version == "1.2.3"
    assert "only supported for oci://" in error_of(chart={**CHART, "digest": DIGEST})
    assert "exact version" in error_of(chart={**oci, "digest": DIGEST, "version": "^1"})
    assert "sha256:<64 hex digits>" in error_of(chart={**oci, "digest": "sha256:abc"})


def test_values_files() -> None:
    files = ["values.yaml", "values-prod.yaml", "env/eu.yaml"]
    chart = spec(chart={**CHART, "valuesFiles": files}).chart
    assert chart.values_files == files and not chart.ignore_missing_values_files
    assert spec().chart.values_files == []
    for bad in ("/etc/passwd", "../x.yaml", "a/../../b.yaml"):
        assert "not a path inside the chart" in error_of(chart={**CHART, "valuesFiles": [bad]})


def test_drift_ignore_rules() -> None:
    rule = {"paths": ["/spec/replicas", "/metadata/annotations/a~1b"], "target": {"kind": "X"}}
    s = spec(driftDetection={"mode": "enabled", "ignore": [rule]})
    assert s.drift_detection.ignore[0].paths[1] == "/metadata/annotations/a~1b"
    assert s.drift_detection.ignore[0].target is not None
    assert s.drift_detection.ignore[0].target.kind == "X"


def test_storage_driver_values() -> None:
    assert [d.value for d in StorageDriver] == ["secret", "configmap", "memory", "sql"]


def test_models_are_immutable() -> None:
    s = spec()
    with pytest.raises(ValidationError):
        s.suspend = True


def test_effective_release_name() -> None:
    assert spec().effective_release_name("app") == "app"
    assert spec(targetNamespace="prod").effective_release_name("app") == "prod-app"
    assert spec(releaseName="mine", targetNamespace="prod").effective_release_name("a") == "mine"
    long = "n" * 30 + "-" + "x" * 30  # 61 characters
    short = spec().effective_release_name(long)
    assert len(short) == 53
    assert short.startswith(long[:40] + "-")
    assert short == spec().effective_release_name(long)  # stable
    assert short != spec().effective_release_name(long + "y")


def test_shortened_release_name_with_a_dot_at_the_cut_is_still_valid() -> None:
    from steersman.engine.ownership import validate_release_name

    long = "a" * 39 + "." + "b" * 20  # 60 characters, the '.' is the 40th
    short = spec().effective_release_name(long)
    assert short.startswith("a" * 39 + "-")
    assert len(short) == 52
    validate_release_name(short)  # Helm's own check: no exception


def test_flux_action_options_use_fluxs_names() -> None:
    s = spec(
        install={"timeout": "1m", "skipCRDs": True, "disableOpenAPIValidation": True},
        upgrade={"force": True, "preserveValues": True, "serverSideApply": "auto"},
        test={"filters": [{"name": "smoke", "exclude": True}]},
        rollback={"recreate": True, "serverSideApply": "disabled"},
        uninstall={"timeout": "30s", "disableWait": True},
    )
    out = s.to_k8s()
    assert out["install"]["skipCRDs"] and out["install"]["disableOpenAPIValidation"]
    assert out["upgrade"]["serverSideApply"] == "auto"
    assert out["test"]["filters"] == [{"name": "smoke", "exclude": True}]
    assert spec().install.timeout is None  # falls back to spec.timeout


def test_flux_action_option_errors_say_what_is_wrong() -> None:
    assert "'enabled', 'disabled' or 'auto'" in error_of(upgrade={"serverSideApply": "yes"})
    message = error_of(uninstall={"timeout": "soon"})
    assert "uninstall.timeout" in message and "a Go duration such as 30s" in message
    assert "must be longer than zero" in error_of(test={"timeout": "0s"})
    assert "test.filters.0.name" in error_of(test={"filters": [{"name": ""}]})
    assert "install.serverSideApply" in error_of(install={"serverSideApply": "auto"})


def test_storage_driver_and_record_encryption_are_each_optional() -> None:
    plain = spec()
    assert plain.storage_driver is None and plain.encrypt_records is None
    sealed = spec(storage={"encryptRecords": True})
    assert sealed.storage_driver is None and sealed.encrypt_records is True
    both = spec(storage={"driver": "sql", "encryptRecords": False})
    assert both.storage_driver is StorageDriver.SQL and both.encrypt_records is False
    assert both.model_dump(by_alias=True, exclude_none=True)["storage"] == {
        "driver": "sql",
        "encryptRecords": False,
    }
