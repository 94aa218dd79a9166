"""Public charts, whole process and in process, next to `helm template` (v4), in the same run.

The corpus is assembled offline by `python -m hack.chart_corpus MIRROR` from git snapshots of
public chart repositories (kube-prometheus-stack, argo-cd, bitnami's, cert-manager, traefik...
27 charts with their dependencies vendored) into ~/.cache/steersman/corpus, or
$STEERSMAN_CHART_CORPUS. It is data, never committed; without it this benchmark says so and
measures nothing.

Per chart, best of RUNS (the machine is shared: the minimum is the least disturbed):
- cold: `steersman template` as a new process, the disk parse cache empty (first sight);
- warm: the same, the disk parse cache filled by an earlier run;
- in-process: `render_release` + output assembly of an already loaded chart, caches warm (the
  operator's path: it keeps loaded charts by digest);
- helm: `helm template` as a new process.
The package is byte-compiled first, as a wheel install is (bench.compile_bytecode).
Targets (issue 15): summed warm <= 0.5x helm, summed cold <= 1.0x helm, in-process >= 10x
faster than helm on every chart. The last lines say which are met and by how much.

Run: .venv/bin/python -m bench.chart_corpus
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import compile_bytecode
from hack.testenv import helm_binary
from steersman.chart import (
    ReleaseOptions,
    ValueOptions,
    load,
    merge_user_values,
    render_release,
    template_output,
)
from steersman.gotemplate import clear_parse_cache

CORPUS = Path(
    os.environ.get("STEERSMAN_CHART_CORPUS", Path.home() / ".cache" / "steersman" / "corpus")
)
RUNS = 3


def _best_ms(fn: Callable[[], object], before: Callable[[], None] | None = None) -> float:
    best = float("inf")
    for _ in range(RUNS):
        if before is not None:
            before()
        started = time.perf_counter()
        fn()
        best = min(best, (time.perf_counter() - started) * 1000)
    return best


def _process(argv: list[str], env: dict[str, str]) -> Callable[[], object]:
    def run() -> object:
        return subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return run


def _in_process(chart_dir: Path) -> Callable[[], object]:
    chart = load(str(chart_dir))
    values = merge_user_values(ValueOptions())
    options = ReleaseOptions("r", "default")

    def run() -> object:
        rel = render_release(chart, values, options)
        return template_output(rel.manifest, rel.hooks)

    return run


def measure(chart: Path, cache: Path) -> tuple[float, float, float, float]:
    env = {**os.environ, "STEERSMAN_PARSE_CACHE_DIR": str(cache)}
    ours = _process([sys.executable, "-m", "steersman", "template", "r", str(chart)], env)
    cold = _best_ms(ours, before=lambda: shutil.rmtree(cache, ignore_errors=True))
    ours()  # fill the disk cache
    warm = _best_ms(ours)
    render = _in_process(chart)
    render()
    in_process = _best_ms(render, before=None)
    helm = _process([str(helm_binary(4)), "template", "r", str(chart)], env)
    helm()  # page the binary in
    return cold, warm, in_process, _best_ms(helm)


def main() -> None:
    compile_bytecode()
    charts = sorted(p for p in CORPUS.glob("*") if (p / "Chart.yaml").is_file())
    if not charts:
        print(f"no chart corpus at {CORPUS}: assemble it with `python -m hack.chart_corpus`")
        return
    print(f"{len(charts)} charts from {CORPUS}, best of {RUNS}")
    print(
        f"{'chart':<30} {'cold ms':>8} {'warm ms':>8} {'in-proc':>8} {'helm ms':>8} "
        f"{'cold/helm':>9} {'warm/helm':>9} {'helm/in-proc':>12}"
    )
    sums = [0.0, 0.0, 0.0, 0.0]
    worst_in_process = float("inf")
    with tempfile.TemporaryDirectory(prefix="steersman-corpus-cache-") as tmp:
        for chart in charts:
            clear_parse_cache()
            cold, warm, in_process, helm = measure(chart, Path(tmp) / chart.name)
            for i, value in enumerate((cold, warm, in_process, helm)):
                sums[i] += value
            worst_in_process = min(worst_in_process, helm / in_process)
            print(
                f"{chart.name:<30} {cold:8.0f} {warm:8.0f} {in_process:8.1f} {helm:8.0f} "
                f"{cold / helm:8.2f}x {warm / helm:8.2f}x {helm / in_process:11.1f}x"
            )
    cold, warm, in_process, helm = sums
    print(
        f"{'sum':<30} {cold:8.0f} {warm:8.0f} {in_process:8.1f} {helm:8.0f} "
        f"{cold / helm:8.2f}x {warm / helm:8.2f}x {helm / in_process:11.1f}x"
    )
    verdict = "met" if warm <= 0.5 * helm else "missed"
    print(f"target warm <= 0.5x helm: {verdict} ({warm / helm:.2f}x)")
    verdict = "met" if cold <= helm else "missed"
    print(f"target cold <= 1.0x helm: {verdict} ({cold / helm:.2f}x)")
    print(
        f"target in-process >= 10x faster than helm on every chart: "
        f"{'met' if worst_in_process >= 10 else 'missed'} (worst {worst_in_process:.1f}x)"
    )


if __name__ == "__main__":
    main()
