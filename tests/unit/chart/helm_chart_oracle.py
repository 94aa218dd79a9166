"""Ask the real helm v4 binary what its chart loader makes of a chart.

A probe template is added to the chart and each subchart; `helm template` then prints, per
chart, its `.Chart` and `.Values` as JSON and the names of its `.Files`. For a chart helm refuses,
its error message is kept instead.

Run as a script to regenerate the recorded corpus:
    .venv/bin/python -m tests.unit.chart.helm_chart_oracle
"""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import tarfile
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from hack.testenv.parts import HELM_V4
from tests.unit.chart.chart_cases import CASES, PROBE_NAME

CORPUS = Path(__file__).with_name("data") / "chart_cases.json"


def write_chart(root: Path, files: Mapping[str, bytes | str]) -> None:
    """Write a chart's files; a value that is a dict is packed as a .tgz subchart."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def pack(top: str, files: dict[str, bytes | str]) -> bytes:
    """A .tgz with every file under `top/`, as `helm package` lays it out."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        for rel, content in files.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(f"{top}/{rel}")
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def run_helm(chart_dir: Path, target: str, binary: Path = HELM_V4) -> dict[str, Any]:
    proc = subprocess.run(
        [str(binary), "template", "x", target],
        capture_output=True,
        text=True,
        check=False,
        cwd=chart_dir.parent,
        env={"HOME": str(chart_dir.parent), "PATH": os.environ.get("PATH", "")},
    )
    if proc.returncode != 0:
        error = proc.stderr.strip().splitlines()[-1].removeprefix("Error: ")
        return {"error": error.replace(str(chart_dir.parent), "<tmp>")}
    charts: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        if line.startswith("# probe "):
            _, _, path, chart, values, files = line.split(" ")
            charts[path] = {
                "chart": json.loads(base64.b64decode(chart)),
                "values": json.loads(base64.b64decode(values)),
                "files": [f for f in base64.b64decode(files[1:]).decode().split(",") if f],
            }
    return {"charts": charts}


def run_case(case: dict[str, Any], binary: Path = HELM_V4) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        chart_dir = Path(tmp) / "chart"
        files = dict(case["files"])
        write_chart(chart_dir, files)
        target = "./chart"
        if case.get("packed"):
            archive = Path(tmp) / "chart.tgz"
            archive.write_bytes(pack("chart", files))
            target = "./chart.tgz"
        return run_helm(chart_dir, target, binary)


def main() -> None:
    results = {name: run_case(case) for name, case in CASES.items()}
    CORPUS.write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(results)} cases to {CORPUS} (probe {PROBE_NAME})")


if __name__ == "__main__":
    main()
