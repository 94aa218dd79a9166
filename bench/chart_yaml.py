"""Where a real chart's in-process render spends its YAML time, before and after.

Per chart: the whole in-process render (`render_release` + `template_output`, caches warm), and,
replayed on the inputs that render produced, every `fromYaml`/`fromYamlArray` decode
(`goyaml.unmarshal`), every `toYaml` encode (`yamlout.marshal`) and the manifest sort
(`sort_manifests`: split, heads, hooks), that last again with the kept heads forgotten (first
sight). Charts: the corpus's kube-prometheus-stack (see bench.chart_corpus) plus any chart
directories given; the sum is over the whole corpus.

"before" is the same measurement run on another checkout in a subprocess (default: /work/main,
or --before; skipped when it does not exist). Figures are the best of several rounds of this
process's CPU time (the machine is shared; the minimum is the least disturbed).

Run: .venv/bin/python -m bench.chart_yaml [CHART_DIR ...] [--before PATH] [--rounds N]
"""

from __future__ import annotations

import argparse
import copy
import gc
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import run_in_checkout

DEFAULT_BEFORE = Path("/work/main")
CORPUS = Path(
    os.environ.get("STEERSMAN_CHART_CORPUS", Path.home() / ".cache" / "steersman" / "corpus")
)
PARTS = ("render", "fromYaml", "toYaml", "sort_manifests", "sort, first sight")


def _best_ms(
    fn: Callable[[], object], rounds: int, before: Callable[[], object] | None = None
) -> float:
    best = float("inf")
    for _ in range(rounds):
        if before is not None:
            before()
        gc.collect()
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best * 1000


def measure_chart(chart_dir: str, rounds: int) -> dict[str, float]:
    """The four figures of one chart, in ms."""
    from steersman.chart import (
        ReleaseOptions,
        ValueOptions,
        load,
        merge_user_values,
        render_release,
        template_output,
    )
    from steersman.chart.render import engine, manifests
    from steersman.golang import goyaml, yamlout

    chart = load(chart_dir)
    values = merge_user_values(ValueOptions())
    options = ReleaseOptions("r", "default")

    def render() -> object:
        rel = render_release(chart, values, options)
        return template_output(rel.manifest, rel.hooks)

    decoded: list[Any] = []
    encoded: list[Any] = []
    sorted_files: list[Any] = []
    unmarshal, marshal, sort = goyaml.unmarshal, yamlout.marshal, manifests.sort_manifests

    def record_decode(data: Any) -> Any:
        decoded.append(data)
        return unmarshal(data)

    def record_encode(value: Any) -> str:
        encoded.append(copy.deepcopy(value))
        return marshal(value)

    def record_sort(files: Any, *args: Any, **kwargs: Any) -> Any:
        sorted_files.append((dict(files), args, kwargs))
        return sort(files, *args, **kwargs)

    # Recorded once, on a copy taken before the template can change what it was given.
    goyaml.unmarshal, yamlout.marshal = record_decode, record_encode
    engine.sort_manifests = record_sort  # type: ignore[attr-defined]
    try:
        render()
    finally:
        goyaml.unmarshal, yamlout.marshal = unmarshal, marshal
        engine.sort_manifests = sort  # type: ignore[attr-defined]

    def sort_all() -> object:
        return [sort(f, *a, **k) for f, a, k in sorted_files]

    return {
        "render": _best_ms(render, rounds),
        "fromYaml": _best_ms(lambda: [unmarshal(d) for d in decoded], rounds),
        "toYaml": _best_ms(lambda: [marshal(v) for v in encoded], rounds),
        "sort_manifests": _best_ms(sort_all, rounds),
        # Heads of documents not seen before (the kept heads forgotten before each round).
        "sort, first sight": _best_ms(sort_all, rounds, getattr(manifests, "_HEADS", {}).clear),
    }


def measure(charts: list[str], rounds: int) -> dict[str, dict[str, float]]:
    return {chart: measure_chart(chart, rounds) for chart in charts}


def _run_before(checkout: Path, charts: list[str], rounds: int) -> dict[str, dict[str, float]]:
    return dict(run_in_checkout(checkout, f"bench.chart_yaml.measure({charts!r}, {rounds})"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("charts", nargs="*", help="more chart directories")
    ap.add_argument("--before", type=Path, default=DEFAULT_BEFORE)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args(argv if argv is not None else [])
    corpus = sorted(str(p) for p in CORPUS.glob("*") if (p / "Chart.yaml").is_file())
    named = [str(Path(c).resolve()) for c in args.charts]
    named += [c for c in corpus if Path(c).name == "kube-prometheus-stack"]
    charts = named + [c for c in corpus if c not in named]
    if not charts:
        print(f"no charts: give chart directories or assemble the corpus at {CORPUS}")
        return
    before: dict[str, dict[str, float]] = {}
    if (args.before / "operator" / "steersman").is_dir():
        before = _run_before(args.before, charts, args.rounds)
    after = measure(charts, args.rounds)
    print(f"{'chart':<24} {'part':<15} {'before ms':>10} {'after ms':>10} {'speed-up':>9}")
    sums = {part: [0.0, 0.0] for part in PARTS}
    for chart in charts:
        for part in PARTS:
            new, old = after[chart][part], before.get(chart, {}).get(part)
            if chart in corpus:
                sums[part][0] += old or 0.0
                sums[part][1] += new
            if chart in named:
                _row(Path(chart).name, part, old, new)
    for part in PARTS:
        old_sum, new_sum = sums[part]
        _row(f"corpus sum ({len(corpus)})", part, old_sum if before else None, new_sum)


def _row(name: str, part: str, old: float | None, new: float) -> None:
    old_s = f"{old:10.1f}" if old is not None else f"{'-':>10}"
    ratio = f"{old / new:8.1f}x" if old is not None and new > 0 else f"{'-':>9}"
    print(f"{name:<24} {part:<15} {old_s} {new:10.1f} {ratio}")


if __name__ == "__main__":
    main(sys.argv[1:])
