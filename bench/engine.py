"""Engine benchmark: install and upgrade, Steersman in-process vs `helm install/upgrade` (v4).

Charts: the `helm create` chart (generated with helm v4 into a temp dir) and the largest chart
under tests/conformance/charts/ that helm installs. Both tools use the secret driver on the same
apiserver in the same run, each install into a fresh namespace, `--wait` off (the bench has no
kubelet). helm's times include its process start, which a helm-based controller pays as well.

Steersman's time includes rendering (with live capabilities and lookup, as helm does); the
first install of each chart also pays for parsing its templates (shown as "cold").

Run: `.venv/bin/python -m bench.engine` (starts and stops its own test bench).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

from kubernetes_asyncio import client, config

from hack.testenv import TestBench
from steersman.chart.loader import load
from steersman.engine.actions import (
    InstallOptions,
    UpgradeOptions,
    install,
    upgrade,
)
from steersman.engine.context import Engine
from steersman.kube import KubeClient
from steersman.storage import DriverKind, StorageBackend

RUNS = 5
CONFORMANCE = Path(__file__).resolve().parent.parent / "tests" / "conformance" / "charts"
UPGRADE_SET = "benchRevision=2"
Row = tuple[str, str, float, float, float]  # chart, action, ours cold, ours median, helm


class Helm:
    def __init__(self, binary: Path, env: dict[str, str]) -> None:
        self.binary, self.env = binary, env

    async def run(self, *args: str) -> str:
        proc = await asyncio.create_subprocess_exec(
            str(self.binary), *args, env=self.env,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        if proc.returncode:
            raise RuntimeError(f"helm {' '.join(args)}: {err.decode().strip()}")
        return out.decode()


async def helm_dry_run(helm: Helm, chart_dir: Path, ns: str, *extra: str) -> dict[str, Any]:
    out = await helm.run("install", "b", str(chart_dir), "-n", ns, "--dry-run=client", "-o",
                         "json", *extra)  # fmt: skip
    return dict(json.loads(out))


async def timed(work: Awaitable[Any]) -> float:
    """Wall time of awaiting `work` (a coroutine does nothing until awaited)."""
    started = time.perf_counter()
    await work
    return (time.perf_counter() - started) * 1000


async def new_namespace(core: client.CoreV1Api, name: str) -> str:
    await core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=name)))
    return name


async def measure(
    label: str, chart_dir: Path, kube: KubeClient, core: client.CoreV1Api,
    api: client.ApiClient, helm: Helm,
) -> list[Row]:  # fmt: skip
    chart = load(chart_dir)
    engine = Engine(kube, StorageBackend(DriverKind.SECRET, api_client=api))
    ours: dict[str, list[float]] = {"install": [], "upgrade": []}
    theirs: dict[str, list[float]] = {"install": [], "upgrade": []}
    for run in range(RUNS):
        ns = await new_namespace(core, f"bench-s-{label}-{run}")
        values = {"benchRevision": 2}
        ours["install"].append(
            await timed(install(engine, chart, {}, InstallOptions(namespace=ns, name="b")))
        )
        ours["upgrade"].append(
            await timed(upgrade(engine, chart, values, UpgradeOptions(namespace=ns, name="b")))
        )
        ns = await new_namespace(core, f"bench-h-{label}-{run}")
        theirs["install"].append(await timed(helm.run("install", "b", str(chart_dir), "-n", ns)))
        theirs["upgrade"].append(
            await timed(helm.run("upgrade", "b", str(chart_dir), "-n", ns, "--set", UPGRADE_SET))
        )
    return [
        (label, action, ours[action][0], statistics.median(ours[action]),
         statistics.median(theirs[action]))
        for action in ("install", "upgrade")
    ]  # fmt: skip


async def largest_conformance_chart(helm: Helm, core: client.CoreV1Api) -> Path | None:
    """The conformance chart with the largest rendered manifest among those helm can install
    and upgrade here (some are error cases or render objects the apiserver refuses)."""
    if not CONFORMANCE.is_dir():
        return None
    sized: list[tuple[int, Path]] = []
    for d in sorted(CONFORMANCE.iterdir()):
        if not (d / "Chart.yaml").is_file():
            continue
        try:
            rel = await helm_dry_run(helm, d, "default")
        except RuntimeError:
            continue
        sized.append((len(rel.get("manifest", "")), d))
    for i, (_, d) in enumerate(sorted(sized, reverse=True)):
        ns = await new_namespace(core, f"bench-probe-{i}")
        try:
            await helm.run("install", "b", str(d), "-n", ns)
            await helm.run("upgrade", "b", str(d), "-n", ns, "--set", UPGRADE_SET)
        except RuntimeError:
            continue
        return d
    return None


async def run(bench: TestBench) -> list[Row]:
    cfg = client.Configuration()
    await config.load_kube_config(str(bench.control_plane.kubeconfig), client_configuration=cfg)
    api = client.ApiClient(configuration=cfg)
    core = client.CoreV1Api(api)
    kube = KubeClient(api)
    work = Path(tempfile.mkdtemp(prefix="steersman-bench-engine-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBE"))}
    env.update(KUBECONFIG=str(bench.control_plane.kubeconfig), HELM_DRIVER="secret",
               HELM_CONFIG_HOME=str(work / "config"), HELM_CACHE_HOME=str(work / "cache"),
               HELM_DATA_HOME=str(work / "data"))  # fmt: skip
    helm = Helm(bench.binaries.helm_v4, env)
    await helm.run("create", str(work / "web"))
    charts = [("helm-create", work / "web")]
    if (largest := await largest_conformance_chart(helm, core)) is not None:
        charts.append((f"conformance/{largest.name}", largest))
    rows: list[Row] = []
    try:
        for label, chart_dir in charts:
            safe = label.replace("/", "-").replace("_", "-").lower()
            try:
                rows.extend(await measure(safe, chart_dir, kube, core, api, helm))
            except Exception as err:  # one chart failing should not hide the others
                print(f"{label}: {err}")
    finally:
        await api.close()
    return rows


def print_table(rows: list[Row]) -> None:
    print(f"wall ms, median of {RUNS} runs (cold: Steersman's first run)")
    print(f"{'chart':<28} {'action':<8} {'ours cold':>9} {'steersman':>10} {'helm v4':>9}"
          f" {'ours/helm':>10}")  # fmt: skip
    for chart, action, cold, ours, helm in rows:
        print(f"{chart:<28} {action:<8} {cold:9.1f} {ours:10.1f} {helm:9.1f} {ours / helm:10.2f}")


def main() -> None:
    bench = TestBench.start()
    try:
        print_table(asyncio.run(run(bench)))
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
