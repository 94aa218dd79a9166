"""`make demo` brings the bench up, runs the operator, installs two HelmReleases (Secret and SQL
storage), prints them as kubectl and helm show them, and tears everything down."""

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
        timeout=300,
    )
    assert res.returncode == 0, res.stderr
    assert "kube-apiserver: https://127.0.0.1:" in res.stdout
    assert "postgres:       postgresql://postgres@127.0.0.1:" in res.stdout
    assert res.stdout.rstrip().endswith("demo environment stopped")
    out = res.stdout
    table = out.split("$ kubectl get helmreleases -A -o wide\n")[1].split("\n\n")[0].splitlines()
    assert table[0].split()[:9] == [
        "NAMESPACE",
        "NAME",
        "CHART",
        "VERSION",
        "REVISION",
        "APP",
        "VERSION",
        "READY",
        "STATUS",
    ]
    assert table[0].split()[-1] == "STORAGE"  # -o wide: the priority-1 column too
    rows = {line.split()[1]: line.split() for line in table[1:]}
    assert rows["hello"][2:7] == ["demo", "0.1.0", "1", "1.0", "True"]
    assert rows["hello"][-1] == "secret"
    assert rows["hello-sql"][2:7] == ["demo", "0.1.0", "1", "1.0", "True"]
    assert rows["hello-sql"][-1] == "sql"
    secret_list = out.split("$ helm list -A\n")[1].split("\n\n")[0]
    sql_list = out.split("$ HELM_DRIVER=sql helm list -A\n")[1].split("\n\n")[0]
    assert [line.split()[0] for line in secret_list.splitlines()[1:]] == ["hello"]
    assert [line.split()[0] for line in sql_list.splitlines()[1:]] == ["hello-sql"]
    assert "deployed" in secret_list and "deployed" in sql_list
    workdir = next(line.split()[-1] for line in res.stdout.splitlines() if "workdir:" in line)
    assert not Path(workdir).exists(), "the demo left its temp dir behind"
