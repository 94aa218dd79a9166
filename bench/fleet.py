"""The operator at scale on Flux's own benchmark workload (fluxcd/flux-benchmark, the
`flux-hr-bench` module): N HelmReleases of podinfo from an OCI registry in one tenant
namespace, each impersonating the tenant's namespace-admin service account, drift detection
on, values with an ingress and a service account; then the upgrade round (the CPU request
1m -> 2m, as the benchmark's `MCPU=2`).

    .venv/bin/python -m bench.fleet --n 100 [--n 500 --n 1000] [--profile DIR]

Each N gets a test bench of its own (etcd, kube-apiserver, the OCI registry) and a fresh
operator (`steersman run`, default flags). Measured: seconds from the first create until all N
are Ready, and from the first upgrade patch until all N are Ready at the new generation; the
Ready count every few seconds (the rate per minute, to see the slope); the operator's peak RSS
(VmHWM) and CPU (utime+stime); kube-apiserver's and etcd's CPU; the apiserver's own
`apiserver_request_total` before and after each phase, by verb and resource, less the bench's
own requests, per HelmRelease.

The operator runs with `--concurrent 10` (flux-benchmark runs helm-controller with
concurrency 10) and the image's MALLOC_ARENA_MAX=2.

Differences from flux-benchmark, forced by the bench: there is no kube-controller-manager, so
(1) the `admin` ClusterRole stays empty (aggregation never runs): the tenant gets an explicit
Role granting everything in its namespace instead, and (2) no Deployment ever becomes
available: the bench plays the Deployment controller (one status patch per new generation, as
`make_deployment_ready` in the e2e tests), so the operator waits as Flux's helm-controller does
(wait is on by default) and the workload stays Flux's. The chart is podinfo packaged at run
time from a snapshot (never committed; `hack.chart_corpus` assembles it under
~/.cache/steersman/corpus), its `kubeVersion` widened to the bench's kube-apiserver 1.20.
`--profile DIR` runs the operator under py-spy (when installed): collapsed stacks per N.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from hack.chart_corpus import DEFAULT_OUT as CORPUS
from hack.operatorkit import OperatorProcess, helm_env, helmrelease, install_crd, push_chart
from hack.testenv import OciRegistry, TestBench
from steersman.api import API_VERSION, KIND
from steersman.errors import SteersmanError
from steersman.kube import KubeClient

NAMESPACE = "helm-benchmark"
TENANT = "podinfo-hr"  # the timoni instance name: release names, the tenant label
ACCOUNT = "flux"
MIRROR = Path("/work/.mirror/stefanprodan+podinfo/repo")
POLL = 2.0
# flux-benchmark runs helm-controller with concurrency 10; the default (as Flux's) is 4.
CONCURRENT = 10
# The operator image's environment that bears on speed and memory (see the Dockerfile).
IMAGE_ENV = {"MALLOC_ARENA_MAX": "2"}
Key = tuple[str, str, str]  # (verb, resource, subresource) of apiserver_request_total


def podinfo_chart(work: Path) -> Path:
    """podinfo from the chart corpus (or straight from a git snapshot of stefanprodan/podinfo),
    copied so its kubeVersion can be widened to the bench's 1.20 apiserver."""
    source = CORPUS / "podinfo"
    out = work / "podinfo"
    if (source / "Chart.yaml").is_file():
        shutil.copytree(source, out)
    elif MIRROR.is_dir():
        archive = subprocess.run(
            ["git", "--git-dir", str(MIRROR), "archive", "HEAD", "charts/podinfo"],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)
        shutil.move(work / "charts" / "podinfo", out)
    else:
        sys.exit(
            f"no podinfo chart: run `python -m hack.chart_corpus MIRROR` (a snapshot of "
            f"stefanprodan/podinfo) so {source} exists"
        )
    meta_path = out / "Chart.yaml"
    meta = yaml.safe_load(meta_path.read_text())
    meta["kubeVersion"] = ">=1.20.0-0"
    meta_path.write_text(yaml.safe_dump(meta, sort_keys=False))
    return out


def spec(repo: str, name: str, mcpu: int) -> dict[str, Any]:
    """flux-hr-bench's HelmRelease (pods: 0, so no HPA and no tests), in our API."""
    return {
        "releaseName": name,
        "serviceAccountName": ACCOUNT,
        "targetNamespace": NAMESPACE,
        "storageNamespace": NAMESPACE,
        "interval": "60m",
        "chart": {"repository": repo, "name": "podinfo", "version": "*", "insecure": True},
        "driftDetection": {"mode": "enabled"},
        "install": {"crds": "Create"},
        "upgrade": {"crds": "CreateReplace"},
        "values": {
            "replicaCount": 0,
            "serviceAccount": {"enabled": True},
            "ingress": {"enabled": True, "className": "nginx"},
            "resources": {"requests": {"cpu": f"{mcpu}m", "memory": "16Mi"}},
            "faults": {"testFail": False},
        },
    }


