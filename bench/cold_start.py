"""Cold start: whole-process `steersman template` vs `helm template` (v4) on small charts, and
what importing the command costs, measured in the same run.

Small charts are where start-up dominates (helm's whole run is ~40 ms). Each figure is the best
of RUNS (the machine is shared: the minimum is the least disturbed); the disk parse cache is off,
so this is a first sight of each chart. The list of modules the command may not import is kept
by tests/unit/test_template_imports.py; this prints the time.

Run: .venv/bin/python -m bench.cold_start
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from bench import compile_bytecode
from hack.testenv import helm_binary

ROOT = Path(__file__).resolve().parents[1]
CHARTS = [ROOT / "tests" / "charts" / name for name in ("tiny", "sprig")] + [
    ROOT / "tests" / "charts" / "e2e" / "demo"
]
RUNS = 9


def _best_ms(argv: list[str], env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - started)
    return best * 1000


def import_ms(env: dict[str, str]) -> float:
    """Best cumulative `-X importtime` of steersman.commands.template (steersman itself too)."""
    best = float("inf")
    for _ in range(RUNS):
        proc = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", "import steersman.commands.template"],
            env=env,
            capture_output=True,
            text=True,
        )
        total = 0
        for line in proc.stderr.splitlines():
            match = re.match(r"import time:\s+\d+ \|\s+(\d+) \| (\S+)$", line)
            if match and match.group(2) in ("steersman", "steersman.commands.template"):
                total += int(match.group(1))
        best = min(best, total / 1000)
    return best


def main() -> None:
    compile_bytecode()
    env = {**os.environ, "STEERSMAN_PARSE_CACHE": "off"}
    helm = str(helm_binary(4))
    ours = [sys.executable, "-m", "steersman", "template"]
    print(f"import of steersman.commands.template: {import_ms(env):.0f} ms (best of {RUNS})")
    print(f"{'chart':<10} {'steersman ms':>13} {'helm ms':>8} {'ratio':>6}")
    total_ours = total_helm = 0.0
    for chart in CHARTS:
        mine = _best_ms([*ours, "x", str(chart)], env)
        theirs = _best_ms([helm, "template", "x", str(chart)], env)
        total_ours, total_helm = total_ours + mine, total_helm + theirs
        print(f"{chart.name:<10} {mine:>13.0f} {theirs:>8.0f} {mine / theirs:>5.1f}x")
    print(f"{'sum':<10} {total_ours:>13.0f} {total_helm:>8.0f} {total_ours / total_helm:>5.1f}x")


if __name__ == "__main__":
    main()
