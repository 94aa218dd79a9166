"""Record helm v4's fromJson / fromJsonArray (re-encoded with toJson) for JSON texts.

.venv/bin/python -m tests.unit.chart.helm_json_oracle
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

CORPUS = Path(__file__).with_name("data") / "json_cases.json"

JSON_TEXTS = [
    "",
    "  ",
    "{",
    '{"a"',
    '{"a":',
    '{"a":1',
    '{"a":1,',
    '{"a" 1}',
    "{a:1}",
    '{"a":1 "b":2}',
    "[1,2",
    "[1 2]",
    "[1,]",
    "[,1]",
    "tru",
    "trux",
    "nul",
    "nulx",
    "fals",
    "falsx",
    "-",
    "-x",
    "01",
    "[01]",
    "1.",
    "1.x",
    "1e",
    "1e+",
    "1ex",
    '"abc',
    '"a\\qb"',
    '"\\u12g4"',
    '"\\u12',
    '"a\\',
    '"a\tb"',
    "{} x",
    "[] []",
    "1 2",
    "NaN",
    "Infinity",
    "'a'",
    '{"a":1}garbage',
    "[1,2,3]",
    '{"a":[1,{"b":null}]}',
    '"str"',
    "1e400",
    '{"a":1e400}',
    "é",
    "\u00a0",
    "\x7f",
    '{"a":1,}',
    "[[[[1]]]]x",
    '{"a":{"b":[1,2}}',
    "true",
    "null",
    '{"k":"<&>","n":1.5e300}',
]

_TEMPLATE = (
    "{{- range $i, $s := .Values.cases }}\n"
    "# {{ $i }} x{{ fromJson $s | toJson | b64enc }} x{{ fromJsonArray $s | toJson | b64enc }}\n"
    "{{- end }}\n"
)


def run_helm_json(texts: list[str]) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart / "templates" / "t.yaml").write_text(_TEMPLATE)
        values = Path(tmp) / "v.json"
        values.write_text(json.dumps({"cases": texts}))  # ASCII escapes: no raw controls
        proc = subprocess.run(
            [str(HELM_V4), "template", "x", str(chart), "-f", str(values)],
            capture_output=True,
            text=True,
            check=False,
            env={"HOME": tmp, "PATH": os.environ.get("PATH", "")},
        )
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    out: list[dict[str, Any]] = [{} for _ in texts]
    for line in proc.stdout.splitlines():
        if line.startswith("# ") and not line.startswith("# Source"):
            idx, m, a = line[2:].split(" ")
            out[int(idx)] = {
                "text": texts[int(idx)],
                "fromJson": base64.b64decode(m[1:]).decode(),
                "fromJsonArray": base64.b64decode(a[1:]).decode(),
            }
    return out


def main() -> None:
    results = run_helm_json(JSON_TEXTS)
    CORPUS.write_text(json.dumps(results, indent=1) + "\n")
    print(f"wrote {len(results)} cases to {CORPUS}")


if __name__ == "__main__":
    main()
