"""An engine restricted to some namespaces (a HelmRelease acting with the operator's own rights)
refuses a chart that puts objects elsewhere, before anything is stored or applied."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from steersman.chart.loader import load
from steersman.engine.actions import InstallOptions, NamespaceNotAllowed, install
from steersman.engine.context import Engine
from steersman.kube import KubeClient

pytestmark = pytest.mark.integration

REACH = Path(__file__).resolve().parents[2] / "charts" / "e2e" / "reach"


async def test_objects_outside_the_allowed_namespaces_are_refused(
    secret_engine: Engine, kube: KubeClient, namespace: str, storage_ns: str
) -> None:
    guarded = dataclasses.replace(secret_engine, namespaces=frozenset({namespace}))
    opts = InstallOptions(namespace=namespace, name="r")
    with pytest.raises(NamespaceNotAllowed) as err:
        await install(guarded, load(REACH), {"namespace": storage_ns}, opts)
    assert f'ConfigMap "r-reach" in namespace "{storage_ns}"' in str(err.value)
    assert await guarded.storage(namespace).history("r") == []
    assert await kube.get_or_none("v1", "ConfigMap", "r-reach", storage_ns) is None

    # Inside them it installs; without a restriction the apiserver's RBAC decides.
    rel = await install(guarded, load(REACH), {}, opts)
    assert rel.version == 1
    await install(
        secret_engine,
        load(REACH),
        {"namespace": storage_ns},
        InstallOptions(namespace=namespace, name="s"),
    )
    assert await kube.get_or_none("v1", "ConfigMap", "s-reach", storage_ns) is not None
