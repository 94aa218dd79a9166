"""Record what helm v4 makes of --set style arguments: each Go value's type and JSON.

.venv/bin/python -m tests.unit.chart.helm_strvals_oracle
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hack.testenv.parts import HELM_V4
from tests.unit.chart.strvals_cases import SET_CASES

CORPUS = Path(__file__).with_name("data") / "strvals_cases.json"
REPO_ROOT = Path(__file__).resolve().parents[3]

# A recursive dump: maps (keys in order), lists, and for leaves `typeOf=toJson`.
WALK = """\
{{- define "walk" -}}
{{- if kindIs "map" . -}}
{ {{- range $k, $v := . }}{{ $k | quote }}:{{ include "walk" $v }},{{ end -}} }
{{- else if kindIs "slice" . -}}[ {{- range . }}{{ include "walk" . }},{{ end -}} ]
{{- else -}}{{ typeOf . }}={{ toJson . }}
{{- end -}}
{{- end -}}
# {{ include "walk" .Values | b64enc }}
"""


def run_helm_set(args: list[str], binary: Path = HELM_V4) -> dict[str, Any]:
    import base64

    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart / "templates" / "out.yaml").write_text(WALK)
        proc = subprocess.run(
            [str(binary), "template", "x", str(chart), *args],
            capture_output=True,
            text=True,
            check=False,
            cwd=REPO_ROOT,
            env={"HOME": tmp, "PATH": os.environ.get("PATH", "")},
        )
    if proc.returncode != 0:
        error = proc.stderr.rstrip("\n").splitlines()[-1].removeprefix("Error: ")
        return {"args": args, "error": error}
    for line in proc.stdout.splitlines():
        if line.startswith("# ") and not line.startswith("# Source"):
            return {"args": args, "walk": base64.b64decode(line[2:]).decode()}
    return {"args": args, "walk": base64.b64decode("").decode()}


def main() -> None:
    results = [run_helm_set(args) for args in SET_CASES]
    CORPUS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(results)} cases to {CORPUS}")


if __name__ == "__main__":
    main()
