"""Render speed: `steersman template` in process vs the real `helm template`, per chart.

For each chart of tests/conformance (its `default` case when it has one, else its first
case), measured in the same run:
- cold: caches emptied first (template parse cache, Helm function map), then the whole command
  in process: load the chart from disk, merge values, render, assemble the output;
  (the disk parse cache is off for it);
- disk: the same, in-process caches emptied but the disk parse cache filled (what a second
  `steersman template` process does; the cache lives in a temp dir for this run);
- warm: the same command again with the caches filled (template parsing is skipped);
- render: only `render_release` + output assembly for an already loaded chart and values, the
  operator's path (it keeps loaded charts by digest), caches warm;
- helm: wall time of `helm template` (v4.1.4) with the same arguments.
Each figure is the best of several runs (the machine is shared; the minimum is the least
disturbed measurement), taken the same way for helm; ratios are helm time / our time.
Goal: warm at least 5x faster than helm, cold no slower.

Run: .venv/bin/python -m bench.render
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable

from hack.testenv.parts import HELM_V4
from hack.testkit.conformance import (
    CREATED_CHART,
    Case,
    discover_cases,
    helm_env,
    make_created_chart,
)
from steersman.chart.loader import load
from steersman.chart.render import engine as render_module
from steersman.chart.render.engine import ReleaseOptions, render_release
from steersman.chart.render.manifests import template_output
from steersman.chart.values.coalesce import merge_user_values
from steersman.cli import build_parser
from steersman.commands.template import TemplateArgs, run_template, template_args_from
from steersman.gotemplate import clear_parse_cache

RUNS = 7


def _best_ms(
    fn: Callable[[], object], runs: int = RUNS, before: Callable[[], None] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return min(times)


def _cold_state() -> None:
    clear_parse_cache()
    render_module._BASE_FUNCS.clear()


def _helm_ms(case: Case) -> float:
    env = helm_env()

    def run() -> None:
        subprocess.run([str(HELM_V4), "template", *case.args], capture_output=True, env=env)

    run()  # page in the binary once
    return _best_ms(run, runs=5)


def representative_cases() -> list[Case]:
    """One case per chart: `default` when there is one, else the first."""
    by_chart: dict[str, Case] = {}
    for case in discover_cases():
        if case.chart not in by_chart or case.name == "default":
            by_chart[case.chart] = case
    return list(by_chart.values())


def _render_only(targs: TemplateArgs) -> Callable[[], object]:
    chart = load(targs.args[-1])
    values = merge_user_values(targs.values)
    options = ReleaseOptions("release-name", "default")

    def run() -> object:
        rel = render_release(chart, values, options)
        return template_output(rel.manifest, rel.hooks)

    return run


def measure(case: Case) -> tuple[float, float, float, float | None, float, bool]:
    if case.chart == CREATED_CHART:
        make_created_chart()
    targs = template_args_from(build_parser().parse_args(["template", *case.args]))
    ok = run_template(targs)[0] == 0
    os.environ["STEERSMAN_PARSE_CACHE"] = "off"
    cold = _best_ms(lambda: run_template(targs), before=_cold_state)
    os.environ["STEERSMAN_PARSE_CACHE"] = "on"
    _cold_state()
    run_template(targs)  # fills the disk cache
    disk = _best_ms(lambda: run_template(targs), before=_cold_state)
    run_template(targs)
    warm = _best_ms(lambda: run_template(targs))
    render = _best_ms(_render_only(targs)) if ok else None
    return cold, disk, warm, render, _helm_ms(case), ok


def main() -> None:
    if not HELM_V4.exists():
        raise SystemExit(f"helm v4 not found at {HELM_V4}")
    with tempfile.TemporaryDirectory() as cache:
        os.environ["STEERSMAN_PARSE_CACHE_DIR"] = cache
        _main()


def _main() -> None:
    print(
        f"{'chart':<18} {'case':<18} {'cold ms':>8} {'disk ms':>8} {'warm ms':>8} "
        f"{'render ms':>9} {'helm ms':>8} {'helm/cold':>9} {'helm/disk':>9} {'helm/warm':>9} "
        f"{'helm/render':>11}"
    )
    ratios: dict[str, list[float]] = {"cold": [], "disk": [], "warm": [], "render": []}
    for case in representative_cases():
        cold, disk, warm, render, helm, ok = measure(case)
        ratios["cold"].append(helm / cold)
        ratios["disk"].append(helm / disk)
        ratios["warm"].append(helm / warm)
        render_s = f"{render:9.2f}" if render is not None else f"{'-':>9}"
        render_r = f"{helm / render:10.1f}x" if render is not None else f"{'-':>11}"
        if render is not None:
            ratios["render"].append(helm / render)
        note = "" if ok else "  (an error case)"
        print(
            f"{case.chart:<18} {case.name[:18]:<18} {cold:8.2f} {disk:8.2f} {warm:8.2f} "
            f"{render_s} {helm:8.1f} {helm / cold:8.1f}x {helm / disk:8.1f}x "
            f"{helm / warm:8.1f}x {render_r}{note}"
        )
    summary = ", ".join(
        f"helm/{k} {statistics.geometric_mean(v):.1f}x (min {min(v):.1f}x)"
        for k, v in ratios.items()
    )
    print(f"geometric mean over {len(ratios['cold'])} charts: {summary}")


if __name__ == "__main__":
    main()
