"""`steersman run` flags: one pydantic model, filled from command-line flags, then environment
variables, then defaults. Invalid values fail before anything starts (exit code 2).

Each flag has an environment variable `STEERSMAN_<FLAG>` (upper case, `-` as `_`); the storage
driver also falls back to Helm's own `HELM_DRIVER`.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from steersman.controller.flags import FLAGS, add_run_arguments
from steersman.storage.errors import StorageConfigError
from steersman.storage.selection import DriverKind, normalize_driver_name


class LogFormat(StrEnum):
    JSON = "json"
    TEXT = "text"


class SettingsError(ValueError):
    """A flag or environment variable has an invalid value; the message says which and why."""


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    helm_storage_driver: DriverKind = DriverKind.SECRET
    allowed_storage_drivers: frozenset[DriverKind] = frozenset()
    sql_connection_string_file: str | None = None
    namespaces: tuple[str, ...] = ()  # empty: all namespaces
    watch_label_selector: str | None = None
    concurrent: int = Field(default=4, ge=1, le=256)
    default_service_account: str | None = None
    no_cross_namespace_refs: bool = False
    allow_cross_namespace_releases: bool = False
    metrics_addr: str = ":8080"
    health_addr: str = ":9440"
    log_level: str = "info"
    log_format: LogFormat = LogFormat.JSON
    kubeconfig: str | None = None
    requeue_dependency_seconds: float = Field(default=30.0, gt=0)

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

    @property
    def all_namespaces(self) -> bool:
        return not self.namespaces


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
    except (StorageConfigError, ValidationError) as err:
        raise SettingsError(_describe(err)) from None


def _build(raw: dict[str, Any], env: Mapping[str, str]) -> Settings:
    driver = raw.pop("helm_storage_driver", None) or env.get("HELM_DRIVER", "")
    values: dict[str, Any] = {"helm_storage_driver": normalize_driver_name(driver)}
    allowed = raw.pop("allowed_storage_drivers", None)
    if allowed:
        names = _split(allowed)
        values["allowed_storage_drivers"] = (
            frozenset(DriverKind)
            if names == ["*"]
            else frozenset(normalize_driver_name(n) for n in names)
        )
    namespaces = raw.pop("namespace", None)
    everywhere = _truthy(raw.pop("all_namespaces", None))
    if namespaces and not everywhere:
        items = namespaces if isinstance(namespaces, list) else _split(namespaces)
        values["namespaces"] = tuple(dict.fromkeys(items))
    for switch in ("no_cross_namespace_refs", "allow_cross_namespace_releases"):
        if switch in raw:
            values[switch] = _truthy(raw.pop(switch))
    values.update(raw)
    return Settings(**values)


def _truthy(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return bool(value)
    return str(value).strip().lower() in {"1", "true", "yes", "on"}


def _describe(err: StorageConfigError | ValidationError) -> str:
    if isinstance(err, StorageConfigError):
        return f"--helm-storage-driver: {err}"
    parts = []
    for item in err.errors():
        flag = "--" + str(item["loc"][0]).replace("_", "-") if item["loc"] else "settings"
        parts.append(f"{flag}: {item['msg']}")
    return "; ".join(parts)


def parse(argv: Sequence[str], environ: Mapping[str, str] | None = None) -> Settings:
    """Parse `run` flags alone (used by tests and by cli.py)."""
    parser = argparse.ArgumentParser(prog="steersman run")
    add_run_arguments(parser)
    return from_args(parser.parse_args(list(argv)), environ)
