"""`steersman run` flags, env fallbacks and validation."""

from __future__ import annotations

from pathlib import Path

import pytest

from steersman.controller.settings import LogFormat, SettingsError, parse
from steersman.storage.selection import DriverKind


def test_defaults() -> None:
    s = parse([], {})
    assert s.helm_storage_driver is DriverKind.SECRET
    assert s.allowed_storage_drivers == frozenset()
    assert s.all_namespaces and s.concurrent == 4
    assert (s.metrics_addr, s.health_addr, s.log_format) == (":8080", ":9440", LogFormat.JSON)


@pytest.mark.parametrize(
    ("argv", "env", "driver"),
    [
        (["--helm-storage-driver", "SQL"], {"HELM_DRIVER": "configmap"}, DriverKind.SQL),
        ([], {"HELM_DRIVER": "ConfigMaps"}, DriverKind.CONFIGMAP),
        ([], {"STEERSMAN_HELM_STORAGE_DRIVER": "memory", "HELM_DRIVER": "sql"}, DriverKind.MEMORY),
        (["--helm-storage-driver", "secrets"], {}, DriverKind.SECRET),
    ],
)
def test_driver_source_order(argv: list[str], env: dict[str, str], driver: DriverKind) -> None:
    assert parse(argv, env).helm_storage_driver is driver


def test_invalid_driver_names_the_flag_and_valid_names() -> None:
    with pytest.raises(SettingsError) as err:
        parse(["--helm-storage-driver", "etcd"], {})
    assert "--helm-storage-driver" in str(err.value)
    assert "secret" in str(err.value) and "sql" in str(err.value)


def test_allowed_drivers() -> None:
    s = parse(["--allowed-storage-drivers", "sql, configmaps"], {})
    assert s.allowed_storage_drivers == {DriverKind.SQL, DriverKind.CONFIGMAP}
    assert s.storage_driver_allowed(DriverKind.SECRET)  # the default is always allowed
    assert s.storage_driver_allowed(DriverKind.SQL)
    assert not s.storage_driver_allowed(DriverKind.MEMORY)
    assert parse(["--allowed-storage-drivers", "*"], {}).allowed_storage_drivers == set(DriverKind)


def test_namespaces_and_flags_from_env() -> None:
    s = parse(["--namespace", "a", "--namespace", "b", "--namespace", "a"], {})
    assert s.namespaces == ("a", "b") and not s.all_namespaces
    s = parse(
        [],
        {
            "STEERSMAN_NAMESPACE": "x,y",
            "STEERSMAN_CONCURRENT": "8",
            "STEERSMAN_NO_CROSS_NAMESPACE_REFS": "true",
        },
    )
    assert s.namespaces == ("x", "y") and s.concurrent == 8 and s.no_cross_namespace_refs
    assert parse(["--namespace", "a", "--all-namespaces"], {}).all_namespaces


@pytest.mark.parametrize(
    ("argv", "flag"),
    [
        (["--concurrent", "0"], "--concurrent"),
        (["--concurrent", "many"], "--concurrent"),
        (["--log-format", "xml"], "--log-format"),
        (["--log-level", "loud"], "--log-level"),
        (["--metrics-addr", "localhost"], "--metrics-addr"),
    ],
)
def test_invalid_values_name_their_flag(argv: list[str], flag: str) -> None:
    with pytest.raises(SettingsError, match=flag):
        parse(argv, {})


def test_cross_namespace_releases_are_off_unless_the_admin_allows_them() -> None:
    assert not parse([]).allow_cross_namespace_releases
    assert parse(["--allow-cross-namespace-releases"]).allow_cross_namespace_releases
    env = {"STEERSMAN_ALLOW_CROSS_NAMESPACE_RELEASES": "true"}
    assert parse([], env).allow_cross_namespace_releases


