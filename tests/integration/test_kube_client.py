"""steersman.kube against the real apiserver: SSA, discovery, typed errors, impersonation."""

from __future__ import annotations

import asyncio
import secrets
from typing import Any

import pytest
from kubernetes_asyncio import client

from steersman.kube import (
    Conflict,
    Forbidden,
    Invalid,
    KubeClient,
    NotFound,
    Unavailable,
    UnknownKind,
)

pytestmark = pytest.mark.integration


def configmap(name: str, data: dict[str, str], **labels: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "labels": labels},
        "data": data,
    }


async def test_apply_creates_then_updates_with_our_field_manager(
    kube: KubeClient, namespace: str
) -> None:
    first = await kube.apply(configmap("cm", {"a": "1"}), namespace=namespace)
    assert first["data"] == {"a": "1"}
    second = await kube.apply(configmap("cm", {"a": "2", "b": "3"}), namespace=namespace)
    assert second["data"] == {"a": "2", "b": "3"}
    managers = {(m["manager"], m["operation"]) for m in second["metadata"]["managedFields"]}
    assert managers == {("steersman", "Apply")}
    # A field dropped from the applied object is removed: we own it.
    third = await kube.apply(configmap("cm", {"b": "3"}), namespace=namespace)
    assert third["data"] == {"b": "3"}


async def test_dry_run_apply_stores_nothing(kube: KubeClient, namespace: str) -> None:
    out = await kube.apply(configmap("ghost", {"x": "y"}), namespace=namespace, dry_run=True)
    assert out["data"] == {"x": "y"}
    assert await kube.get_or_none("v1", "ConfigMap", "ghost", namespace) is None


async def test_get_list_by_labels_and_delete(kube: KubeClient, namespace: str) -> None:
    await kube.apply(configmap("one", {}, app="x"), namespace=namespace)
    await kube.apply(configmap("two", {}, app="y"), namespace=namespace)
    names = {o["metadata"]["name"] for o in await kube.list("v1", "ConfigMap", namespace)}
    assert {"one", "two"} <= names
    only_x = await kube.list("v1", "ConfigMap", namespace, label_selector="app=x")
    assert [o["metadata"]["name"] for o in only_x] == ["one"]
    everywhere = await kube.list("v1", "ConfigMap", None, label_selector="app=y")
    assert any(o["metadata"]["namespace"] == namespace for o in everywhere)

    assert await kube.delete("v1", "ConfigMap", "one", namespace)
    assert not await kube.delete("v1", "ConfigMap", "one", namespace)
    with pytest.raises(NotFound):
        await kube.get("v1", "ConfigMap", "one", namespace)
    # Foreground deletion is passed through: without a garbage collector on this bench the
    # object then waits, marked for deletion, behind the foregroundDeletion finalizer.
    assert await kube.delete("v1", "ConfigMap", "two", namespace, propagation="Foreground")
    two = await kube.get("v1", "ConfigMap", "two", namespace)
    assert two["metadata"]["deletionTimestamp"]
    assert two["metadata"]["finalizers"] == ["foregroundDeletion"]


async def test_typed_errors(kube: KubeClient, namespace: str) -> None:
    with pytest.raises(Invalid) as bad_name:
        await kube.apply(configmap("Bad_Name", {}), namespace=namespace)
    assert "Bad_Name" in str(bad_name.value)
    with pytest.raises(UnknownKind, match='no matches for kind "Nope"'):
        await kube.apply(
            {"apiVersion": "v1", "kind": "Nope", "metadata": {"name": "n"}}, namespace=namespace
        )
    await kube.create(configmap("dup", {}), namespace=namespace)
    with pytest.raises(Conflict) as dup:
        await kube.create(configmap("dup", {}), namespace=namespace)
    assert dup.value.reason == "AlreadyExists"
    with pytest.raises(Invalid, match="namespaced but has no namespace"):
        await kube.apply(configmap("nowhere", {}))


