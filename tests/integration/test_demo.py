"""`make demo` brings the bench up, prints it, and tears it down."""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def test_demo_once_starts_prints_and_stops() -> None:
    res = subprocess.run(
        [sys.executable, "-m", "hack.demo", "--once"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert res.returncode == 0, res.stderr
    assert "kube-apiserver: https://127.0.0.1:" in res.stdout
    assert "postgres:       postgresql://postgres@127.0.0.1:" in res.stdout
    assert res.stdout.rstrip().endswith("demo environment stopped")
    workdir = next(line.split()[-1] for line in res.stdout.splitlines() if "workdir:" in line)
    assert not Path(workdir).exists(), "the demo left its temp dir behind"
