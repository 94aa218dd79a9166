"""Running the `steersman` command line as a user would: a `python -m steersman.cli`
subprocess on a kubeconfig, with none of the caller's HELM_/STEERSMAN_ environment."""

from __future__ import annotations

import asyncio
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from hack.operatorkit import ROOT


@dataclass
class Result:
    code: int
    out: str
    err: str


async def steersman(
    *args: str, kubeconfig: Path | None = None, env: dict[str, str] | None = None
) -> Result:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "STEERSMAN_"))}
    base.pop("KUBECONFIG", None)
    base.update(env or {})
    argv = [sys.executable, "-m", "steersman.cli", *args]
    if kubeconfig is not None:
        argv += ["--kubeconfig", str(kubeconfig)]
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=ROOT, env=base, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(proc.communicate(), 180)
    assert proc.returncode is not None
    result = Result(proc.returncode, out.decode(), err.decode())
    assert "Traceback" not in result.err, result.err
    return result


def table_rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()]
