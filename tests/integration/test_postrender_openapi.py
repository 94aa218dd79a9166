"""Merge keys read from the real apiserver's /openapi/v2 (1.20 on the bench): they agree with the
built-in table wherever the table speaks, and strategic merge over them merges a Deployment's
lists the same way."""

from __future__ import annotations

import time

import pytest

from steersman.engine.render import merge_schema
from steersman.kube import KubeClient
from steersman.postrender import BUILTIN, MergeSchema
from steersman.postrender.strategic import Merger

pytestmark = pytest.mark.integration


def _list_fields(schema: MergeSchema, type_name: str, path: str, seen: set[str]) -> dict[str, str]:
    """path -> merge key of every merging list reachable from a definition."""
    out: dict[str, str] = {}
    if type_name in seen:
        return out
    seen = seen | {type_name}
    for name, info in (schema.types.get(type_name) or {}).items():
        here = f"{path}.{name}"
        if "merge" in info.strategy.split(","):
            out[here] = info.key
        if info.ref is not None:
            out.update(_list_fields(schema, info.ref, here, seen))
    return out


async def test_cluster_merge_keys_cover_the_builtin_table(kube: KubeClient) -> None:
    started = time.monotonic()
    cluster = await merge_schema(kube)
    assert cluster is not BUILTIN, "the bench publishes /openapi/v2"
    print(f"read /openapi/v2 in {time.monotonic() - started:.2f}s: {len(cluster.types)} types")
    for api_version, kind in (
        ("apps/v1", "Deployment"),
        ("batch/v1beta1", "CronJob"),
        ("v1", "Service"),
        ("v1", "Pod"),
    ):
        theirs = _list_fields(cluster, str(cluster.root(api_version, kind)), "", set())
        ours = _list_fields(BUILTIN, str(BUILTIN.root(api_version, kind)), "", set())
        assert ours, kind
        for path, key in ours.items():
            assert theirs.get(path) == key, f"{kind} {path}"


async def test_merge_over_cluster_keys(kube: KubeClient) -> None:
    schema = await merge_schema(kube)
    obj = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "a", "env": [{"name": "X", "value": "1"}]},
                        {"name": "b"},
                    ]
                }
            }
        },
    }
    patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"name": "b", "env": [{"name": "Y", "value": "2"}]}]}
            }
        }
    }
    merged = Merger(schema).merge_object(obj, patch)
    assert merged["spec"]["template"]["spec"]["containers"] == [
        {"name": "b", "env": [{"name": "Y", "value": "2"}]},
        {"name": "a", "env": [{"name": "X", "value": "1"}]},
    ]
