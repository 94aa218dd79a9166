"""Start-up failures against the real bench: credentials the apiserver refuses, a PostgreSQL
that refuses the password. One line on stderr, exit 1, no secret in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.controller.test_startup_failures import QUIET, one_line, run

pytestmark = pytest.mark.integration


def test_refused_credentials(kubeconfig: Path, tmp_path: Path) -> None:
    text = kubeconfig.read_text()
    token = next(line.split(":", 1)[1].strip() for line in text.splitlines() if "token:" in line)
    wrong = tmp_path / "kubeconfig"
    wrong.write_text(text.replace(token, "0" * len(token)))
    line = one_line(run([*QUIET, "--kubeconfig", str(wrong)]), 1)
    assert "refused our credentials (403)" in line or "refused our credentials (401)" in line
    assert token not in line and "0" * len(token) not in line


def test_wrong_database_password(postgres_dsn: str, kubeconfig: Path) -> None:
    scheme, _, rest = postgres_dsn.partition("://")
    host = rest.split("@", 1)[-1]
    dsn = f"{scheme}://steersman_nobody:Wr0ngPassw0rd@{host}"
    res = run(
        [*QUIET, "--helm-storage-driver", "sql", "--kubeconfig", str(kubeconfig)],
        {"HELM_DRIVER_SQL_CONNECTION_STRING": dsn},
    )
    line = one_line(res, 1)
    assert line.startswith("steersman run: storage startup check failed: ")
    assert "Wr0ngPassw0rd" not in line