async def tenant(kube: KubeClient) -> None:
    """The namespace, its service account and a namespace-admin Role bound to it."""
    labels = {"toolkit.fluxcd.io/tenant": TENANT}
    meta = {"namespace": NAMESPACE, "labels": labels}
    rbac = "rbac.authorization.k8s.io/v1"
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NAMESPACE}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": ACCOUNT, **meta}},
        {
            "apiVersion": rbac,
            "kind": "Role",
            "metadata": {"name": "namespace-admin", **meta},
            "rules": [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["*"]}],
        },
        {
            "apiVersion": rbac,
            "kind": "RoleBinding",
            "metadata": {"name": TENANT, **meta},
            "roleRef": {"apiGroup": rbac.split("/")[0], "kind": "Role", "name": "namespace-admin"},
            "subjects": [{"kind": "ServiceAccount", "name": ACCOUNT, "namespace": NAMESPACE}],
        },
    ]  # fmt: skip
    for obj in objects:
        await kube.apply(obj)


@dataclass
class Own:
    """The bench's own apiserver requests, to take out of the apiserver's counts."""

    counts: Counter[Key] = field(default_factory=Counter)

    def add(self, verb: str, resource: str, sub: str = "", n: int = 1) -> None:
        self.counts[(verb, resource, sub)] += n


async def play_deployment_controller(kube: KubeClient, own: Own) -> None:
    """Mark each new Deployment generation available, as the Deployment controller would."""
    done: dict[str, int] = {}
    while True:
        own.add("LIST", "deployments")
        items, version = await kube.list_with_version("apps/v1", "Deployment", NAMESPACE)
        pending = list(items)
        try:
            own.add("WATCH", "deployments")
            async for kind, obj in _watch_with(kube, version, pending):
                if kind == "BOOKMARK" or kind == "DELETED":
                    continue
                meta = obj["metadata"]
                generation = int(meta.get("generation") or 0)
                if done.get(meta["name"], 0) >= generation:
                    continue
                if (obj.get("status") or {}).get("observedGeneration") == generation:
                    done[meta["name"]] = generation
                    continue
                done[meta["name"]] = generation
                own.add("PATCH", "deployments", "status")
                await kube.patch_status(
                    "apps/v1", "Deployment", meta["name"], NAMESPACE, _available(generation)
                )
        except SteersmanError:
            await asyncio.sleep(0.5)  # an expired watch: list again


async def _watch_with(
    kube: KubeClient, version: str, first: list[dict[str, Any]]
) -> Any:  # AsyncIterator[(type, object)]: the listed objects first, then the watch
    for obj in first:
        yield "ADDED", obj
    async for event in kube.watch("apps/v1", "Deployment", NAMESPACE, resource_version=version):
        yield event


def _available(generation: int) -> dict[str, Any]:
    return {
        "observedGeneration": generation,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable"},
        ],
    }


def _ready_at(hr: dict[str, Any], generation: int) -> bool:
    status = hr.get("status") or {}
    if status.get("observedGeneration") != generation:
        return False
    return any(
        c["type"] == "Ready" and c["status"] == "True" for c in status.get("conditions") or []
    )


async def until_ready(
    kube: KubeClient, own: Own, n: int, generation: int, started: float, within: float
) -> tuple[float, list[tuple[float, int]]]:
    """Seconds until all N are Ready at `generation`, and (seconds, Ready count) samples."""
    samples: list[tuple[float, int]] = []
    while True:
        own.add("LIST", "helmreleases")
        items = await kube.list(API_VERSION, KIND, NAMESPACE)
        ready = sum(1 for hr in items if _ready_at(hr, generation))
        now = time.perf_counter() - started
        samples.append((now, ready))
        if ready == n:
            return now, samples
        if now > within:
            raise TimeoutError(f"only {ready} of {n} HelmReleases Ready after {within:.0f}s")
        await asyncio.sleep(POLL)


async def _each(names: Iterable[str], act: Any) -> None:
    limit = asyncio.Semaphore(16)

    async def one(name: str) -> None:
        async with limit:
            await act(name)

    await asyncio.gather(*(one(n) for n in names))


