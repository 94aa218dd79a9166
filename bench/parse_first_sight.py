"""Lex and parse time of every template of the chart corpus, no parse cache (first sight).

Charts come from the corpus bench.chart_corpus uses (~/.cache/steersman/corpus or
$STEERSMAN_CHART_CORPUS); without it this benchmark says so and measures nothing. Each template
of a chart and of its vendored subcharts is lexed, then lexed and parsed (parse_detailed, the
call the engine makes on a cache miss), with Helm's function names and the garbage collector
paused, as the engine does. Parse time is the second minus the first. Times are CPU time of this
process, the best of RUNS rounds per chart: the machine is shared, and wall time on a loaded
machine measures the other processes too.

Run: .venv/bin/python -m bench.parse_first_sight [CHART...] [--profile]
`--profile` prints the cProfile of one lex+parse round over the chosen charts instead.
"""

from __future__ import annotations

import cProfile
import pstats
import sys
import time
from collections.abc import Callable, Iterator

from bench.chart_corpus import CORPUS
from steersman.chart import load
from steersman.chart.render.helmfuncs import helm_funcs
from steersman.chartmodel import Chart
from steersman.gotemplate import parsecache
from steersman.gotemplate.builtins import BUILTINS
from steersman.gotemplate.errors import TemplateParseError
from steersman.gotemplate.lexer import lex
from steersman.gotemplate.parser import parse_detailed

RUNS = 5
_Templates = list[tuple[str, str]]
FUNCS = frozenset(BUILTINS) | frozenset(helm_funcs()) | {"include", "tpl", "required", "fail"}


def _templates(chart: Chart) -> Iterator[tuple[str, str]]:
    for t in chart.templates:
        yield f"{chart.name}/{t.name}", t.data.decode("utf-8", "surrogateescape")
    for sub in chart.dependencies:
        yield from _templates(sub)


def _lex_all(templates: list[tuple[str, str]]) -> None:
    for _, text in templates:
        lex(text, "{{", "}}", True, True)


def _parse_all(templates: list[tuple[str, str]]) -> int:
    errors = 0
    for name, text in templates:
        try:
            parse_detailed(name, text, FUNCS)
        except TemplateParseError:
            errors += 1
    return errors


def _best_ms(fn: Callable[[_Templates], object], templates: _Templates) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.process_time()
        fn(templates)
        best = min(best, (time.process_time() - started) * 1000)
    return best


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    profile = "--profile" in args
    names = [a for a in args if not a.startswith("--")]
    if not CORPUS.is_dir():
        print(f"no chart corpus at {CORPUS}: run `python -m hack.chart_corpus MIRROR` first")
        return
    charts = [CORPUS / n for n in names] if names else sorted(p for p in CORPUS.iterdir())
    sets = {c.name: list(_templates(load(str(c)))) for c in charts if c.is_dir()}
    if profile:
        every = [t for ts in sets.values() for t in ts]
        prof = cProfile.Profile()
        with parsecache.gc_paused():
            prof.runcall(_parse_all, every)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        return
    print(f"{'chart':32} {'templates':>9} {'KiB':>7} {'lex ms':>9} {'parse ms':>9} {'total':>9}")
    sums = [0.0, 0.0]
    for name, templates in sets.items():
        with parsecache.gc_paused():
            lex_ms = _best_ms(_lex_all, templates)
            total_ms = _best_ms(_parse_all, templates)
            errors = _parse_all(templates)
        kib = sum(len(t) for _, t in templates) / 1024
        note = f"  ({errors} parse errors)" if errors else ""
        print(
            f"{name:32} {len(templates):9} {kib:7.0f} {lex_ms:9.1f} {total_ms - lex_ms:9.1f}"
            f" {total_ms:9.1f}{note}"
        )
        sums[0] += lex_ms
        sums[1] += total_ms
    print(f"{'sum':32} {'':9} {'':7} {sums[0]:9.1f} {sums[1] - sums[0]:9.1f} {sums[1]:9.1f}")


if __name__ == "__main__":
    main()
