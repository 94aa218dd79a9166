"""Operator benchmark: 100 HelmReleases applied at once vs `helm upgrade --install` of the same
100 releases one after another (helm v4, same chart from the same local OCI registry, same
apiserver, same run); then the operator's RSS and CPU while idle with 500 Ready HelmReleases.

The operator runs as `steersman run` in a subprocess with default flags (`--concurrent 4`,
Secret storage). Time for the operator: from the first create until every HelmRelease reports
Ready=True. Idle CPU: /proc/<pid>/stat user+system time over a quiet window after all 500 are
Ready (interval 10m, so no reconcile falls into it unless something is wrong).

Run: `.venv/bin/python -m bench.operator` (starts and stops its own test bench).
Goals (issue 7): >= 2x faster than sequential helm; idle CPU < 5% of a core; RSS < 300 MB.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import tempfile
import time
from pathlib import Path

from hack.operatorkit import (
    OperatorProcess,
    helm_env,
    helmrelease,
    install_crd,
    push_chart,
    wait_until,
)
from hack.testenv import OciRegistry, TestBench
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient

N_AT_ONCE = 100
N_IDLE = 500
IDLE_WINDOW = 30.0


def _spec(repo: str) -> dict[str, object]:
    return {
        "interval": "10m",
        "chart": {"repository": repo, "name": "demo", "version": "0.1.0", "insecure": True},
        "values": {"greeting": "bench"},
    }


async def _ready_count(kube: KubeClient, namespace: str) -> int:
    items = await kube.list(API_VERSION, KIND, namespace)
    return sum(
        1
        for hr in items
        for c in (hr.get("status") or {}).get("conditions") or []
        if c["type"] == "Ready" and c["status"] == "True"
    )


async def _apply_many(kube: KubeClient, namespace: str, names: list[str], repo: str) -> None:
    limit = asyncio.Semaphore(16)

    async def one(name: str) -> None:
        async with limit:
            await kube.create(helmrelease(name, _spec(repo)), namespace=namespace)

    await asyncio.gather(*(one(n) for n in names))


async def _namespace(kube: KubeClient, name: str) -> None:
    await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})


async def operator_at_once(kube: KubeClient, repo: str) -> float:
    ns = "bench-operator"
    await _namespace(kube, ns)
    started = time.perf_counter()
    await _apply_many(kube, ns, [f"r{i}" for i in range(N_AT_ONCE)], repo)

    async def all_ready() -> bool:
        return await _ready_count(kube, ns) == N_AT_ONCE

    await wait_until(all_ready, 600, f"{N_AT_ONCE} HelmReleases Ready", every=0.25)
    return time.perf_counter() - started


def helm_sequential(helm: Path, env: dict[str, str], repo: str) -> float:
    ns = "bench-helm"
    subprocess.run([str(helm), "version"], env=env, check=True, capture_output=True)  # warm
    started = time.perf_counter()
    for i in range(N_AT_ONCE):
        subprocess.run(
            [
                str(helm), "upgrade", "--install", f"r{i}", f"{repo}/demo",
                "--version", "0.1.0", "--plain-http", "-n", ns, "--create-namespace",
                "--set", "greeting=bench",
            ],
            env=env,
            check=True,
            capture_output=True,
        )  # fmt: skip
    return time.perf_counter() - started


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime + stime


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def idle_usage(kube: KubeClient, repo: str, pid: int) -> tuple[float, float, float]:
    """(seconds to get 500 Ready, idle CPU % of one core, RSS MB)."""
    ns = "bench-operator"
    more = [f"r{i}" for i in range(N_AT_ONCE, N_IDLE)]
    started = time.perf_counter()
    await _apply_many(kube, ns, more, repo)

    async def all_ready() -> bool:
        return await _ready_count(kube, ns) == N_IDLE

    await wait_until(all_ready, 900, f"{N_IDLE} HelmReleases Ready", every=1.0)
    took = time.perf_counter() - started
    await asyncio.sleep(5)  # let the last status writes and events drain
    cpu0, t0 = _cpu_seconds(pid), time.perf_counter()
    await asyncio.sleep(IDLE_WINDOW)
    cpu = (_cpu_seconds(pid) - cpu0) / (time.perf_counter() - t0) * 100
    return took, cpu, _rss_mb(pid)


async def run(bench: TestBench, registry: OciRegistry) -> None:
    kubeconfig = bench.control_plane.kubeconfig
    env = helm_env(kubeconfig, Path(tempfile.mkdtemp(prefix="helm-", dir=bench.root)))
    repo = push_chart(bench.binaries.helm_v4, env, registry.address)
    kube = await KubeClient.from_kubeconfig(str(kubeconfig))
    operator = OperatorProcess(
        kubeconfig, ["--all-namespaces", "--log-level", "warning"], log_path=bench.root / "op.log"
    )
    try:
        await install_crd(kube)
        operator.start()
        await operator.wait_ready(60)
        ours = await operator_at_once(kube, repo)
        helm = await asyncio.to_thread(helm_sequential, bench.binaries.helm_v4, env, repo)
        took_500, cpu, rss = await idle_usage(kube, repo, operator.pid)
    finally:
        operator.stop()
        await kube.close()
    print(f"{'measure':<52} {'value':>10}  goal")
    print(f"{f'{N_AT_ONCE} HelmReleases at once, until all Ready (s)':<52} {ours:>10.1f}")
    print(f"{f'helm v4 upgrade --install x{N_AT_ONCE}, sequential (s)':<52} {helm:>10.1f}")
    print(f"{'speed-up vs sequential helm':<52} {helm / ours:>9.1f}x  >= 2x")
    print(f"{f'{N_IDLE - N_AT_ONCE} more, until all {N_IDLE} Ready (s)':<52} {took_500:>10.1f}")
    print(f"{f'idle CPU with {N_IDLE} Ready (% of one core)':<52} {cpu:>10.2f}  < 5%")
    print(f"{f'operator RSS with {N_IDLE} Ready (MB)':<52} {rss:>10.0f}  < 300 MB")


def main() -> None:
    bench = TestBench.start(with_postgres=False)
    registry = OciRegistry(bench.root / "registry")
    try:
        registry.start()
        asyncio.run(run(bench, registry))
    finally:
        registry.stop()
        bench.stop()


if __name__ == "__main__":
    main()
