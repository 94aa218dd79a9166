"""The release lifecycle on every storage driver, with records in a namespace other than the
release's: install -> upgrade (prune) -> rollback -> uninstall, cancellation and unlock."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from steersman.engine.actions import (
    AlreadyDeleted,
    InstallOptions,
    NameInUse,
    ReleaseLocked,
    RollbackOptions,
    TestOptions,
    UninstallOptions,
    UpgradeOptions,
    install,
    rollback,
    run_tests,
    uninstall,
    unlock,
    upgrade,
)
from steersman.engine.context import Engine
from steersman.engine.ownership import (
    MANAGED_BY_LABEL,
    RELEASE_NAME_ANNOTATION,
    RELEASE_NAMESPACE_ANNOTATION,
)
from steersman.kube import KubeClient
from steersman.storage import Status
from tests.integration.engine.support import appeared, chart, finish_job, finish_pod

pytestmark = pytest.mark.integration


async def statuses(engine: Engine, storage_ns: str, name: str) -> list[tuple[int, str, str]]:
    history = await engine.storage(storage_ns).history(name)
    return [(r.version, r.info.status, r.info.description) for r in history]


async def cm(kube: KubeClient, ns: str, name: str) -> dict[str, str] | None:
    live = await kube.get_or_none("v1", "ConfigMap", name, ns)
    return None if live is None else live.get("data", {})


async def test_full_lifecycle(
    engine: Engine, kube: KubeClient, namespace: str, storage_ns: str
) -> None:
    common: dict[str, Any] = {
        "namespace": namespace,
        "storage_namespace": storage_ns,
        "name": "app",
    }
    rel = await install(engine, chart("app-v1"), {"greeting": "hi"}, InstallOptions(**common))
    assert (rel.version, rel.info.status) == (1, Status.DEPLOYED)
    assert rel.apply_method == "ssa" and rel.namespace == namespace
    assert rel.info.notes == "app revision one is installed.\n"
    assert rel.config == {"greeting": "hi"}
    assert rel.chart is not None and rel.chart.metadata is not None
    assert (rel.chart.metadata.name, rel.chart.metadata.version) == ("app", "0.1.0")
    assert await statuses(engine, storage_ns, "app") == [(1, "deployed", "Install complete")]
    assert await engine.storage(namespace).history("app") == []  # nothing in the release ns

    live = await kube.get("v1", "ConfigMap", "app-config", namespace)
    assert live["metadata"]["labels"] == {"tier": "config", MANAGED_BY_LABEL: "Helm"}
    assert live["metadata"]["annotations"][RELEASE_NAME_ANNOTATION] == "app"
    assert live["metadata"]["annotations"][RELEASE_NAMESPACE_ANNOTATION] == namespace

    with pytest.raises(NameInUse, match="cannot reuse a name that is still in use"):
        await install(engine, chart("app-v1"), {}, InstallOptions(**common))

    rel = await upgrade(engine, chart("app-v2"), {}, UpgradeOptions(**common))
    assert (rel.version, rel.info.status) == (2, Status.DEPLOYED)
    assert rel.config == {"greeting": "hi"}  # no values given: the previous ones are kept
    assert await statuses(engine, storage_ns, "app") == [
        (1, "superseded", "Install complete"),
        (2, "deployed", "Upgrade complete"),
    ]
    assert await cm(kube, namespace, "app-config") == {
        "revision": "two",
        "greeting": "hi",
        "release": "app-r2-true",
    }
    assert await cm(kube, namespace, "app-legacy") is None  # pruned
    live = await kube.get("v1", "ConfigMap", "app-config", namespace)
    assert live["metadata"]["labels"] == {MANAGED_BY_LABEL: "Helm"}  # label dropped by v2
    assert await cm(kube, namespace, "app-kept") == {"kept": "after removal"}  # keep policy
    assert await kube.get_or_none("v1", "Secret", "app-extra", namespace) is not None
    dep = await kube.get("apps/v1", "Deployment", "app", namespace)
    assert dep["spec"]["replicas"] == 2

    rel = await rollback(engine, RollbackOptions(**common))
    assert (rel.version, rel.info.status) == (3, Status.DEPLOYED)
    assert rel.info.notes == "app revision one is installed.\n"
    assert await statuses(engine, storage_ns, "app") == [
        (1, "superseded", "Install complete"),
        (2, "superseded", "Upgrade complete"),
        (3, "deployed", "Rollback to 1"),
    ]
    # rollback re-applies revision 1's manifest as rendered then, it does not re-render
    assert await cm(kube, namespace, "app-config") == {
        "revision": "one",
        "shared": "same",
        "greeting": "hi",
        "release": "app-r1-false",
    }
    assert await cm(kube, namespace, "app-legacy") == {"dropped": "in v2"}
    assert await kube.get_or_none("v1", "Secret", "app-extra", namespace) is None

    done = await uninstall(engine, UninstallOptions(**common, keep_history=True))
    assert (
        done.info == "These resources were kept due to the resource policy:\n[ConfigMap] app-kept\n"
    )
    assert await statuses(engine, storage_ns, "app") == [
        (1, "superseded", "Install complete"),
        (2, "superseded", "Upgrade complete"),
        (3, "uninstalled", "Uninstallation complete"),
    ]
    assert (await engine.storage(storage_ns).get("app", 3)).info.deleted is not None
    for kind, api, name in [
        ("ConfigMap", "v1", "app-config"),
        ("ConfigMap", "v1", "app-legacy"),
        ("Service", "v1", "app"),
        ("Deployment", "apps/v1", "app"),
    ]:
        assert await kube.get_or_none(api, kind, name, namespace) is None, name
    assert await cm(kube, namespace, "app-kept") is not None

    with pytest.raises(AlreadyDeleted, match='the release named "app" is already deleted'):
        await uninstall(engine, UninstallOptions(**common, keep_history=True))
    await uninstall(engine, UninstallOptions(**common))
    assert await statuses(engine, storage_ns, "app") == []


async def _wait_for_status(engine: Engine, storage_ns: str, name: str, status: str) -> None:
    while True:
        history = await engine.storage(storage_ns).history(name)
        if history and history[-1].info.status == status:
            return
        await asyncio.sleep(0.05)


async def test_cancelled_actions_leave_pending_records_that_unlock_recovers(
    engine: Engine, kube: KubeClient, namespace: str, storage_ns: str
) -> None:
    common: dict[str, Any] = {
        "namespace": namespace,
        "storage_namespace": storage_ns,
        "name": "app",
    }
    # No Deployment controller runs, so a waiting install waits until it is cancelled.
    task = asyncio.create_task(
        install(engine, chart("app-v1"), {}, InstallOptions(**common, wait=True, timeout=60))
    )
    await asyncio.wait_for(_wait_for_status(engine, storage_ns, "app", "pending-install"), 20)
    await appeared(kube, "apps/v1", "Deployment", "app", namespace)  # now waiting for it
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await statuses(engine, storage_ns, "app") == [
        (1, "pending-install", "Initial install underway")
    ]

    with pytest.raises(ReleaseLocked, match=r"another operation \(install/upgrade/rollback\)"):
        await upgrade(engine, chart("app-v2"), {}, UpgradeOptions(**common))
    unlocked = await unlock(engine, "app", storage_ns)
    assert unlocked is not None and unlocked.info.status == Status.FAILED
    assert await unlock(engine, "app", storage_ns) is None  # nothing left to unlock

    rel = await upgrade(engine, chart("app-v2"), {}, UpgradeOptions(**common))
    assert (rel.version, rel.info.status) == (2, Status.DEPLOYED)

    task = asyncio.create_task(
        upgrade(engine, chart("app-v1"), {}, UpgradeOptions(**common, wait=True, timeout=60))
    )
    await asyncio.wait_for(_wait_for_status(engine, storage_ns, "app", "pending-upgrade"), 20)
    await asyncio.sleep(0.3)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    history = await statuses(engine, storage_ns, "app")
    assert history[-1] == (3, "pending-upgrade", "Preparing upgrade")
    assert history[-2] == (2, "deployed", "Upgrade complete")
    await unlock(engine, "app", storage_ns)
    rel = await rollback(engine, RollbackOptions(**common, version=2))
    assert (rel.version, rel.info.description) == (4, "Rollback to 2")
    # Upgrading from the failed revision 1 superseded it, as helm does.
    assert [s for _, s, _ in await statuses(engine, storage_ns, "app")] == [
        "superseded",
        "superseded",
        "failed",
        "deployed",
    ]


async def test_hooks_and_tests_record_phases_on_every_driver(
    engine: Engine, kube: KubeClient, namespace: str, storage_ns: str
) -> None:
    common: dict[str, Any] = {"namespace": namespace, "storage_namespace": storage_ns, "name": "h"}
    job = asyncio.create_task(finish_job(kube, namespace, "hooked-migrate"))
    await install(engine, chart("hooked"), {}, InstallOptions(**common))
    await job
    pod = asyncio.create_task(finish_pod(kube, namespace, "hooked-test"))
    rel = await run_tests(
        engine, TestOptions(name="h", namespace=namespace, storage_namespace=storage_ns)
    )
    await pod
    stored = await engine.storage(storage_ns).last("h")
    assert stored.info.status == Status.DEPLOYED
    phases = {h.name: h.last_run.phase for h in stored.hooks}
    assert phases == {h.name: h.last_run.phase for h in rel.hooks}
    assert phases == {
        "hooked-migrate": "Succeeded",
        "hooked-pre-a": "Succeeded",
        "hooked-pre-b": "Succeeded",
        "hooked-post": "Succeeded",
        "hooked-cleanup": "",
        "hooked-test": "Succeeded",
    }
