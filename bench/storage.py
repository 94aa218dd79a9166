"""Storage benchmark: one release with 200 revisions per driver, our Storage vs the helm v4 CLI.

For each driver the same records are read through Steersman's `Storage` (history, last,
deployed) and through `helm history` / `helm status` (helm v4, same backend, same data; for the
memory driver helm preloads the records from a file). Times are medians; helm's include its
process start, which is what a helm-based controller step pays too (shown on its own line).

Run: `.venv/bin/python -m bench.storage` (starts and stops its own test bench).
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import asyncpg
from kubernetes_asyncio import client, config

from hack.testenv import TestBench
from steersman.chartmodel import Metadata
from steersman.storage import (
    Driver,
    GoTime,
    Hook,
    HookExecution,
    Info,
    Release,
    Storage,
    StoredChart,
    StoredFile,
)
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.memory import MemoryDriver
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools

REVISIONS = 200
OUR_RUNS = 30
HELM_RUNS = 7
NAME = "web"
TINY = Path(__file__).resolve().parent.parent / "tests" / "charts" / "tiny"


def revision(version: int, namespace: str) -> Release:
    """A release like helm writes for the tiny chart; the newest revision is deployed."""
    status = "deployed" if version == REVISIONS else "superseded"
    when = GoTime.now()
    template = (TINY / "templates" / "configmap.yaml").read_bytes()
    return Release(
        name=NAME,
        namespace=namespace,
        version=version,
        info=Info(
            status=status,
            description="Upgrade complete",
            first_deployed=when,
            last_deployed=when,
            notes="Thanks for installing\n",
        ),
        chart=StoredChart(
            metadata=Metadata(
                name="tiny",
                version="0.1.0",
                api_version="v2",
                app_version="1.0",
                description="bench chart",
                type="application",
            ),
            templates=[StoredFile("templates/configmap.yaml", template)],
            values={"greeting": "hello"},
            files=[StoredFile(".helmignore", b"*.tgz\n")],
        ),
        config={"greeting": f"rev-{version}", "replicas": version % 5},
        manifest="---\n# Source: tiny/templates/configmap.yaml\napiVersion: v1\nkind: ConfigMap\n"
        f'metadata:\n  name: {NAME}-tiny\ndata:\n  greeting: "rev-{version}"\n',
        hooks=[
            Hook(
                name=f"{NAME}-test",
                kind="Pod",
                path="tiny/templates/tests/t.yaml",
                manifest="apiVersion: v1\nkind: Pod\n",
                events=["test"],
                last_run=HookExecution(when, when, "Succeeded"),
            )
        ],
        labels={"team": "bench"},
    )


async def median_ms(fn: Callable[[], Awaitable[object]], runs: int = OUR_RUNS) -> float:
    await fn()  # warm-up: pools, connections, caches
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def helm_run(helm: Path, args: list[str], env: dict[str, str]) -> bytes:
    proc = await asyncio.create_subprocess_exec(
        str(helm), *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"helm {' '.join(args)} failed: {err.decode()}")
    return out


async def helm_ms(helm: Path, args: list[str], env: dict[str, str]) -> float:
    samples = []
    for _ in range(HELM_RUNS):
        start = time.perf_counter()
        await helm_run(helm, args, env)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def run(bench: TestBench) -> list[tuple[str, str, float, float | None, str]]:
    cfg = client.Configuration()
    await config.load_kube_config(str(bench.control_plane.kubeconfig), client_configuration=cfg)
    api = client.ApiClient(configuration=cfg)
    core = client.CoreV1Api(api)
    admin = await asyncpg.connect(bench.postgres_dsn)
    await admin.execute("CREATE DATABASE bench_storage")
    await admin.close()
    dsn = bench.postgres_dsn.rpartition("/")[0] + "/bench_storage"
    pools = SqlPools(SqlDsn(dsn))
    work = Path(tempfile.mkdtemp(prefix="steersman-bench-storage-"))
    base_env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBE"))}
    base_env.update(KUBECONFIG=str(bench.control_plane.kubeconfig),
                    HELM_CONFIG_HOME=str(work / "config"), HELM_CACHE_HOME=str(work / "cache"),
                    HELM_DATA_HOME=str(work / "data"))  # fmt: skip
    helm = bench.binaries.helm_v4
    rows: list[tuple[str, str, float, float | None, str]] = []
    try:
        rows.append(("helm v4", "process start (helm version)", 0.0,
                     await helm_ms(helm, ["version"], base_env), "helm version"))  # fmt: skip
        for kind in ("secret", "configmap", "sql", "memory"):
            ns = f"bench-{kind}"
            env = dict(base_env, HELM_DRIVER=kind)
            if kind in ("secret", "configmap"):
                await core.create_namespace(
                    client.V1Namespace(metadata=client.V1ObjectMeta(name=ns))
                )
                driver: Driver = (SecretDriver if kind == "secret" else ConfigMapDriver)(api, ns)
            elif kind == "sql":
                driver = SqlDriver(pools, ns)
                env["HELM_DRIVER_SQL_CONNECTION_STRING"] = f"{dsn}?sslmode=disable"
            else:
                ns = "default"
                driver = MemoryDriver(namespace=ns)
            storage = Storage(driver)
            releases = [revision(v, ns) for v in range(1, REVISIONS + 1)]
            for rel in releases:
                await storage.create(rel)
            if kind == "memory":
                data = work / "releases.json"
                data.write_text(json.dumps([r.to_json() for r in releases]))
                env["HELM_MEMORY_DRIVER_DATA"] = str(data)
            assert len(await storage.history(NAME)) == REVISIONS
            history = ["history", NAME, "-n", ns, "--max", str(REVISIONS + 56), "-o", "json"]
            status = ["status", NAME, "-n", ns, "-o", "json"]
            assert len(json.loads(await helm_run(helm, history, env))) == REVISIONS
            rows.append((kind, "history (200 revisions)",
                         await median_ms(functools.partial(storage.history, NAME)),
                         await helm_ms(helm, history, env), "helm history"))  # fmt: skip
            rows.append((kind, "last", await median_ms(functools.partial(storage.last, NAME)),
                         await helm_ms(helm, status, env), "helm status"))  # fmt: skip
            rows.append((kind, "deployed",
                         await median_ms(functools.partial(storage.deployed, NAME)),
                         None, "(no helm command reads only Deployed)"))  # fmt: skip
    finally:
        await pools.close()
        await api.close()
    return rows


def print_table(rows: list[tuple[str, str, float, float | None, str]]) -> None:
    print(f"{'driver':<10} {'query':<30} {'ours ms':>9} {'helm ms':>9} {'helm/ours':>10}  helm cmd")
    for kind, query, ours, helm, cmd in rows:
        ours_s = f"{ours:9.2f}" if ours else f"{'-':>9}"
        helm_s = f"{helm:9.1f}" if helm is not None else f"{'-':>9}"
        ratio = f"{helm / ours:9.1f}x" if helm is not None and ours else f"{'-':>10}"
        print(f"{kind:<10} {query:<30} {ours_s} {helm_s} {ratio}  {cmd}")


def main() -> None:
    bench = TestBench.start()
    try:
        print_table(asyncio.run(run(bench)))
    finally:
        bench.stop()


if __name__ == "__main__":
    main()