def rates(samples: list[tuple[float, int]]) -> list[int]:
    """HelmReleases that became Ready in each minute (the last, partial one scaled up)."""
    out: list[int] = []
    done_before = 0
    minute = 1
    for i, (t, ready) in enumerate(samples):
        last = i == len(samples) - 1
        if t >= minute * 60 or last:
            span = min(60.0, t - (minute - 1) * 60)
            out.append(round((ready - done_before) * 60 / span) if span > 0 else 0)
            done_before = ready
            minute += 1
    return out


# -- measuring processes and the apiserver ----------------------------------------------------


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def peak_rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def apiserver_requests(server: str, token: str) -> Counter[Key]:
    """apiserver_request_total summed by (verb, resource, subresource)."""
    req = urllib.request.Request(f"{server}/metrics", headers={"Authorization": f"Bearer {token}"})
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with urllib.request.urlopen(req, timeout=10, context=ctx) as resp:
        text = resp.read().decode()
    counts: Counter[Key] = Counter()
    for line in text.splitlines():
        if not line.startswith("apiserver_request_total{"):
            continue
        labels_text, value = line[len("apiserver_request_total{") :].rsplit("} ", 1)
        labels = dict(
            part.split("=", 1) for part in labels_text.split('",') if "=" in part
        )  # values hold no '",'
        label = {k: v.strip('"') for k, v in labels.items()}
        key = (label.get("verb", ""), label.get("resource", ""), label.get("subresource", ""))
        counts[key] += int(float(value))
    return counts


@dataclass
class Phase:
    seconds: float
    samples: list[tuple[float, int]]
    requests: Counter[Key]  # the operator's (and the apiserver's own), the bench's taken out
    operator_cpu: float
    control_plane_cpu: float


@dataclass
class Result:
    n: int
    install: Phase
    upgrade: Phase
    peak_rss: float
    load: str


def _control_plane_pids(bench: TestBench) -> list[int]:
    cp = bench.control_plane
    procs = [getattr(cp, "_api", None), getattr(cp, "_etcd", None)]
    return [p.pid for p in procs if p is not None]


async def phase(
    bench: TestBench,
    kube: KubeClient,
    op: OperatorProcess,
    own: Own,
    n: int,
    generation: int,
    act: Any,
) -> Phase:
    cp = bench.control_plane
    own_before = Counter(own.counts)
    pids = _control_plane_pids(bench)
    before = await asyncio.to_thread(apiserver_requests, cp.server, cp.token)
    cpu0, plane0 = cpu_seconds(op.pid), sum(cpu_seconds(p) for p in pids)
    started = time.perf_counter()
    await act(own)
    seconds, samples = await until_ready(kube, own, n, generation, started, 60 * 60)
    cpu, plane = cpu_seconds(op.pid) - cpu0, sum(cpu_seconds(p) for p in pids) - plane0
    after = await asyncio.to_thread(apiserver_requests, cp.server, cp.token)
    requests = after - before
    requests.subtract(own.counts - own_before)
    requests[("GET", "", "")] -= 2  # the two /metrics scrapes (non-resource)
    return Phase(seconds, samples, +requests, cpu, plane)


async def run_one(n: int, profile: Path | None, concurrent: int = CONCURRENT) -> Result:
    bench = TestBench.start(with_postgres=False)
    registry = OciRegistry(bench.root / "registry")
    try:
        registry.start()
        return await _measure(bench, registry, n, profile, concurrent)
    finally:
        registry.stop()
        bench.stop()


