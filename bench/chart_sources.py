"""Chart-source benchmark: fetching one chart version, Steersman vs `helm pull` (helm v4).

Sources: an HTTP repository (aiohttp on loopback, 40 charts x 10 versions in its index) and an
OCI registry (Debian's docker-registry on loopback). For each: our cold fetch (empty caches),
our warm fetch (index or tag list resolved again, archive from the digest cache) and `helm pull`
wall time, medians, all measured in this run. helm's time includes its process start.

Run: `.venv/bin/python -m bench.chart_sources`.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp

from hack.testenv import OciRegistry, parts
from hack.testkit.chart_servers import (
    RepoServer,
    helm,
    helm_env,
    helm_package,
    write_tiny_chart,
)
from steersman.chart.sources import ChartCache, ChartRef, RepoAuth, fetch_chart
from steersman.chart.sources.transport import new_session

RUNS = 15
HELM_RUNS = 7


async def median_ms(runs: int, step: Callable[[], Awaitable[object]]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await step()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def build_repo(helm4: Path, env: dict[str, str], work: Path) -> Path:
    out = work / "repo"
    for n in range(40):
        chart = write_tiny_chart(work / "src", f"chart{n}")
        for minor in range(10):
            helm_package(helm4, env, chart, f"1.{minor}.0", out)
    helm(helm4, env, "repo", "index", str(out))
    return out


async def run_case(
    work: Path,
    session: aiohttp.ClientSession,
    ref: ChartRef,
    auth: RepoAuth | None,
    helm4: Path,
    env: dict[str, str],
    helm_args: list[str],
) -> tuple[float, float, float]:
    """(cold, warm, helm) medians in ms for one source."""
    runs = iter(range(RUNS))

    async def cold() -> None:
        cache = ChartCache(work / f"cold-{next(runs)}")
        await fetch_chart(ref, cache=cache, auth=auth, session=session)

    warm_cache = ChartCache(work / "warm", index_ttl=0)  # index revalidated every time
    await fetch_chart(ref, cache=warm_cache, auth=auth, session=session)

    async def warm() -> None:
        got = await fetch_chart(ref, cache=warm_cache, auth=auth, session=session)
        assert got.from_cache

    async def helm_pull() -> None:
        dest = tempfile.mkdtemp(dir=work)
        await asyncio.to_thread(helm, helm4, env, "pull", *helm_args, "-d", dest)

    return (
        await median_ms(RUNS, cold),
        await median_ms(RUNS, warm),
        await median_ms(HELM_RUNS, helm_pull),
    )


async def bench() -> None:
    helm4 = parts.HELM_V4
    with tempfile.TemporaryDirectory(prefix="bench-sources-") as tmp:
        work = Path(tmp)
        env = helm_env(work / "helm")
        repo_dir = await asyncio.to_thread(build_repo, helm4, env, work)
        server = RepoServer(repo_dir)
        await server.start()
        registry = OciRegistry(work / "registry")
        await asyncio.to_thread(registry.start)
        tgz = repo_dir / "chart7-1.9.0.tgz"
        oci = f"oci://{registry.address}/charts"
        await asyncio.to_thread(helm, helm4, env, "push", str(tgz), oci, "--plain-http")
        plain = RepoAuth(plain_http=True)
        cases = [
            ("http repo", ChartRef(server.url, "chart7", "^1.0"), None,
             ["chart7", "--repo", server.url, "--version", "^1.0"]),
            ("oci", ChartRef(f"{oci}/chart7", version="^1.0"), plain,
             [f"{oci}/chart7", "--version", "^1.0", "--plain-http"]),
        ]  # fmt: skip
        try:
            async with new_session() as session:
                print(f"{'source':<10} {'cold ms':>9} {'warm ms':>9} {'helm ms':>9} "
                      f"{'helm/cold':>10} {'helm/warm':>10}")  # fmt: skip
                for label, ref, auth, helm_args in cases:
                    c_ms, w_ms, h_ms = await run_case(
                        work / label.replace(" ", "-"), session, ref, auth, helm4, env, helm_args
                    )
                    print(f"{label:<10} {c_ms:>9.1f} {w_ms:>9.1f} {h_ms:>9.1f} "
                          f"{h_ms / c_ms:>9.1f}x {h_ms / w_ms:>9.1f}x")  # fmt: skip
        finally:
            await server.stop()
            await asyncio.to_thread(registry.stop)


def main() -> None:
    asyncio.run(bench())


if __name__ == "__main__":
    main()
