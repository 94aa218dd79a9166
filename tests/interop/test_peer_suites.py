"""Other projects' own tests (Helm's template tests, Sprig's, Go text/template's) as data in
../shared/peer-suites, run by their runner against this checkout's Steersman: every suite whole.

The runner imports some modules by their paths (old ones included: chart/_moved.py keeps them),
so a restructure that breaks it fails here, not after the merge."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
RUNNER = REPO.parent / "shared" / "peer-suites" / "run.py"
SUITES = {
    "helm",
    "helm-engine",
    "helm-deps",
    "helm-funcs",
    "strvals",
    "sprig",
    "gotemplate-exec",
    "gotemplate-extra",
    "gotemplate-parse",
}


@pytest.mark.slow
@pytest.mark.interop
def test_every_peer_suite_passes_whole() -> None:
    assert RUNNER.is_file(), (
        f"{RUNNER} is missing: the peer suites sit in ../shared beside the repo"
    )
    # Two runner processes at once (helm's cases spawn a process each; the rest run in one):
    # on two cores the suite takes the longer half's time, not the sum.
    groups = [["helm"], sorted(SUITES - {"helm"})]
    runs = [
        subprocess.Popen(
            [sys.executable, str(RUNNER), *group],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for group in groups
    ]
    try:
        outputs = [run.communicate(timeout=900) for run in runs]
    finally:
        for run in runs:
            run.kill()  # a no-op for one that has ended; stops the other after a timeout
    stdout = "".join(out for out, _ in outputs)
    stderr = "".join(err for _, err in outputs)
    returncode = max(abs(run.returncode) for run in runs)
    summary = {
        m["suite"]: (int(m["ok"]), int(m["total"]))
        for m in re.finditer(r"^(?P<suite>[\w-]+): (?P<ok>\d+)/(?P<total>\d+) pass", stdout, re.M)
    }
    assert set(summary) == SUITES, stdout + stderr
    failing = {suite: counts for suite, counts in summary.items() if counts[0] != counts[1]}
    assert failing == {}, stdout
    assert returncode == 0, stdout + stderr