async def _measure(
    bench: TestBench, registry: OciRegistry, n: int, profile: Path | None, concurrent: int
) -> Result:
    kubeconfig = bench.control_plane.kubeconfig
    env = helm_env(kubeconfig, Path(tempfile.mkdtemp(prefix="helm-", dir=bench.root)))
    chart = podinfo_chart(Path(tempfile.mkdtemp(prefix="chart-", dir=bench.root)))
    version = str(yaml.safe_load((chart / "Chart.yaml").read_text())["version"])
    repo = push_chart(bench.binaries.helm_v4, env, registry.address, (version,), chart)
    kube = await KubeClient.from_kubeconfig(str(kubeconfig))
    flags = ["--all-namespaces", "--log-level", "warning", "--concurrent", str(concurrent)]
    op = OperatorProcess(kubeconfig, flags, env=IMAGE_ENV, log_path=bench.root / "op.log")
    names = [f"{TENANT}-{i}" for i in range(n)]
    spy: subprocess.Popen[bytes] | None = None
    player: asyncio.Task[None] | None = None
    try:
        await install_crd(kube)
        await tenant(kube)
        own = Own()  # shared by the Deployment player and both phases
        player = asyncio.create_task(play_deployment_controller(kube, own))
        op.start()
        await op.wait_ready(60)
        if profile is not None:
            spy = _py_spy(op.pid, profile / f"fleet-{n}.txt")

        async def install(own: Own) -> None:
            async def one(name: str) -> None:
                body = helmrelease(
                    name, spec(repo, name, 1), labels={"toolkit.fluxcd.io/tenant": TENANT}
                )
                await kube.create(body, namespace=NAMESPACE)

            own.add("POST", "helmreleases", n=n)
            await _each(names, one)

        async def upgrade(own: Own) -> None:
            patch = {"spec": {"values": {"resources": {"requests": {"cpu": "2m"}}}}}

            async def one(name: str) -> None:
                await kube.merge_patch(API_VERSION, KIND, name, NAMESPACE, patch)

            own.add("PATCH", "helmreleases", n=n)
            await _each(names, one)

        installed = await phase(bench, kube, op, own, n, 1, install)
        upgraded = await phase(bench, kube, op, own, n, 2, upgrade)
        rss = peak_rss_mib(op.pid)
    finally:
        if spy is not None:
            spy.send_signal(2)  # SIGINT: py-spy writes its stacks and exits
            with contextlib.suppress(subprocess.TimeoutExpired):
                spy.wait(60)
        if player is not None:
            player.cancel()
            with contextlib.suppress(asyncio.CancelledError, SteersmanError):
                await player
        op.stop()
        await kube.close()
    return Result(n, installed, upgraded, rss, _load())


def _load() -> str:
    return Path("/proc/loadavg").read_text().strip()


def _py_spy(pid: int, out: Path) -> subprocess.Popen[bytes] | None:
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy not installed: no profile", file=sys.stderr)
        return None
    out.parent.mkdir(parents=True, exist_ok=True)
    argv = [
        spy,
        "record",
        "--pid",
        str(pid),
        "--rate",
        "50",
        "--format",
        "raw",
        "--output",
        str(out),
    ]
    return subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# -- the report ----------------------------------------------------------------------------


def _minutes(seconds: float) -> str:
    m, s = divmod(round(seconds), 60)
    return f"{m}m{s:02d}s" if m else f"{s}s"


def report(results: list[Result]) -> str:
    lines = [
        f"{'N':>5} {'install':>8} {'upgrade':>8} {'peak RSS':>9} {'op CPU s':>9} "
        f"{'apiserver+etcd CPU s':>21} {'req/HR inst':>12} {'req/HR upg':>11}",
    ]
    for r in results:
        req_i = sum(r.install.requests.values()) / r.n
        req_u = sum(r.upgrade.requests.values()) / r.n
        op_cpu = r.install.operator_cpu + r.upgrade.operator_cpu
        plane = r.install.control_plane_cpu + r.upgrade.control_plane_cpu
        lines.append(
            f"{r.n:>5} {_minutes(r.install.seconds):>8} {_minutes(r.upgrade.seconds):>8} "
            f"{r.peak_rss:>5.0f} MiB {op_cpu:>9.0f} {plane:>21.0f} {req_i:>12.1f} {req_u:>11.1f}"
        )
    for r in results:
        lines.append(f"\nN={r.n} (load average at the end: {r.load})")
        lines.append(f"  installs Ready per minute: {rates(r.install.samples)}")
        lines.append(f"  upgrades Ready per minute: {rates(r.upgrade.samples)}")
        for title, p in (("install", r.install), ("upgrade", r.upgrade)):
            lines.append(f"  apiserver requests per HelmRelease, {title} (verb resource/sub):")
            for (verb, res, sub), count in sorted(p.requests.items(), key=lambda kv: -kv[1]):
                what = f"{res}/{sub}" if sub else res or "(non-resource)"
                lines.append(f"    {verb:<7} {what:<32} {count / r.n:>7.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.fleet")
    parser.add_argument("--n", type=int, action="append", help="HelmReleases (repeatable)")
    parser.add_argument("--profile", type=Path, help="py-spy collapsed stacks into this folder")
    parser.add_argument(
        "--concurrent",
        type=int,
        default=CONCURRENT,
        help=f"the operator's --concurrent (default {CONCURRENT}, as flux-benchmark's)",
    )
    args = parser.parse_args(argv)
    results = []
    for n in args.n or [100]:
        print(
            f"N={n}: load average before: {Path('/proc/loadavg').read_text().strip()}", flush=True
        )
        results.append(asyncio.run(run_one(n, args.profile, args.concurrent)))
    print(report(results))


if __name__ == "__main__":
    main()
