"""reconciler.reconcile end to end in-process: checks, inputs (the chart from the bench's OCI
registry), the Request, the loop. An unexpected exception inside an action is shown as a generic
message naming its type only: no text of it, no traceback, in status, events or logs."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from hack.operatorkit import push_chart
from steersman.api import Reason
from steersman.chart import Chart
from steersman.controller.context import release_logger
from steersman.controller.reconcile.reconciler import reconcile
from steersman.engine.render import Rendered, RenderRequest
from tests.integration.reconcile.conftest import Harness, condition

pytestmark = pytest.mark.integration
SECRET = "postgres://admin:hunter2@db/steersman"


@pytest.fixture(scope="module")
def chart_repo(helm_v4: Path, helm_env: dict[str, str], oci_registry: str) -> str:
    return push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"])


async def _broken_renderer(
    chart: Chart, values: dict[str, Any], request: RenderRequest
) -> Rendered:
    raise RuntimeError(f"lost the connection to {SECRET}")


def _spec(repo: str) -> dict[str, Any]:
    chart = {"repository": repo, "name": "demo", "version": "0.1.0", "insecure": True}
    return {"chart": chart, "timeout": "20s", "interval": "3m"}


async def test_one_reconcile_installs_and_marks_ready(harness: Harness, chart_repo: str) -> None:
    await harness.create(_spec(chart_repo))
    log = release_logger(logging.getLogger("test.reconciler"), harness.namespace, "web")

    outcome = await reconcile(await harness.body(), harness.ctx, harness.emit, log)

    assert outcome.result == "ok"
    status = await harness.status()
    ready = condition(status, "Ready")
    assert ready is not None and ready["status"] == "True"
    assert status["storage"] == {"driver": "secret", "namespace": harness.namespace}
    assert status["lastAttemptedChartVersion"] == "0.1.0"
    assert harness.reasons() == [Reason.INSTALL_SUCCEEDED]


async def test_an_unexpected_error_is_shown_by_its_type_only(
    harness: Harness, chart_repo: str, caplog: pytest.LogCaptureFixture
) -> None:
    harness.ctx.renderer = _broken_renderer
    await harness.create(_spec(chart_repo))
    log = release_logger(logging.getLogger("test.reconciler"), harness.namespace, "web")

    with caplog.at_level(logging.DEBUG):
        outcome = await reconcile(await harness.body(), harness.ctx, harness.emit, log)

    assert outcome.result == "failed"
    status = await harness.status()
    ready = condition(status, "Ready")
    assert ready is not None and ready["reason"] == Reason.RECONCILE_ERROR
    assert ready["message"] == "internal error (RuntimeError)"
    assert status["failures"] == 1
    assert harness.events[-1] == ("Warning", Reason.RECONCILE_ERROR, ready["message"])
    assert "hunter2" not in str(status) + str(harness.events) + caplog.text
    assert not [r for r in caplog.records if r.exc_info]  # no traceback logged
    assert "reconcile failed unexpectedly: internal error (RuntimeError)" in caplog.text
