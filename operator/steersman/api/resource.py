"""The whole HelmRelease object as the apiserver (and kopf) hand it over."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import ConfigDict, Field

from steersman.api.base import ApiModel
from steersman.api.names import API_VERSION, KIND
from steersman.api.spec import HelmReleaseSpec
from steersman.api.status import HelmReleaseStatus


class HelmRelease(ApiModel):
    """apiVersion/kind/metadata/spec/status; metadata stays a plain dict (the apiserver owns it)."""

    model_config = ConfigDict(extra="ignore")

    api_version: Literal["helm.steersman.dev/v1alpha1"] = API_VERSION
    kind: Literal["HelmRelease"] = KIND
    metadata: dict[str, Any] = Field(default_factory=dict)
    spec: HelmReleaseSpec
    status: HelmReleaseStatus = Field(default_factory=HelmReleaseStatus)

    @classmethod
    def from_k8s(cls, body: Mapping[str, Any]) -> HelmRelease:
        """Parse an object body; a missing or empty status reads as the default status."""
        data = dict(body)
        if not data.get("status"):
            data.pop("status", None)
        return cls.model_validate(data)

    @property
    def name(self) -> str:
        return str(self.metadata.get("name", ""))

    @property
    def namespace(self) -> str:
        return str(self.metadata.get("namespace", ""))

    @property
    def generation(self) -> int:
        return int(self.metadata.get("generation", 0))

    @property
    def annotations(self) -> dict[str, str]:
        return dict(self.metadata.get("annotations") or {})
