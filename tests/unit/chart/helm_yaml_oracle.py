"""Ask the real helm v4 binary how it reads and writes YAML/JSON, for many inputs in one run.

Each case is a YAML text. A throwaway chart gets the texts as a JSON list in values (JSON is
YAML, so nothing is retyped on the way in) and one template that, for each text, prints
`fromYaml` of it re-emitted with `toYaml` and `toJson`, plus `toYaml` of its `v` key when there
is one (to see root-level scalars and lists). Everything is base64-encoded into YAML comments so
`helm template` accepts the output whatever it contains.

Run as a script to regenerate the recorded corpus:
    .venv/bin/python -m tests.unit.chart.helm_yaml_oracle
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

HELM_V3 = Path(os.environ.get("STEERSMAN_HELM_V3", Path.home() / ".cache/steersman/helm-v3"))
CORPUS = Path(__file__).with_name("data") / "yaml_cases.json"
CASES_SOURCE = Path(__file__).with_name("data") / "yaml_case_inputs.yaml"

_TEMPLATE = """\
{{- range $i, $src := .Values.cases }}
{{- $m := fromYaml $src }}
{{- $v := "" }}{{ if hasKey $m "v" }}{{ $v = toYaml $m.v | b64enc }}{{ end }}
# {{ $i }} x{{ toYaml $m | b64enc }} x{{ toJson $m | b64enc }} x{{ $v }} {{ hasKey $m "v" }}
{{- end }}
"""


def run_helm_cases(sources: list[str], template: str = _TEMPLATE) -> list[dict[str, Any]]:
    """For each YAML text: helm's toYaml, toJson and toYaml-of-`v` of `fromYaml text`."""
    with tempfile.TemporaryDirectory() as tmp:
        chart = Path(tmp) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
        (chart / "templates" / "out.yaml").write_text(template)
        values = Path(tmp) / "values.json"
        values.write_text(json.dumps({"cases": sources}, ensure_ascii=False))
        proc = subprocess.run(
            [str(HELM_V4), "template", "x", str(chart), "-f", str(values)],
            capture_output=True,
            text=True,
            check=False,
            env={"HOME": tmp, "PATH": os.environ.get("PATH", "")},
        )
        if proc.returncode != 0:
            raise RuntimeError(f"helm failed: {proc.stderr}")
    results: list[dict[str, Any]] = [{} for _ in sources]
    for line in proc.stdout.splitlines():
        if not line.startswith("# ") or line.startswith("# Source"):
            continue
        idx, to_yaml, to_json, v_yaml, has_v = line[2:].split(" ")
        results[int(idx)] = {
            "src": sources[int(idx)],
            "toYaml": base64.b64decode(to_yaml[1:]).decode(),
            "toJson": base64.b64decode(to_json[1:]).decode(),
            "vToYaml": base64.b64decode(v_yaml[1:]).decode() if has_v == "true" else None,
        }
    return results


def load_case_inputs() -> list[str]:
    """The YAML texts of the corpus: documents of the inputs file, split on `#---case` lines."""
    text = CASES_SOURCE.read_text()
    return [chunk.lstrip("\n") for chunk in text.split("#---case\n") if chunk.strip()]


def main() -> None:
    results = run_helm_cases(load_case_inputs())
    CORPUS.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {len(results)} cases to {CORPUS}")


if __name__ == "__main__":
    main()
