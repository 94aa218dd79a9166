"""What `steersman convert` prints applies on the real kube-apiserver with our CRD installed:
the sample Flux folders, and the output of `kubectl kustomize` on an overlay of them."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack.operatorkit import install_crd
from hack.testenv import kubectl_binary
from steersman.kube import KubeClient

pytestmark = pytest.mark.integration

SAMPLES = Path(__file__).resolve().parents[1] / "unit" / "flux_samples"


def convert(*args: str, stdin: str | None = None) -> list[dict[str, Any]]:
    res = subprocess.run(
        [sys.executable, "-m", "steersman", "convert", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert res.returncode == 0, res.stderr
    return [d for d in yaml.safe_load_all(res.stdout) if d]


async def apply_all(kube: KubeClient, objects: list[dict[str, Any]], namespace: str) -> None:
    for obj in objects:
        obj["metadata"]["namespace"] = namespace  # the test's own namespace
        live = await kube.apply(obj)
        # Everything convert wrote is kept (nothing pruned by the schema), defaults are added.
        for key, value in obj["spec"].items():
            if isinstance(value, dict):
                assert live["spec"][key] == {**live["spec"][key], **value}, key
            else:
                assert live["spec"][key] == value, key


async def test_converted_sample_folders_apply(kube: KubeClient, namespace: str) -> None:
    await install_crd(kube)
    folders = [str(SAMPLES / name) for name in ("base", "ingress", "legacy")]
    objects = await asyncio.to_thread(convert, *folders)
    assert len(objects) == 3
    await apply_all(kube, objects, namespace)


async def test_converted_kustomize_output_applies(kube: KubeClient, namespace: str) -> None:
    await install_crd(kube)
    built = await asyncio.to_thread(
        subprocess.run,
        [str(kubectl_binary()), "kustomize", str(SAMPLES / "overlay")],
        capture_output=True,
        text=True,
        check=True,
    )
    objects = await asyncio.to_thread(convert, "-", stdin=built.stdout)
    names = {o["metadata"]["name"]: o for o in objects}
    assert set(names) == {"storefront", "edge-proxy"}
    # The overlay's patch is what was converted.
    assert names["storefront"]["spec"]["chart"]["version"] == ">=2.0.0-alpha"
    assert names["storefront"]["spec"]["values"]["ingress"]["hosts"] == ["shop.staging"]
    await apply_all(kube, objects, namespace)
