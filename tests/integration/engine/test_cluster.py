"""Cluster-side behaviour of the actions: ownership, dry run, CRDs, namespaces, waiting,
cleanup on failure, history limits and name rules."""

from __future__ import annotations

import asyncio
import re
import secrets
from typing import Any

import pytest

from steersman.engine.actions import (
    ActionFailed,
    CrdPolicy,
    InstallOptions,
    InvalidReleaseName,
    InvalidRevision,
    NoDeployedReleases,
    OwnershipConflict,
    RollbackOptions,
    UninstallOptions,
    UpgradeOptions,
    install,
    rollback,
    uninstall,
    upgrade,
)
from steersman.engine.context import Engine
from steersman.kube import KubeClient
from steersman.storage import ReleaseNotFound, Status
from tests.integration.engine.support import chart, make_deployment_ready

pytestmark = pytest.mark.integration


async def test_refuses_objects_owned_by_someone_else(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    await kube.apply(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config"}},
        namespace=namespace,
    )
    with pytest.raises(OwnershipConflict) as err:
        await install(
            secret_engine, chart("app-v1"), {}, InstallOptions(namespace=namespace, name="a")
        )
    assert str(err.value) == (
        f'unable to continue with install: ConfigMap "app-config" in namespace "{namespace}" '
        "exists and cannot be imported into the current release: invalid ownership metadata; "
        'label validation error: missing key "app.kubernetes.io/managed-by": '
        'must be set to "Helm"; '
        'annotation validation error: missing key "meta.helm.sh/release-name": must be set to "a"; '
        'annotation validation error: missing key "meta.helm.sh/release-namespace": must be set '
        f'to "{namespace}"'
    )
    assert await secret_engine.storage(namespace).history("a") == []  # nothing stored

    # Owned by another release: named in the error.
    await install(
        secret_engine,
        chart("app-v1"),
        {},
        InstallOptions(namespace=namespace, name="a", take_ownership=True),
    )
    with pytest.raises(
        OwnershipConflict,
        match=re.escape('key "meta.helm.sh/release-name" must equal "b": current value is "a"'),
    ):
        await install(
            secret_engine, chart("app-v1"), {}, InstallOptions(namespace=namespace, name="b")
        )


async def test_dry_run_stores_nothing_and_creates_nothing(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    rel = await install(
        secret_engine,
        chart("app-v1"),
        {},
        InstallOptions(namespace=namespace, name="a", dry_run=True),
    )
    assert (rel.info.status, rel.info.description) == (Status.PENDING_INSTALL, "Dry run complete")
    assert "kind: Deployment" in rel.manifest
    assert await secret_engine.storage(namespace).history("a") == []
    assert await kube.get_or_none("v1", "ConfigMap", "app-config", namespace) is None

    await install(secret_engine, chart("app-v1"), {}, InstallOptions(namespace=namespace, name="a"))
    rel = await upgrade(
        secret_engine,
        chart("app-v2"),
        {},
        UpgradeOptions(namespace=namespace, name="a", dry_run=True),
    )
    assert (rel.version, rel.info.description) == (2, "Dry run complete")
    assert len(await secret_engine.storage(namespace).history("a")) == 1
    live = await kube.get("v1", "ConfigMap", "app-config", namespace)
    assert live["data"]["revision"] == "one"


async def test_crds_first_then_custom_resources(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    crd = ("apiextensions.k8s.io/v1", "CustomResourceDefinition", "widgets.engine.steersman.dev")
    rel = await install(
        secret_engine, chart("crds"), {}, InstallOptions(namespace=namespace, name="w")
    )
    assert rel.info.status == Status.DEPLOYED
    assert "CustomResourceDefinition" not in rel.manifest  # crds/ are not part of the release
    widget = await kube.get("engine.steersman.dev/v1", "Widget", "first", namespace)
    assert widget["spec"] == {"size": 3}
    await uninstall(secret_engine, UninstallOptions(namespace=namespace, name="w"))
    assert await kube.get_or_none(*crd) is not None  # CRDs outlive the release, as in helm

    # Skip leaves crds/ alone; the CRD from the first install serves the Widget.
    other = f"t-{secrets.token_hex(3)}"
    rel = await install(
        secret_engine,
        chart("crds"),
        {},
        InstallOptions(namespace=other, name="w", crds=CrdPolicy.SKIP, create_namespace=True),
    )
    assert rel.info.status == Status.DEPLOYED  # the CRD exists from the first install
    ns = await kube.get("v1", "Namespace", other)
    assert ns["metadata"]["labels"]["name"] == other
    await kube.delete(*crd)


async def test_wait_succeeds_when_ready_and_fails_with_the_reason(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    ready = asyncio.create_task(make_deployment_ready(kube, namespace, "app"))
    rel = await install(
        secret_engine,
        chart("app-v1"),
        {},
        InstallOptions(namespace=namespace, name="a", wait=True, timeout=30),
    )
    await ready
    assert rel.info.status == Status.DEPLOYED

    with pytest.raises(ActionFailed) as err:
        await upgrade(
            secret_engine,
            chart("app-v2"),
            {},
            UpgradeOptions(
                namespace=namespace, name="a", wait=True, timeout=1, cleanup_on_fail=True
            ),
        )
    message = str(err.value)
    assert message.startswith('Upgrade "a" failed: resource Deployment/')
    assert "context deadline exceeded" in message
    stored = await secret_engine.storage(namespace).history("a")
    assert [(r.version, r.info.status) for r in stored] == [(1, "deployed"), (2, "failed")]
    assert stored[1].info.description == message
    # cleanup_on_fail removed what the upgrade created, and only that
    assert await kube.get_or_none("v1", "Secret", "app-extra", namespace) is None
    assert await kube.get_or_none("v1", "ConfigMap", "app-config", namespace) is not None

    # A later upgrade starts from the deployed revision 1.
    rel = await upgrade(
        secret_engine, chart("app-v2"), {}, UpgradeOptions(namespace=namespace, name="a")
    )
    assert rel.version == 3
    assert [r.info.status for r in await secret_engine.storage(namespace).history("a")] == [
        "superseded",
        "failed",
        "deployed",
    ]


async def test_max_history_and_replace(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    opts = InstallOptions(namespace=namespace, name="a")
    await install(secret_engine, chart("app-v1"), {}, opts)
    for i in range(4):
        await upgrade(
            secret_engine,
            chart("app-v2" if i % 2 == 0 else "app-v1"),
            {},
            UpgradeOptions(namespace=namespace, name="a", max_history=3),
        )
    history = await secret_engine.storage(namespace).history("a")
    assert [(r.version, r.info.status) for r in history] == [
        (3, "superseded"),
        (4, "superseded"),
        (5, "deployed"),
    ]
    await uninstall(
        secret_engine, UninstallOptions(namespace=namespace, name="a", keep_history=True)
    )
    rel = await install(
        secret_engine,
        chart("app-v1"),
        {},
        InstallOptions(namespace=namespace, name="a", replace=True),
    )
    assert (rel.version, rel.info.status) == (6, Status.DEPLOYED)
    # replace supersedes the previous revision unless it failed (helm's replaceRelease)
    last_two = (await secret_engine.storage(namespace).history("a"))[-2:]
    assert [(r.version, r.info.status, r.info.description) for r in last_two] == [
        (5, "superseded", "superseded by new release"),
        (6, "deployed", "Install complete"),
    ]


async def test_names_and_missing_releases(secret_engine: Engine, namespace: str) -> None:
    long = "a" * 54
    with pytest.raises(InvalidReleaseName) as err:
        await install(
            secret_engine, chart("app-v1"), {}, InstallOptions(namespace=namespace, name=long)
        )
    assert str(err.value) == (
        f'release name "{long}": invalid release name, must match regex '
        r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
        " and the length must not be longer than 53"
    )
    with pytest.raises(InvalidReleaseName):
        await install(
            secret_engine, chart("app-v1"), {}, InstallOptions(namespace=namespace, name="Upper")
        )
    with pytest.raises(NoDeployedReleases, match='"ghost" has no deployed releases'):
        await upgrade(
            secret_engine, chart("app-v1"), {}, UpgradeOptions(namespace=namespace, name="ghost")
        )
    with pytest.raises(ReleaseNotFound):
        await uninstall(secret_engine, UninstallOptions(namespace=namespace, name="ghost"))


async def test_rollback_wait_failure_and_missing_revision(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    common: dict[str, Any] = {"namespace": namespace, "name": "a"}
    await install(secret_engine, chart("app-v1"), {}, InstallOptions(**common))
    await upgrade(secret_engine, chart("app-v2"), {}, UpgradeOptions(**common))
    with pytest.raises(InvalidRevision, match=r"^release has no 7 version$"):
        await rollback(secret_engine, RollbackOptions(**common, version=7))
    with pytest.raises(ActionFailed) as err:
        await rollback(secret_engine, RollbackOptions(**common, wait=True, timeout=1))
    assert str(err.value).startswith(f'Release "a" failed: resource Deployment/{namespace}/app')
    history = await secret_engine.storage(namespace).history("a")
    assert [(r.version, r.info.status) for r in history] == [
        (1, "superseded"),
        (2, "deployed"),
        (3, "failed"),
    ]
    assert history[2].info.description == str(err.value)


async def test_uninstall_passes_the_propagation_policy(
    secret_engine: Engine, kube: KubeClient, namespace: str
) -> None:
    await install(secret_engine, chart("app-v1"), {}, InstallOptions(namespace=namespace, name="a"))
    await uninstall(
        secret_engine, UninstallOptions(namespace=namespace, name="a", propagation="Foreground")
    )
    # No garbage collector runs on the bench, so a foreground deletion stays visible.
    for api, kind, name in [("apps/v1", "Deployment", "app"), ("v1", "ConfigMap", "app-config")]:
        live = await kube.get(api, kind, name, namespace)
        assert live["metadata"]["deletionTimestamp"]
        assert "foregroundDeletion" in live["metadata"]["finalizers"]
    assert await kube.get_or_none("v1", "ConfigMap", "app-kept", namespace) is not None
    assert (
        "deletionTimestamp"
        not in (await kube.get("v1", "ConfigMap", "app-kept", namespace))["metadata"]
    )
    assert await secret_engine.storage(namespace).history("a") == []
