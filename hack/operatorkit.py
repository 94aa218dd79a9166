"""Running the operator against the bench: the CRD, a sample chart pushed to a local OCI
registry, `steersman run` as a subprocess, `kubectl get helmreleases`-style tables, waiting.

Shared by the end-to-end tests, `make demo` and `bench/operator`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Awaitable, Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

from hack.testenv.parts import free_port
from hack.testenv.parts import helm_env as testenv_helm_env
from steersman.api import API_VERSION, KIND, names
from steersman.api.crd import render_crd
from steersman.kube import KubeClient, UnknownKind

ROOT = Path(__file__).resolve().parents[1]
SAMPLE_CHART = ROOT / "tests" / "charts" / "e2e" / "demo"
CRD_API = "apiextensions.k8s.io/v1"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io"
T = TypeVar("T")


async def wait_until(
    probe: Callable[[], Awaitable[T | None]], within: float, what: str, every: float = 0.2
) -> T:
    """Poll `probe` until it returns something truthy; TimeoutError naming `what`."""
    deadline = time.monotonic() + within
    while True:
        value = await probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {within:.0f}s waiting for {what}")
        await asyncio.sleep(every)


async def install_crd(kube: KubeClient) -> None:
    """Apply the HelmRelease CRD and wait until the apiserver serves it."""
    await kube.apply(render_crd())

    async def established() -> bool:
        live = await kube.get(CRD_API, "CustomResourceDefinition", names.CRD_NAME)
        conds = {c["type"]: c["status"] for c in (live.get("status") or {}).get("conditions") or []}
        if conds.get("Established") != "True":
            return False
        kube.discovery.invalidate(API_VERSION)
        try:
            await kube.resource(API_VERSION, KIND)
        except UnknownKind:
            return False
        return True

    await wait_until(established, 30, "the HelmRelease CRD")


def push_chart(
    helm: Path,
    env: Mapping[str, str],
    registry: str,
    versions: Sequence[str] = ("0.1.0",),
    chart_dir: Path = SAMPLE_CHART,
) -> str:
    """Package `chart_dir` at each version and push it to oci://<registry>/charts; returns the
    repository URL to put in `spec.chart.repository` (with `insecure: true`)."""
    with tempfile.TemporaryDirectory() as out:
        for version in versions:
            subprocess.run(
                [str(helm), "package", str(chart_dir), "--version", version, "-d", out],
                env=dict(env),
                check=True,
                capture_output=True,
            )
            archive = Path(out) / f"{chart_dir.name}-{version}.tgz"
            subprocess.run(
                [str(helm), "push", str(archive), f"oci://{registry}/charts", "--plain-http"],
                env=dict(env),
                check=True,
                capture_output=True,
            )
    return f"oci://{registry}/charts"


def helm_env(kubeconfig: Path, home: Path) -> dict[str, str]:
    return testenv_helm_env(home, kubeconfig)


def helmrelease(name: str, spec: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": KIND,
        "metadata": {"name": name, **meta},
        "spec": spec,
    }


async def table(kube: KubeClient, namespace: str | None = None) -> dict[str, Any]:
    """The apiserver's Table rendering of HelmReleases (what `kubectl get hr` prints)."""
    res = await kube.resource(API_VERSION, KIND)
    result = await kube.api.call_api(
        res.path(namespace),
        "GET",
        header_params={"Accept": TABLE_ACCEPT},
        response_types_map={200: "object"},
        auth_settings=["BearerToken"],
        _return_http_data_only=True,
    )
    return dict(result)


def format_table(data: Mapping[str, Any], with_namespace: bool = True, wide: bool = False) -> str:
    """Columns aligned like kubectl; NAMESPACE first when listing several namespaces; columns of
    priority > 0 only when `wide` (as `kubectl get -o wide`)."""
    shown = [i for i, c in enumerate(data["columnDefinitions"]) if wide or not c.get("priority")]
    header = [data["columnDefinitions"][i]["name"].upper() for i in shown]
    rows = []
    for row in data.get("rows") or []:
        cells = ["" if row["cells"][i] is None else str(row["cells"][i]) for i in shown]
        if with_namespace:
            cells.insert(0, str((row.get("object") or {}).get("metadata", {}).get("namespace", "")))
        rows.append(cells)
    if with_namespace:
        header.insert(0, "NAMESPACE")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "   ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
        for r in [header, *rows]
    ]
    return "\n".join(lines)


class OperatorProcess:
    """`steersman run` in a subprocess, logging to a file we can read back."""

    def __init__(
        self,
        kubeconfig: Path,
        args: Sequence[str] = (),
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
    ) -> None:
        self.kubeconfig = kubeconfig
        self.args = list(args)
        self.env = dict(env or {})
        self.log_path = log_path or Path(
            tempfile.mkstemp(prefix="steersman-operator-", suffix=".log")[1]
        )
        self.health_port = free_port()
        self.metrics_port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "STEERSMAN_"))}
        env.update(self.env)
        argv = [
            sys.executable,
            "-m",
            "steersman.cli",
            "run",
            "--kubeconfig",
            str(self.kubeconfig),
            "--health-addr",
            f"127.0.0.1:{self.health_port}",
            "--metrics-addr",
            f"127.0.0.1:{self.metrics_port}",
            *self.args,
        ]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(argv, stdout=log, stderr=log, env=env, cwd=ROOT)

    def _ready(self) -> bool:
        try:
            url = f"http://127.0.0.1:{self.health_port}/readyz"
            with urllib.request.urlopen(url, timeout=1) as resp:
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    async def wait_ready(self, within: float = 30) -> None:
        async def probe() -> bool:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(
                    f"operator exited with {self.proc.returncode}:\n{self.log()[-3000:]}"
                )
            return await asyncio.to_thread(self._ready)

        await wait_until(probe, within, "the operator to be ready")

    def metrics(self) -> str:
        url = f"http://127.0.0.1:{self.metrics_port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as resp:
            return str(resp.read().decode())

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM and wait (a graceful shutdown); SIGKILL if it hangs."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode

    def kill(self) -> None:
        """SIGKILL: the operator dies mid-whatever, like an OOM kill."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid
