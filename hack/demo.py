"""`make demo`: the operator end to end on this machine.

Starts the local control plane, PostgreSQL and an OCI registry (hack/testenv), installs the
HelmRelease CRD, pushes the sample chart to the registry, runs `steersman run` (default storage:
Secrets; `sql` allowed per release), applies two HelmReleases (one per storage), waits until
both are Ready and prints `kubectl get helmreleases` (from the apiserver's Table rendering, the
same columns kubectl shows) and `helm list -A` for both storages. Then it waits for Ctrl-C.
`--once` stops everything right after printing (what the tests use).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from hack.operatorkit import (
    OperatorProcess,
    format_table,
    helm_env,
    helmrelease,
    install_crd,
    push_chart,
    table,
    wait_until,
)
from hack.testenv import OciRegistry, TestBench, TestEnvError
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient

NAMESPACE = "demo"


def _spec(repo: str, greeting: str, driver: str | None = None) -> dict[str, object]:
    spec: dict[str, object] = {
        "interval": "1m",
        "chart": {"repository": repo, "name": "demo", "version": "0.1.x", "insecure": True},
        "values": {"greeting": greeting},
    }
    if driver:
        spec["storage"] = {"driver": driver}
    return spec


async def _install_crd(kubeconfig: Path) -> None:
    kube = await KubeClient.from_kubeconfig(str(kubeconfig))
    try:
        await install_crd(kube)
    finally:
        await kube.close()


async def _apply_and_wait(kubeconfig: Path, repo: str) -> str:
    kube = await KubeClient.from_kubeconfig(str(kubeconfig))
    try:
        await kube.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}})
        releases = {
            "hello": _spec(repo, "hello from Secrets"),
            "hello-sql": _spec(repo, "hello from PostgreSQL", "sql"),
        }
        for name, spec in releases.items():
            await kube.apply(helmrelease(name, spec, namespace=NAMESPACE))

        async def all_ready() -> bool:
            items = await kube.list(API_VERSION, KIND, NAMESPACE)
            ready = [
                c
                for hr in items
                for c in (hr.get("status") or {}).get("conditions") or []
                if c["type"] == "Ready" and c["status"] == "True"
            ]
            return len(ready) == len(releases)

        await wait_until(all_ready, 120, "both HelmReleases to be Ready", every=0.5)
        return format_table(await table(kube), wide=True)
    finally:
        await kube.close()


def _helm_list(helm: Path, env: dict[str, str]) -> str:
    res = subprocess.run([str(helm), "list", "-A"], env=env, capture_output=True, text=True)
    return (res.stdout + res.stderr).rstrip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo")
    parser.add_argument("--once", action="store_true", help="stop right after printing")
    args = parser.parse_args(argv)
    try:
        bench = TestBench.start()
    except TestEnvError as err:
        print(f"demo: {err}", file=sys.stderr)
        return 1
    registry = OciRegistry(bench.root / "registry")
    operator: OperatorProcess | None = None
    try:
        print("Steersman demo environment is up:")
        print(bench.describe())
        registry.start()
        kubeconfig = bench.control_plane.kubeconfig
        env = helm_env(kubeconfig, Path(tempfile.mkdtemp(prefix="helm-", dir=bench.root)))
        repo = push_chart(bench.binaries.helm_v4, env, registry.address)
        print(f"sample chart:   {repo}/demo:0.1.0 (local OCI registry)")
        asyncio.run(_install_crd(kubeconfig))
        dsn = f"{bench.postgres_dsn}?sslmode=disable"
        operator = OperatorProcess(
            kubeconfig,
            ["--all-namespaces", "--allowed-storage-drivers", "sql", "--log-format", "text"],
            {"HELM_DRIVER_SQL_CONNECTION_STRING": dsn},
            log_path=bench.root / "operator.log",
        )
        operator.start()
        asyncio.run(operator.wait_ready(60))
        print(f"operator:       pid {operator.pid}, log {operator.log_path}")
        printed = asyncio.run(_apply_and_wait(kubeconfig, repo))
        helm = bench.binaries.helm_v4
        print("\n$ kubectl get helmreleases -A -o wide")
        print(printed)
        print("\n$ helm list -A")
        print(_helm_list(helm, env))
        print("\n$ HELM_DRIVER=sql helm list -A")
        print(
            _helm_list(
                helm, {**env, "HELM_DRIVER": "sql", "HELM_DRIVER_SQL_CONNECTION_STRING": dsn}
            )
        )
        print("\nTry it:")
        print(f"  export KUBECONFIG={kubeconfig}")
        print(f"  {helm} history hello -n {NAMESPACE}")
        print(f"  HELM_DRIVER=sql HELM_DRIVER_SQL_CONNECTION_STRING='{dsn}' {helm} list -A")
        print(f"  tail -f {operator.log_path}")
        if args.once:
            return 0
        print("\nPress Ctrl-C (or send SIGTERM) to stop everything.", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        return 0
    except (TestEnvError, TimeoutError, RuntimeError, subprocess.CalledProcessError) as err:
        print(f"demo failed: {err}", file=sys.stderr)
        if operator is not None:
            print(operator.log()[-4000:], file=sys.stderr)
        return 1
    finally:
        if operator is not None:
            operator.stop()
        registry.stop()
        bench.stop()
        print("demo environment stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
