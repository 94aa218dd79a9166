"""`HelmRelease.status`: what the operator observed and did, written only by the operator.

Unknown fields are ignored when reading (an older operator reading a newer status must not
fail); the CRD prunes anything not declared here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import ConfigDict, Field

from steersman.api.base import ApiModel
from steersman.api.conditions import Condition, ConditionType, get_condition, is_ready
from steersman.api.spec import StorageDriver


class StatusModel(ApiModel):
    model_config = ConfigDict(extra="ignore")


class ReleaseAction(StrEnum):
    INSTALL = "install"
    UPGRADE = "upgrade"


class TestHookStatus(StatusModel):
    """One run of a chart test hook."""

    __test__ = False  # not a pytest test class, despite the name

    last_started: datetime | None = None
    last_completed: datetime | None = None
    phase: str | None = None


class Snapshot(StatusModel):
    """A digest of one Helm release revision (as stored by the storage driver)."""

    name: str
    namespace: str
    version: int = Field(ge=1, description="Helm release revision.")
    status: str = Field(description="Helm release status, e.g. deployed, failed, superseded.")
    chart_name: str
    chart_version: str
    app_version: str | None = None
    config_digest: str = Field(description="sha256 digest of the release's values.")
    first_deployed: datetime | None = None
    last_deployed: datetime | None = None
    deleted: datetime | None = None
    test_hooks: dict[str, TestHookStatus] | None = Field(
        default=None, description="Test hooks of this revision by name, when tests ran."
    )


class StorageStatus(StatusModel):
    """The storage actually in use for this release's records."""

    driver: StorageDriver
    namespace: str


class HelmReleaseStatus(StatusModel):
    """Observed state of a HelmRelease."""

    observed_generation: int | None = Field(
        default=None, description="Last spec generation fully reconciled."
    )
    conditions: list[Condition] = Field(
        default_factory=list,
        json_schema_extra={"x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": ["type"]},
    )
    history: list[Snapshot] = Field(
        default_factory=list,
        description="Recent releases, newest first, back to the last successful one.",
    )
    last_attempted_generation: int | None = None
    last_attempted_chart_version: str | None = Field(
        default=None, description="Chart version of the last install/upgrade attempt."
    )
    last_attempted_values_digest: str | None = Field(
        default=None, description="sha256 digest of the composed values of the last attempt."
    )
    last_attempted_config_digest: str | None = Field(
        default=None,
        description="sha256 digest of chart reference, version and values of the last attempt.",
    )
    last_attempted_release_action: ReleaseAction | None = None
    failures: int = Field(default=0, ge=0, description="Failed reconciles since the last reset.")
    install_failures: int = Field(default=0, ge=0)
    upgrade_failures: int = Field(default=0, ge=0)
    storage: StorageStatus | None = None
    last_handled_reconcile_at: str | None = None
    last_handled_force_at: str | None = None
    last_handled_reset_at: str | None = None

    @property
    def latest(self) -> Snapshot | None:
        """The newest release in history."""
        return self.history[0] if self.history else None

    def is_ready(self, generation: int | None = None) -> bool:
        return is_ready(self.conditions, generation)

    def condition(self, type: ConditionType | str) -> Condition | None:
        return get_condition(self.conditions, type)
