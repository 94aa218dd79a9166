"""Record, per chart of a rendered tree, the `.Values` helm v4 gives it (see deps_cases.py).

.venv/bin/python -m tests.unit.chart.helm_deps_oracle
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hack.testenv.parts import HELM_V4
from tests.unit.chart.deps_cases import RUNS, chart_files
from tests.unit.chart.helm_chart_oracle import write_chart

CORPUS = Path(__file__).with_name("data") / "deps_cases.json"


def run_helm_values(chart: str, args: list[str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        chart_dir = Path(tmp) / "root"
        write_chart(chart_dir, chart_files(chart))
        proc = subprocess.run(
            [str(HELM_V4), "template", "x", str(chart_dir), *args],
            capture_output=True,
            text=True,
            check=False,
            env={"HOME": tmp, "PATH": os.environ.get("PATH", "")},
        )
    if proc.returncode != 0:
        return {"chart": chart, "args": args, "error": proc.stderr.strip().splitlines()[-1]}
    probes: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("# probe "):
            _, _, path, dump = line.split(" ")
            probes[path] = base64.b64decode(dump).decode()
    return {"chart": chart, "args": args, "values": probes}


def main() -> None:
    results = [run_helm_values(chart, args) for chart, args in RUNS]
    CORPUS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {len(results)} runs to {CORPUS}")


if __name__ == "__main__":
    main()
