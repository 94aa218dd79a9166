"""spec.postRenderers and spec.commonMetadata on a real install: the patched object is what the
cluster holds and what the release record stores, drift is checked against it, and changing a
patch upgrades the release."""

from __future__ import annotations

import base64
from typing import Any

import pytest
import yaml

from hack.operatorkit import wait_until
from steersman.engine.context import POST_RENDER_LABEL
from steersman.kube import KubeClient
from steersman.storage.codec import decode_release
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    condition,
    create,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
    wait_drift_checked,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def post_renderers(value: str) -> list[dict[str, Any]]:
    return [
        {
            "kustomize": {
                "patches": [
                    {
                        "target": {"kind": "ConfigMap", "name": ".*-config"},
                        "patch": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
                        f"data:\n  patched: {value!r}\n",
                    }
                ]
            }
        }
    ]


def stored_objects(record: dict[str, Any]) -> list[dict[str, Any]]:
    release = decode_release(base64.b64decode(record["data"]["release"]))
    return [d for d in yaml.safe_load_all(release.manifest) if d]


async def test_patched_objects_are_applied_stored_and_drift_checked(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    body = spec(
        chart_repo,
        interval="1s",
        driftDetection={"mode": "warn"},
        postRenderers=post_renderers("one"),
        commonMetadata={"labels": {"team": "blue"}, "annotations": {"owner": "platform"}},
    )
    await create(e2e_kube, namespace, "pr", body)
    await wait_condition(e2e_kube, namespace, "pr")

    live = await e2e_kube.get("v1", "ConfigMap", "pr-config", namespace)
    assert live["data"]["patched"] == "one" and live["data"]["greeting"] == "hello"
    assert live["metadata"]["labels"]["team"] == "blue"
    assert live["metadata"]["annotations"]["owner"] == "platform"
    (record,) = await records(e2e_kube, namespace, "pr")
    assert record["metadata"]["labels"][POST_RENDER_LABEL]
    (stored,) = [o for o in stored_objects(record) if o["kind"] == "ConfigMap"]
    assert stored["data"]["patched"] == "one"
    assert stored["metadata"]["labels"]["team"] == "blue"

    # Drift is judged against the post-rendered manifest: in sync first, then an edit of the
    # patched field counts.
    await wait_drift_checked(e2e_kube, namespace, "pr")
    await e2e_kube.merge_patch(
        "v1", "ConfigMap", "pr-config", namespace, {"data": {"patched": "edited"}}
    )
    hr = await wait_condition(e2e_kube, namespace, "pr", "Drifted", "True", "DriftDetected")
    drifted = condition(hr, "Drifted")
    assert drifted is not None and f"ConfigMap {namespace}/pr-config" in drifted["message"]

    # A changed patch is a changed release: revision 2 carries it.
    await patch_spec(e2e_kube, namespace, "pr", {"postRenderers": post_renderers("two")})

    async def upgraded() -> list[tuple[int, str]]:
        return record_states(await records(e2e_kube, namespace, "pr"))

    async def at_revision_two() -> bool:
        return (await upgraded())[-1] == (2, "deployed")

    await wait_until(at_revision_two, 60, "the changed patch to upgrade the release")
    live = await e2e_kube.get("v1", "ConfigMap", "pr-config", namespace)
    assert live["data"]["patched"] == "two"
