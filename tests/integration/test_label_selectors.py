"""steersman.labels against the apiserver's own selector parser: for each selector, the bench
apiserver either refuses it (400) and we raise LabelSelectorError, or both pick the same objects."""

from __future__ import annotations

import pytest
from kubernetes_asyncio import client
from kubernetes_asyncio.client.exceptions import ApiException

from steersman.labels import LabelSelectorError, parse

OBJECTS = {
    "a": {"tier": "web", "shard": "1"},
    "b": {"tier": "api", "shard": "10", "example.com/team": "x"},
    "c": {"tier": "", "canary": "yes"},
    "d": {},
}

ACCEPTED = [
    "",
    "tier",
    "!tier",
    "tier=web",
    "tier==web",
    "tier!=web",
    "tier=",
    "tier in (web, api)",
    "tier in ()",
    "tier in (,web)",
    "tier in (web,)",
    "tier notin (web)",
    "tier notin ()",
    "shard>5",
    "shard<5",
    "shard > 1",
    "example.com/team=x",
    "example.com/team",
    "tier,canary",
    "tier=web,shard=1",
    " tier = web , shard ",
    "in=x",
    "tier in (in, notin)",
]

REFUSED = [
    "tier in web",
    "=web",
    "!tier=web",
    "tier web",
    "tier in (web api)",
    "tier in (web",
    "tier,",
    ",tier",
    "tier>x",
    "tier>",
    "Example.com/team",
    "/team",
    "-bad",
    "tier=bad value",
    "tier=-web",
    "a" * 64,
    "tier=" + "v" * 64,
    "tier!",
    "!",
    "tier)",
    "tier==web==x",
]


@pytest.fixture
async def labelled(kube_api: client.ApiClient, namespace: str) -> str:
    core = client.CoreV1Api(kube_api)
    for name, labels in OBJECTS.items():
        meta = client.V1ObjectMeta(name=name, labels=labels or None)
        await core.create_namespaced_config_map(namespace, client.V1ConfigMap(metadata=meta))
    return namespace


async def test_selectors_agree_with_the_apiserver(
    kube_api: client.ApiClient, labelled: str
) -> None:
    core = client.CoreV1Api(kube_api)
    disagreements, refused = [], []
    for selector in ACCEPTED + REFUSED:
        try:
            listed = await core.list_namespaced_config_map(labelled, label_selector=selector)
            theirs: set[str] | None = {item.metadata.name for item in listed.items}
        except ApiException as err:
            assert err.status == 400, (selector, err.status)
            theirs = None
            refused.append(selector)
        try:
            matches = parse(selector)
            ours: set[str] | None = {n for n, labels in OBJECTS.items() if matches(labels)}
        except LabelSelectorError:
            ours = None
        if ours != theirs:
            disagreements.append((selector, theirs, ours))
    assert disagreements == []
    assert refused == REFUSED  # the lists say what the apiserver does, so the check has teeth