async def test_apply_without_force_reports_field_conflicts(
    kube: KubeClient, namespace: str
) -> None:
    await kube.apply(configmap("shared", {"k": "mine"}), namespace=namespace)
    other = KubeClient(kube.api, field_manager="someone-else", discovery=kube.discovery)
    with pytest.raises(Conflict, match="conflict"):
        await other.apply(configmap("shared", {"k": "theirs"}), namespace=namespace, force=False)
    taken = await other.apply(configmap("shared", {"k": "theirs"}), namespace=namespace)
    assert taken["data"] == {"k": "theirs"}


def widget_crd(group: str) -> dict[str, Any]:
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": f"gizmos.{group}"},
        "spec": {
            "group": group,
            "names": {"plural": "gizmos", "singular": "gizmo", "kind": "Gizmo"},
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "subresources": {"status": {}},
                    "schema": {
                        "openAPIV3Schema": {
                            "type": "object",
                            "x-kubernetes-preserve-unknown-fields": True,
                        }
                    },
                }
            ],
        },
    }


async def test_discovery_finds_kinds_of_crds_installed_later(
    kube: KubeClient, namespace: str
) -> None:
    group = f"g{secrets.token_hex(3)}.steersman.dev"
    gizmo = {
        "apiVersion": f"{group}/v1",
        "kind": "Gizmo",
        "metadata": {"name": "g1"},
        "spec": {"size": 1},
    }
    with pytest.raises(UnknownKind):
        await kube.apply(gizmo, namespace=namespace)  # caches "no such group/version"
    await kube.apply(widget_crd(group))
    for _ in range(100):  # the apiserver serves a new CRD a moment after it is created
        try:
            live = await kube.apply(gizmo, namespace=namespace)
            break
        except UnknownKind:
            await asyncio.sleep(0.1)
    assert live["spec"] == {"size": 1}
    res = await kube.resource(f"{group}/v1", "Gizmo")
    assert (res.plural, res.namespaced) == ("gizmos", True)

    patched = await kube.patch_status(f"{group}/v1", "Gizmo", "g1", namespace, {"phase": "Ready"})
    assert patched["status"] == {"phase": "Ready"}
    assert (await kube.get(f"{group}/v1", "Gizmo", "g1", namespace))["spec"] == {"size": 1}
    crd = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", f"gizmos.{group}")
    assert crd["spec"]["group"] == group  # cluster-scoped get ignores the namespace


async def test_impersonation_uses_the_service_accounts_rbac(
    kube: KubeClient, kube_api: client.ApiClient, namespace: str
) -> None:
    sa = kube.impersonate(namespace, "deployer")
    with pytest.raises(Forbidden, match=rf"system:serviceaccount:{namespace}:deployer"):
        await sa.apply(configmap("by-sa", {}), namespace=namespace)
    await kube.apply(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "Role",
            "metadata": {"name": "cm-writer"},
            "rules": [
                {
                    "apiGroups": [""],
                    "resources": ["configmaps"],
                    "verbs": ["get", "patch", "create"],
                }
            ],
        },
        namespace=namespace,
    )
    await kube.apply(
        {
            "apiVersion": "rbac.authorization.k8s.io/v1",
            "kind": "RoleBinding",
            "metadata": {"name": "deployer-cm-writer"},
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "Role",
                "name": "cm-writer",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "deployer", "namespace": namespace}],
        },
        namespace=namespace,
    )
    for _ in range(50):  # RBAC changes reach the authorizer's cache shortly after
        try:
            made = await sa.apply(configmap("by-sa", {"who": "sa"}), namespace=namespace)
            break
        except Forbidden:
            await asyncio.sleep(0.1)
    assert made["data"] == {"who": "sa"}
    with pytest.raises(Forbidden):
        await sa.list("v1", "Secret", namespace)


async def test_unreachable_apiserver_is_unavailable() -> None:
    cfg = client.Configuration(host="https://127.0.0.1:1")
    cfg.verify_ssl = False
    api = client.ApiClient(configuration=cfg)
    try:
        with pytest.raises(Unavailable, match="unreachable"):
            await KubeClient(api).get("v1", "ConfigMap", "x", "default")
    finally:
        await api.close()
