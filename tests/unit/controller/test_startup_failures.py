"""`steersman run` start-up failures, as a user sees them: one line on stderr saying what is
wrong and what to do, no traceback, exit 2 for a bad flag (naming it) and 1 for a failed check.

The processes here never reach a cluster (loopback ports nobody listens on), so no bench."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

KUBECONFIG = """\
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:%d"}}]
users: [{name: u, user: {token: not-a-real-token}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
"""


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def unreachable_kubeconfig(tmp_path: Path) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(KUBECONFIG % closed_port())
    return path


@pytest.fixture
def taken_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield int(s.getsockname()[1])


def run(
    args: list[str], env: Mapping[str, str] | None = None, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "STEERSMAN_"))}
    base.pop("KUBECONFIG", None)
    base.pop("KUBERNETES_SERVICE_HOST", None)
    if home is not None:
        base["HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "steersman.cli", "run", *args],
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


def one_line(res: subprocess.CompletedProcess[str], code: int) -> str:
    assert res.returncode == code, res.stderr
    assert "Traceback" not in res.stderr
    lines = res.stderr.splitlines()
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("steersman run: ")
    return lines[0]


QUIET = ["--metrics-addr", "0", "--health-addr", "0"]


def test_no_credentials(tmp_path: Path) -> None:
    line = one_line(run(QUIET, home=tmp_path), 1)
    assert "no cluster credentials" in line and "--kubeconfig" in line


def test_unusable_kubeconfig(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.write_text("clusters: [")
    line = one_line(run([*QUIET, "--kubeconfig", str(broken)]), 1)
    assert "no usable cluster credentials" in line and "--kubeconfig" in line


def test_unreachable_apiserver(unreachable_kubeconfig: Path) -> None:
    line = one_line(run([*QUIET, "--kubeconfig", str(unreachable_kubeconfig)]), 1)
    assert "cannot reach the kube-apiserver at https://127.0.0.1:" in line
    assert "not-a-real-token" not in line


@pytest.mark.parametrize("flag", ["--metrics-addr", "--health-addr"])
def test_port_taken(flag: str, taken_port: int, unreachable_kubeconfig: Path) -> None:
    other = "--health-addr" if flag == "--metrics-addr" else "--metrics-addr"
    args = ["--kubeconfig", str(unreachable_kubeconfig), other, "0", flag]
    line = one_line(run([*args, f"127.0.0.1:{taken_port}"]), 1)
    assert f"{flag} 127.0.0.1:{taken_port}: cannot listen" in line
    assert "address already in use" in line


def test_sql_probe_failure_comes_before_the_cluster(tmp_path: Path) -> None:
    # No credentials either: the database is checked first (README start-up order).
    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": f"postgres://u:s3cret@127.0.0.1:{closed_port()}/db"}
    line = one_line(run([*QUIET, "--helm-storage-driver", "sql"], env, home=tmp_path), 1)
    assert "storage startup check failed: SQL storage unreachable" in line and "s3cret" not in line


def test_missing_dsn(tmp_path: Path) -> None:
    line = one_line(run([*QUIET, "--helm-storage-driver", "sql"], home=tmp_path), 1)
    assert "connection string" in line


def test_ports_come_before_the_database(taken_port: int, tmp_path: Path) -> None:
    env = {"HELM_DRIVER_SQL_CONNECTION_STRING": f"postgres://u:p@127.0.0.1:{closed_port()}/db"}
    args = ["--helm-storage-driver", "sql", "--health-addr", "0"]
    line = one_line(run([*args, "--metrics-addr", f":{taken_port}"], env, home=tmp_path), 1)
    assert line.startswith("steersman run: --metrics-addr")


BAD_FLAGS = [
    ("--helm-storage-driver", "etcd"),
    ("--allowed-storage-drivers", "postgres"),
    ("--sql-connection-string-file", "/nonexistent/dsn"),
    ("--namespace", "Not_A_Namespace"),
    ("--watch-label-selector", "a in b"),
    ("--concurrent", "many"),
    ("--concurrent", "0"),
    ("--default-service-account", "Bad Account"),
    ("--metrics-addr", "localhost"),
    ("--health-addr", ":70000"),
    ("--log-level", "loud"),
    ("--log-format", "xml"),
    ("--kubeconfig", "/nonexistent/kubeconfig"),
    ("--requeue-dependency-seconds", "-1"),
    ("--leader-election-lease-duration", "forever"),
    ("--leader-election-renew-deadline", "0s"),
    ("--leader-election-retry-period", "-5"),
    ("--leader-election-namespace", "UPPER"),
    ("--leader-election-id", "no/slash"),
    ("--graceful-shutdown-timeout", "-1s"),
]


@pytest.mark.parametrize(("flag", "value"), BAD_FLAGS)
def test_bad_flag_value_names_the_flag(flag: str, value: str, tmp_path: Path) -> None:
    line = one_line(run([f"{flag}={value}"], home=tmp_path), 2)
    assert line.startswith(f"steersman run: {flag}: "), line


@pytest.mark.parametrize(("flag", "value"), BAD_FLAGS[1::4])
def test_bad_environment_value_names_the_flag(flag: str, value: str, tmp_path: Path) -> None:
    env = {"STEERSMAN_" + flag[2:].upper().replace("-", "_"): value}
    line = one_line(run([], env, home=tmp_path), 2)
    assert line.startswith(f"steersman run: {flag}: "), line


def test_a_usage_error_is_one_line(tmp_path: Path) -> None:
    line = one_line(run(["--concurrent"], home=tmp_path), 2)
    assert "--concurrent" in line and "expected one argument" in line


@pytest.mark.parametrize(
    "flag", ["--leader-elect", "--all-namespaces", "--no-cross-namespace-refs"]
)
def test_bad_switch_variable_names_the_flag(flag: str, tmp_path: Path) -> None:
    env = {"STEERSMAN_" + flag[2:].upper().replace("-", "_"): "maybe"}
    line = one_line(run([], env, home=tmp_path), 2)
    assert line == f"steersman run: {flag}: 'maybe' is not true or false"


def test_inconsistent_lease_timing_names_both_flags(tmp_path: Path) -> None:
    args = ["--leader-election-lease-duration", "10s", "--leader-election-renew-deadline", "15s"]
    line = one_line(run(args, home=tmp_path), 2)
    assert "--leader-election-renew-deadline" in line
    assert "--leader-election-lease-duration" in line
