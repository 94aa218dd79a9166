"""`spec.test.enable`: the chart's test hooks run after install; success makes Ready say so,
a failure counts against the remediation retries. The bench has no kubelet, so the test
plays it by setting the test Pod's phase."""

from __future__ import annotations

import pytest

from hack.operatorkit import wait_until
from steersman.kube import KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, event_reasons, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def finish_test_pod(kube: KubeClient, ns: str, name: str, phase: str) -> None:
    async def created() -> bool:
        return await kube.get_or_none("v1", "Pod", name, ns) is not None

    await wait_until(created, 30, f"test Pod {name}")
    await kube.patch_status("v1", "Pod", name, ns, {"phase": phase})


async def test_tests_run_after_install_and_their_result_is_reported(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "good", spec(chart_repo, test={"enable": True}))
    await create(e2e_kube, namespace, "bad", spec(chart_repo, test={"enable": True}))
    await finish_test_pod(e2e_kube, namespace, "good-check", "Succeeded")
    await finish_test_pod(e2e_kube, namespace, "bad-check", "Failed")

    hr = await wait_condition(e2e_kube, namespace, "good", reason="TestSucceeded")
    tested = condition(hr, "TestSuccess")
    assert tested is not None and tested["status"] == "True"
    assert hr["status"]["history"][0]["testHooks"]["good-check"]["phase"] == "Succeeded"
    assert "TestSucceeded" in await event_reasons(e2e_kube, namespace, "good")

    hr = await wait_condition(e2e_kube, namespace, "bad", "Stalled", "True", "RetriesExceeded")
    tested = condition(hr, "TestSuccess")
    assert tested is not None and (tested["status"], tested["reason"]) == ("False", "TestFailed")
    assert hr["status"]["installFailures"] == 1
    assert hr["status"]["history"][0]["testHooks"]["bad-check"]["phase"] == "Failed"
    assert "TestFailed" in await event_reasons(e2e_kube, namespace, "bad")
