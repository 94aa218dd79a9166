"""Record helm v4's schema validation result for each case in schema_cases.py.

.venv/bin/python -m tests.unit.chart.helm_schema_oracle
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path

from hack.testenv.parts import HELM_V4
from tests.unit.chart.helm_chart_oracle import write_chart
from tests.unit.chart.helm_yaml_oracle import HELM_V3
from tests.unit.chart.schema_cases import SCHEMA_CASES, chart_files

CORPUS = Path(__file__).with_name("data") / "schema_cases.json"
CORPUS_V3 = Path(__file__).with_name("data") / "schema_cases_v3.json"


def run_helm_schema(index: int, binary: Path = HELM_V4) -> str:
    """ "" when helm renders, else its error text without the `Error: ` prefix."""
    with tempfile.TemporaryDirectory() as tmp:
        chart_dir = Path(tmp) / "s"
        write_chart(chart_dir, chart_files(index))
        proc = subprocess.run(
            [str(binary), "template", "x", str(chart_dir)],
            capture_output=True,
            text=True,
            check=False,
            env={"HOME": tmp, "PATH": os.environ.get("PATH", "")},
        )
    if proc.returncode == 0:
        return ""
    return proc.stderr.removeprefix("Error: ")


def main() -> None:
    for corpus, binary in ((CORPUS, HELM_V4), (CORPUS_V3, HELM_V3)):
        results = [run_helm_schema(i, binary) for i in range(len(SCHEMA_CASES))]
        corpus.write_text(json.dumps(results, indent=1) + "\n")
        print(f"wrote {len(results)} cases to {corpus}")


if __name__ == "__main__":
    main()
