"""`steersman run` flags: one pydantic model, filled from command-line flags, then environment
variables, then defaults. Invalid values fail before anything starts (exit code 2), with one
message naming each wrong flag.

Each flag has an environment variable `STEERSMAN_<FLAG>` (upper case, `-` as `_`); the storage
driver also falls back to Helm's own `HELM_DRIVER`. Durations are Go durations (`35s`, `1m`) or
plain seconds.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from steersman.api import ServerSideApplyMode, annotation_names, parse_duration
from steersman.controller.flags import FLAGS, add_run_arguments
from steersman.errors import SteersmanError
from steersman.labels import parse as parse_label_selector
from steersman.storage import DriverKind, StorageConfigError, normalize_driver_name

# RFC 1123 label (namespaces) and subdomain (service accounts, lease names).
_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?")


class LogFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


class SettingsError(SteersmanError, ValueError):
    """A flag or environment variable has an invalid value; the message says which and why."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    helm_storage_driver: DriverKind = DriverKind.SECRET
    allowed_storage_drivers: frozenset[DriverKind] = frozenset()
    sql_connection_string_file: str | None = None
    encrypt_release_records: bool = False
    release_record_keys: str | None = None
    release_record_keys_secret: str | None = None
    allow_release_record_encryption_override: bool = False
    namespaces: tuple[str, ...] = ()  # empty: all namespaces
    watch_label_selector: str | None = None
    # Labelled ConfigMaps/Secrets whose changes reconcile their HelmReleases (config_watch);
    # each selector is watched on its own (a selector cannot say "this label or that one").
    watch_configs_label_selectors: tuple[str, ...] = (
        f"{annotation_names.FLUX_WATCH}=Enabled",
        f"{annotation_names.WATCH}=Enabled",
    )
    concurrent: int = Field(default=4, ge=1, le=256)
    default_service_account: str | None = None
    no_cross_namespace_refs: bool = False
    allow_cross_namespace_releases: bool = False
    # Flux's flags for kubeconfigs of remote clusters (spec.kubeConfig): off, they are refused
    insecure_kubeconfig_exec: bool = False
    insecure_kubeconfig_tls: bool = False
    metrics_addr: str = ":8080"
    health_addr: str = ":9440"
    log_level: str = "info"
    log_format: LogFormat = LogFormat.JSON
    kubeconfig: str | None = None
    requeue_dependency_seconds: float = Field(default=30.0, gt=0)
    leader_elect: bool = False
    leader_election_lease_duration: float = Field(default=35.0, gt=0)
    leader_election_renew_deadline: float = Field(default=30.0, gt=0)
    leader_election_retry_period: float = Field(default=5.0, gt=0)
    leader_election_namespace: str | None = None  # None: the pod's own namespace
    leader_election_id: str = "steersman-leader-election"
    graceful_shutdown_timeout: float = Field(default=600.0, ge=0)
    http_retry: int = Field(default=9, ge=0, le=100)
    helm_index_cache_ttl: float = Field(default=300.0, gt=0)
    # install/upgrade/rollback `serverSideApply` when the HelmRelease leaves it unset
    default_server_side_apply: ServerSideApplyMode = ServerSideApplyMode.ENABLED

    @field_validator(
        "leader_election_lease_duration",
        "leader_election_renew_deadline",
        "leader_election_retry_period",
        "graceful_shutdown_timeout",
        "helm_index_cache_ttl",
        mode="before",
    )
    @classmethod
    def _duration(cls, value: Any) -> Any:
        if isinstance(value, str) and not _is_number(value):
            return parse_duration(value.strip())
        return value

    @field_validator("namespaces")
    @classmethod
    def _namespaces(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for ns in value:
            if not _LABEL.fullmatch(ns):
                raise ValueError(f"{ns!r} is not a valid namespace name")
        return value

    @field_validator("watch_label_selector")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        if value:
            parse_label_selector(value)  # LabelSelectorError (a ValueError) says what is wrong
        return value or None

    @field_validator("watch_configs_label_selectors")
    @classmethod
    def _config_selectors(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for selector in value:
            parse_label_selector(selector)  # LabelSelectorError (a ValueError) says what is wrong
        return value

    @field_validator("leader_election_namespace")
    @classmethod
    def _lease_namespace(cls, value: str | None) -> str | None:
        if value is not None and not _LABEL.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid namespace name")
        return value

    @field_validator("default_service_account", "leader_election_id")
    @classmethod
    def _object_name(cls, value: str | None) -> str | None:
        if value is not None and not _SUBDOMAIN.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid object name (lower case, digits, - and .)")
        return value

    @field_validator("release_record_keys_secret")
    @classmethod
    def _secret_ref(cls, value: str | None) -> str | None:
        if value is not None:
            namespace, sep, name = value.partition("/")
            if not sep or not _LABEL.fullmatch(namespace) or not _SUBDOMAIN.fullmatch(name):
                raise ValueError(f"{value!r} is not NAMESPACE/NAME")
        return value

    @model_validator(mode="after")
    def _record_keys(self) -> Settings:
        if self.release_record_keys and self.release_record_keys_secret:
            raise ValueError(
                "--release-record-keys and --release-record-keys-secret exclude each other"
            )
        if self.encrypt_release_records and not (
            self.release_record_keys or self.release_record_keys_secret
        ):
            raise ValueError(
                "--encrypt-release-records needs --release-record-keys or "
                "--release-record-keys-secret"
            )
        return self

    @field_validator("kubeconfig", "sql_connection_string_file", "release_record_keys")
    @classmethod
    def _readable_file(cls, value: str | None) -> str | None:
        if value is not None and not os.path.isfile(value):
            raise ValueError(f"{value!r} is not a file")
        return value

    @model_validator(mode="after")
    def _lease_timing(self) -> Settings:
        # What client-go's leader election insists on: a leader gives up (renew deadline)
        # before a standby may take over (lease duration), and retries within that deadline.
        if self.leader_election_renew_deadline >= self.leader_election_lease_duration:
            raise ValueError(
                "--leader-election-renew-deadline must be shorter than "
                "--leader-election-lease-duration"
            )
        if self.leader_election_retry_period >= self.leader_election_renew_deadline:
            raise ValueError(
                "--leader-election-retry-period must be shorter than "
                "--leader-election-renew-deadline"
            )
        return self

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.lower()
        if value not in {"debug", "info", "warning", "error"}:
            raise ValueError("must be one of debug, info, warning, error")
        return value

    @field_validator("metrics_addr", "health_addr")
    @classmethod
    def _addr(cls, value: str) -> str:
        if value in ("", "0"):
            return value  # disabled
        _host, sep, port = value.rpartition(":")
        if not sep or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError(f"{value!r} is not HOST:PORT or :PORT (use 0 to disable)")
        return value

    def storage_driver_allowed(self, driver: DriverKind) -> bool:
        """A HelmRelease may use the admin's default driver, or one the admin allowed."""
        return driver == self.helm_storage_driver or driver in self.allowed_storage_drivers

    def record_encryption_refused(self, wanted: bool | None) -> str | None:
        """Why a HelmRelease's `spec.storage.encryptRecords` cannot be honoured, or None."""
        if wanted is None or wanted == self.encrypt_release_records:
            return None
        if not self.allow_release_record_encryption_override:
            return (
                f"spec.storage.encryptRecords: {str(wanted).lower()} differs from the operator's "
                "setting and is not allowed (see --allow-release-record-encryption-override)"
            )
        if wanted and not (self.release_record_keys or self.release_record_keys_secret):
            return (
                "spec.storage.encryptRecords: true needs release record keys in the operator "
                "(--release-record-keys or --release-record-keys-secret)"
            )
        return None

    @property
    def all_namespaces(self) -> bool:
        return not self.namespaces


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _env_name(flag: str) -> str:
    return "STEERSMAN_" + flag.lstrip("-").upper().replace("-", "_")


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


def from_args(args: argparse.Namespace, environ: Mapping[str, str] | None = None) -> Settings:
    """Flags win over STEERSMAN_* variables, which win over defaults."""
    env = os.environ if environ is None else environ
    raw: dict[str, Any] = {}
    for flag, _ in FLAGS:
        attr = flag.lstrip("-").replace("-", "_")
        value = getattr(args, attr, None)
        if value is None:
            value = env.get(_env_name(flag))
        if value is not None:
            raw[attr] = value
    try:
        return _build(raw, env)
    except _FlagError as err:
        raise SettingsError(str(err)) from None
    except ValidationError as err:
        raise SettingsError(_describe(err)) from None


def _build(raw: dict[str, Any], env: Mapping[str, str]) -> Settings:
    driver = raw.pop("helm_storage_driver", None) or env.get("HELM_DRIVER", "")
    values: dict[str, Any] = {
        "helm_storage_driver": _driver("--helm-storage-driver", normalize_driver_name, driver)
    }
    allowed = raw.pop("allowed_storage_drivers", None)
    if allowed:
        names = _split(allowed)
        values["allowed_storage_drivers"] = (
            frozenset(DriverKind)
            if names == ["*"]
            else frozenset(
                _driver("--allowed-storage-drivers", normalize_driver_name, n) for n in names
            )
        )
    namespaces = raw.pop("namespace", None)
    everywhere = _truthy("--all-namespaces", raw.pop("all_namespaces", None))
    if namespaces and not everywhere:
        items = namespaces if isinstance(namespaces, list) else _split(namespaces)
        values["namespaces"] = tuple(dict.fromkeys(items))
    selectors = raw.pop("watch_configs_label_selector", None)
    if selectors is not None:
        items = selectors if isinstance(selectors, list) else [selectors]
        # Each flag is one selector (commas inside it mean "and"); an empty one turns it off.
        values["watch_configs_label_selectors"] = tuple(i.strip() for i in items if i.strip())
    for switch in (
        "no_cross_namespace_refs",
        "leader_elect",
        "allow_cross_namespace_releases",
        "encrypt_release_records",
        "allow_release_record_encryption_override",
        "insecure_kubeconfig_exec",
        "insecure_kubeconfig_tls",
    ):
        if switch in raw:
            values[switch] = _truthy("--" + switch.replace("_", "-"), raw.pop(switch))
    values.update(raw)
    return Settings(**values)


class _FlagError(ValueError):
    def __init__(self, flag: str, err: Exception) -> None:
        super().__init__(f"{flag}: {err}")


def _driver(flag: str, normalize: Any, name: str) -> DriverKind:
    try:
        return normalize(name)  # type: ignore[no-any-return]
    except StorageConfigError as err:
        raise _FlagError(flag, err) from None


_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


def _truthy(flag: str, value: Any) -> bool:
    """A switch (the flag itself gives True; its variable a word)."""
    if isinstance(value, bool) or value is None:
        return bool(value)
    word = str(value).strip().lower()
    if word not in _TRUE | _FALSE:
        raise _FlagError(flag, ValueError(f"{value!r} is not true or false"))
    return word in _TRUE


# Settings fields whose flag is spelled otherwise (one flag, repeated, fills a tuple).
_FIELD_FLAGS = {
    "namespaces": "--namespace",
    "watch_configs_label_selectors": "--watch-configs-label-selector",
}


def _describe(err: ValidationError) -> str:
    parts = []
    for item in err.errors():
        msg = str(item["msg"]).removeprefix("Value error, ")
        if not item["loc"]:  # a check across flags: its message names them
            parts.append(msg)
            continue
        field = str(item["loc"][0])
        flag = _FIELD_FLAGS.get(field) or "--" + field.replace("_", "-")
        if item["type"] != "value_error":  # pydantic's own wording does not quote the value
            msg = f"{msg}, got {item.get('input')!r}"
        parts.append(f"{flag}: {msg}")
    return "; ".join(parts)


def parse(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Settings:
    """Parse `run` flags alone (used by tests and by cli.py)."""
    parser = argparse.ArgumentParser(prog="steersman run")
    add_run_arguments(parser)
    return from_args(parser.parse_args(list(argv)), environ)
