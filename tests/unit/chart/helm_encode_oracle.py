"""Record helm v4's toYaml / toJson / toPrettyJson of values built in templates.

.venv/bin/python -m tests.unit.chart.helm_encode_oracle
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
from tests.unit.chart.encode_cases import EXPRESSIONS

CORPUS = Path(__file__).with_name("data") / "encode_cases.json"


def run_helm_expressions(exprs: list[str]) -> list[dict[str, Any]]:
    lines = []
    for i, expr in enumerate(exprs):
        lines.append(
            f"{{{{- $v := {expr} }}}}\n"
            f"# {i} x{{{{ toYaml $v | b64enc }}}} x{{{{ toJson $v | b64enc }}}}"
            f" x{{{{ toPrettyJson $v | b64enc }}}}\n"
        )
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart / "templates" / "out.yaml").write_text("".join(lines))
        proc = subprocess.run(
            [str(HELM_V4), "template", "x", str(chart)],
            capture_output=True,
            text=True,
            check=False,
            env={"HOME": tmp, "PATH": os.environ.get("PATH", "")},
        )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    out: list[dict[str, Any]] = [{} for _ in exprs]
    for line in proc.stdout.splitlines():
        if line.startswith("# ") and not line.startswith("# Source"):
            idx, y, j, p = line[2:].split(" ")
            out[int(idx)] = {
                "expr": exprs[int(idx)],
                "toYaml": base64.b64decode(y[1:]).decode(),
                "toJson": base64.b64decode(j[1:]).decode(),
                "toPrettyJson": base64.b64decode(p[1:]).decode(),
            }
    return out


def main() -> None:
    results = run_helm_expressions([e for e, _ in EXPRESSIONS])
    CORPUS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(results)} cases to {CORPUS}")


if __name__ == "__main__":
    main()