def test_insecure_kubeconfigs_are_refused_unless_the_admin_allows_them() -> None:
    s = parse([], {})
    assert not s.insecure_kubeconfig_exec and not s.insecure_kubeconfig_tls
    s = parse(["--insecure-kubeconfig-exec", "--insecure-kubeconfig-tls"], {})
    assert s.insecure_kubeconfig_exec and s.insecure_kubeconfig_tls
    env = {"STEERSMAN_INSECURE_KUBECONFIG_TLS": "yes"}
    assert parse([], env).insecure_kubeconfig_tls and not parse([], env).insecure_kubeconfig_exec
    with pytest.raises(SettingsError, match="--insecure-kubeconfig-exec"):
        parse([], {"STEERSMAN_INSECURE_KUBECONFIG_EXEC": "maybe"})


def test_chart_source_flags() -> None:
    s = parse([], {})
    assert (s.http_retry, s.helm_index_cache_ttl) == (9, 300.0)  # Flux's --http-retry default
    s = parse(["--http-retry", "0", "--helm-index-cache-ttl", "30s"], {})
    assert (s.http_retry, s.helm_index_cache_ttl) == (0, 30.0)
    env = {"STEERSMAN_HTTP_RETRY": "3", "STEERSMAN_HELM_INDEX_CACHE_TTL": "15m"}
    assert (parse([], env).http_retry, parse([], env).helm_index_cache_ttl) == (3, 900.0)
    with pytest.raises(SettingsError, match="--http-retry"):
        parse(["--http-retry", "-1"], {})
    with pytest.raises(SettingsError, match="--helm-index-cache-ttl"):
        parse(["--helm-index-cache-ttl", "0s"], {})


def test_default_server_side_apply() -> None:
    assert parse([], {}).default_server_side_apply == "enabled"
    assert parse(["--default-server-side-apply", "auto"], {}).default_server_side_apply == "auto"
    env = {"STEERSMAN_DEFAULT_SERVER_SIDE_APPLY": "disabled"}
    assert parse([], env).default_server_side_apply == "disabled"
    with pytest.raises(SettingsError, match="--default-server-side-apply") as err:
        parse(["--default-server-side-apply", "client"], {})
    assert "\n" not in str(err.value)


def test_record_encryption_flags(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("k1:" + "A" * 44 + "\n")
    s = parse([], {})
    assert not s.encrypt_release_records and s.release_record_keys is None
    s = parse(["--encrypt-release-records", "--release-record-keys", str(keys)], {})
    assert s.encrypt_release_records and s.release_record_keys == str(keys)
    s = parse([], {"STEERSMAN_ENCRYPT_RELEASE_RECORDS": "true",
                   "STEERSMAN_RELEASE_RECORD_KEYS_SECRET": "ops/record-keys"})  # fmt: skip
    assert s.encrypt_release_records and s.release_record_keys_secret == "ops/record-keys"
    refused = {
        ("--encrypt-release-records",): "--encrypt-release-records needs --release-record-keys",
        ("--release-record-keys", str(tmp_path / "absent")): "--release-record-keys: ",
        ("--release-record-keys-secret", "no-slash"): "is not NAMESPACE/NAME",
        ("--release-record-keys", str(keys), "--release-record-keys-secret", "a/b"): "exclude",
    }
    for argv, message in refused.items():
        with pytest.raises(SettingsError, match=message):
            parse(list(argv), {})


def test_per_release_record_encryption_needs_the_admin(tmp_path: Path) -> None:
    keys = tmp_path / "keys"
    keys.write_text("k1:" + "A" * 44 + "\n")
    strict = parse([], {})
    assert strict.record_encryption_refused(None) is None
    assert strict.record_encryption_refused(False) is None  # the operator's own setting
    refused = strict.record_encryption_refused(True)
    assert refused is not None and "--allow-release-record-encryption-override" in refused
    open_no_keys = parse(["--allow-release-record-encryption-override"], {})
    refused = open_no_keys.record_encryption_refused(True)
    assert refused is not None and "needs release record keys" in refused
    assert open_no_keys.record_encryption_refused(False) is None
    sealing = parse(["--encrypt-release-records", "--release-record-keys", str(keys)], {})
    refused = sealing.record_encryption_refused(False)
    assert refused is not None and "encryptRecords: false differs" in refused
    allowed = parse(
        ["--allow-release-record-encryption-override", "--release-record-keys", str(keys)], {}
    )
    assert allowed.record_encryption_refused(True) is None
