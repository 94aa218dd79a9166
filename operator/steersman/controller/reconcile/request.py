"""What one reconcile knows before it acts: the HelmRelease and its generation, where its
release lives, and the inputs composed for it (chart, values, the engine acting for it).

Built once per reconcile, after the checks and before the first action; the actions read it
and never change it (what they observe and decide goes to the `outcomes.Recorder`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from steersman.api import HelmRelease, ServerSideApplyMode, parse_duration
from steersman.chart import Chart
from steersman.controller.access import owner_labels
from steersman.controller.options import Where
from steersman.controller.remote import Cluster
from steersman.engine import Engine
from steersman.storage import DriverKind, Storage


@dataclass(frozen=True)
class Target:
    """Where the release lives, as the spec says: its name, namespace and record namespace."""

    release_name: str
    release_ns: str
    storage_ns: str
    timeout: float  # seconds, spec.timeout

    @classmethod
    def of(cls, hr: HelmRelease) -> Target:
        spec = hr.spec
        return cls(
            release_name=spec.effective_release_name(hr.name),
            release_ns=spec.target_namespace or hr.namespace,
            storage_ns=spec.storage_namespace or hr.namespace,
            timeout=parse_duration(spec.timeout),
        )


@dataclass(frozen=True)
class Request:
    hr: HelmRelease
    generation: int
    target: Target
    kind: DriverKind  # the storage driver of the records
    chart: Chart
    values: dict[str, Any]
    engine: Engine  # acting as the HelmRelease's service account
    cluster: Cluster  # where the release lives (this cluster, or spec.kubeConfig's)
    inputs_changed: bool  # generation, chart or values differ from the last attempt, or reset
    force_token: str | None  # an unhandled force annotation's token
    default_service_account: str | None  # --default-service-account, for refusal messages
    default_server_side_apply: ServerSideApplyMode  # --default-server-side-apply

    @property
    def release_name(self) -> str:
        return self.target.release_name

    @property
    def release_ns(self) -> str:
        return self.target.release_ns

    @property
    def storage_ns(self) -> str:
        return self.target.storage_ns

    @property
    def timeout(self) -> float:
        return self.target.timeout

    def where(self) -> Where:
        """The release the actions work on, with the labels its records carry."""
        return Where(self.release_name, self.release_ns, self.storage_ns, owner_labels(self.hr))

    def storage(self) -> Storage:
        return self.engine.storage(self.storage_ns, self.hr.spec.max_history)
