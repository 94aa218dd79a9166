"""Hooks on the real apiserver: order, delete policies, phases on the record, failures,
timeouts, and `test` hooks. The tests play the Job controller and kubelet."""

from __future__ import annotations

import asyncio

import pytest

from steersman.engine.actions import (
    ActionFailed,
    HookFailed,
    InstallOptions,
    TestOptions,
    UninstallOptions,
    UpgradeOptions,
    install,
    run_tests,
    uninstall,
    upgrade,
)
from steersman.engine.context import Engine
from steersman.engine.ownership import MANAGED_BY_LABEL
from steersman.kube import KubeClient
from steersman.storage import Status
from tests.integration.engine.support import chart, finish_job, finish_pod

pytestmark = pytest.mark.integration


def phases(rel_hooks: list, event: str) -> dict[str, str]:  # type: ignore[type-arg]
    return {h.name: h.last_run.phase for h in rel_hooks if event in h.events}


async def test_hooks_run_in_order_and_honour_delete_policies(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    job = asyncio.create_task(finish_job(kube, namespace, "hooked-migrate"))
    rel = await install(
        secret_engine, chart("hooked"), {}, InstallOptions(namespace=namespace, name="h")
    )
    await job
    assert rel.info.status == Status.DEPLOYED
    ran = sorted(
        (h for h in rel.hooks if h.last_run.started_at is not None),
        key=lambda h: h.last_run.started_at.unix_nano(),  # type: ignore[union-attr]
    )
    # weight first (-5 < 0 < 5), then name for equal weights
    assert [h.name for h in ran] == [
        "hooked-migrate",
        "hooked-pre-a",
        "hooked-pre-b",
        "hooked-post",
    ]
    assert all(h.last_run.phase == "Succeeded" for h in ran)
    assert all(h.last_run.completed_at is not None for h in ran)
    by_name = {h.name: h for h in rel.hooks}
    # The default policy is stored on the record, as helm does.
    assert by_name["hooked-pre-a"].delete_policies == ["before-hook-creation"]
    assert by_name["hooked-cleanup"].last_run.phase == ""

    # hook-succeeded deleted the Job; the ConfigMap hooks stay until their next run.
    assert await kube.get_or_none("batch/v1", "Job", "hooked-migrate", namespace) is None
    pre_a = await kube.get("v1", "ConfigMap", "hooked-pre-a", namespace)
    assert MANAGED_BY_LABEL not in (pre_a["metadata"].get("labels") or {})  # hooks are not owned
    stored = await secret_engine.storage(namespace).get("h", 1)
    assert phases(stored.hooks, "pre-install") == {
        "hooked-migrate": "Succeeded",
        "hooked-pre-b": "Succeeded",
        "hooked-pre-a": "Succeeded",
    }

    job = asyncio.create_task(finish_job(kube, namespace, "hooked-migrate"))
    rel = await upgrade(
        secret_engine, chart("hooked"), {}, UpgradeOptions(namespace=namespace, name="h")
    )
    await job
    assert rel.info.status == Status.DEPLOYED
    again = await kube.get("v1", "ConfigMap", "hooked-pre-a", namespace)
    assert again["metadata"]["uid"] != pre_a["metadata"]["uid"]  # before-hook-creation

    await uninstall(secret_engine, UninstallOptions(namespace=namespace, name="h"))
    assert await kube.get_or_none("v1", "ConfigMap", "hooked-main", namespace) is None
    # the pre-delete/post-delete hook ran (twice) and, as in helm, outlives the release
    assert await kube.get_or_none("v1", "ConfigMap", "hooked-cleanup", namespace) is not None


async def test_failed_hook_fails_the_install_before_anything_is_applied(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    job = asyncio.create_task(finish_job(kube, namespace, "hooked-migrate", succeed=False))
    with pytest.raises(ActionFailed) as err:
        await install(
            secret_engine, chart("hooked"), {}, InstallOptions(namespace=namespace, name="h")
        )
    await job
    message = str(err.value)
    assert message.startswith('Release "h" failed: failed pre-install: ')
    assert f"resource Job/{namespace}/hooked-migrate not ready. status: Failed" in message
    stored = await secret_engine.storage(namespace).last("h")
    assert (stored.info.status, stored.info.description) == (Status.FAILED, message)
    assert phases(stored.hooks, "pre-install")["hooked-migrate"] == "Failed"
    assert phases(stored.hooks, "pre-install")["hooked-pre-a"] == ""  # never started
    assert await kube.get_or_none("v1", "ConfigMap", "hooked-main", namespace) is None
    # no hook-failed policy: the failed Job is left for inspection
    assert await kube.get_or_none("batch/v1", "Job", "hooked-migrate", namespace) is not None


async def test_hook_timeout_names_the_hook(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    with pytest.raises(ActionFailed) as err:
        await install(
            secret_engine,
            chart("hooked"),
            {},
            InstallOptions(namespace=namespace, name="h", timeout=1),
        )
    assert f"resource Job/{namespace}/hooked-migrate not ready" in str(err.value)
    assert "context deadline exceeded" in str(err.value)


async def test_test_hooks_record_their_phase(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    job = asyncio.create_task(finish_job(kube, namespace, "hooked-migrate"))
    await install(secret_engine, chart("hooked"), {}, InstallOptions(namespace=namespace, name="h"))
    await job

    pod = asyncio.create_task(finish_pod(kube, namespace, "hooked-test"))
    rel = await run_tests(secret_engine, TestOptions(name="h", namespace=namespace, timeout=20))
    await pod
    assert phases(rel.hooks, "test") == {"hooked-test": "Succeeded"}
    stored = await secret_engine.storage(namespace).last("h")
    assert phases(stored.hooks, "test") == {"hooked-test": "Succeeded"}
    assert stored.info.status == Status.DEPLOYED

    # before-hook-creation replaces the old Pod; this time the test fails
    pod = asyncio.create_task(_fail_new_pod(kube, namespace, "hooked-test"))
    with pytest.raises(HookFailed, match="status: Failed"):
        await run_tests(secret_engine, TestOptions(name="h", namespace=namespace, timeout=20))
    await pod
    stored = await secret_engine.storage(namespace).last("h")
    assert phases(stored.hooks, "test") == {"hooked-test": "Failed"}


async def _fail_new_pod(kube: KubeClient, ns: str, name: str) -> None:
    old = await kube.get("v1", "Pod", name, ns)
    while True:
        live = await kube.get_or_none("v1", "Pod", name, ns)
        if live is not None and live["metadata"]["uid"] != old["metadata"]["uid"]:
            break
        await asyncio.sleep(0.05)
    await finish_pod(kube, ns, name, succeed=False)
