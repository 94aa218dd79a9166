"""In-process reconcile tests (as Flux's envtest suites): each drives one action, or one loop,
against the real bench apiserver with the HelmRelease CRD installed; no operator subprocess.

`Harness` holds what a reconcile of one HelmRelease needs: a Context on the bench, the
HelmRelease created in the test's namespace, the Events posted (collected in a list) and the
sample chart loaded from disk.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kubernetes_asyncio import client

from hack.operatorkit import SAMPLE_CHART, helmrelease, install_crd
from steersman.api import API_VERSION, KIND, HelmRelease
from steersman.chart import load
from steersman.controller.charts import Charts
from steersman.controller.context import Backends, Context, release_logger
from steersman.controller.metrics import Metrics
from steersman.controller.reconcile import install
from steersman.controller.reconcile.outcomes import Recorder
from steersman.controller.reconcile.request import Request, Target
from steersman.controller.remote import Cluster
from steersman.controller.settings import Settings
from steersman.kube import KubeClient
from steersman.storage import DriverKind, Release

NAME = "web"


@pytest.fixture(scope="session")
async def crd(kube: KubeClient) -> None:
    await install_crd(kube)


@dataclass
class Harness:
    ctx: Context
    namespace: str
    events: list[tuple[str, str, str]] = field(default_factory=list)

    def emit(self, type: str, reason: str, message: str) -> None:
        self.events.append((type, reason, message))

    def reasons(self) -> list[str]:
        return [reason for _, reason, _ in self.events]

    async def create(self, spec: dict[str, Any]) -> dict[str, Any]:
        """The HelmRelease `web` with the sample chart's spec plus `spec` (camelCase)."""
        body = {"chart": {"repository": "oci://unused/charts", "name": "demo"}, **spec}
        await self.ctx.kube.create(helmrelease(NAME, body), namespace=self.namespace)
        return await self.body()

    async def body(self) -> dict[str, Any]:
        return await self.ctx.kube.get(API_VERSION, KIND, NAME, self.namespace)

    async def status(self) -> dict[str, Any]:
        return dict((await self.body()).get("status") or {})

    async def step(
        self,
        values: dict[str, Any] | None = None,
        *,
        inputs_changed: bool = True,
        kind: DriverKind | None = None,
    ) -> tuple[Request, Recorder]:
        """A Request and Recorder for one reconcile of the HelmRelease as it is now, with
        the sample chart and `values`; the recorder has observed the stored history."""
        body = await self.body()
        hr = HelmRelease.from_k8s(body)
        generation = int(body["metadata"]["generation"])
        log = release_logger(logging.getLogger("test.reconcile"), self.namespace, NAME)
        rec = Recorder(hr, generation, self.ctx, self.emit, log, dict(body.get("status") or {}))
        kind = kind or self.ctx.settings.helm_storage_driver
        req = Request(
            hr=hr,
            generation=generation,
            target=Target.of(hr),
            kind=kind,
            chart=load(SAMPLE_CHART),
            values=dict(values or {}),
            engine=self.ctx.engine(kind, hr.namespace, None),
            cluster=Cluster(self.ctx.kube, self.ctx.backends),
            inputs_changed=inputs_changed,
            force_token=None,
            default_service_account=None,
            default_server_side_apply=self.ctx.settings.default_server_side_apply,
        )
        rec.seen(await req.storage().history(req.release_name))
        return req, rec

    async def history(self, req: Request) -> list[Release]:
        return await req.storage().history(req.release_name)


@pytest.fixture
async def harness(
    kube: KubeClient, kube_api: client.ApiClient, namespace: str, crd: None, tmp_path: Path
) -> AsyncIterator[Harness]:
    metrics = Metrics()
    backends = Backends(kube_api, metrics)
    charts = Charts(tmp_path / "charts")
    ctx = Context(kube, Settings(), backends, charts, metrics)
    try:
        yield Harness(ctx, namespace)
    finally:
        await charts.close()


# The sample chart's Deployment never becomes available on the bench (no controller-manager):
# with wait and a short timeout, the action fails after writing its record.
FAILING = {"deployment": {"enabled": True}}


async def installed(h: Harness, values: dict[str, Any] | None = None) -> None:
    """Revision 1 deployed, through the install action."""
    req, rec = await h.step(values)
    assert await install.run(req, rec) is None
    assert states(await h.history(req)) == [(1, "deployed")]


def states(history: list[Release]) -> list[tuple[int, str]]:
    return [(r.version, str(r.info.status)) for r in history]


def condition(status: dict[str, Any], type: str) -> dict[str, Any] | None:
    for c in status.get("conditions") or []:
        if c["type"] == type:
            return dict(c)
    return None


def counted(ctx: Context, action: str, result: str) -> float:
    value = ctx.metrics.registry.get_sample_value(
        "steersman_actions_total", {"action": action, "result": result}
    )
    return value or 0.0
