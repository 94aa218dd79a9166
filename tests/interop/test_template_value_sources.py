"""Where `steersman template` reads -f and --set-file sources, against the real `helm template`
(v4.1.4): standard input for `-`, http(s) URLs through helm's default getter, local files with
os.ReadFile's errors, and URL parse errors; the same exit status, stdout and stderr."""

from __future__ import annotations

import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

_TEMPLATE = """apiVersion: v1
kind: ConfigMap
metadata:
  name: values
data:
  values: {{ toJson .Values | quote }}
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A plain HTTP server on loopback serving v.yaml (base URL returned)."""
    root = tmp_path_factory.mktemp("www")
    (root / "v.yaml").write_text("fromUrl: yes\nnested:\n  a: 1\n")
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ({URL} is the server's base URL, {DEAD} a port nobody listens on), standard input
CASES: list[tuple[list[str], str]] = [
    (["-f", "{URL}/v.yaml"], ""),
    (["-f", "HTTP://{HOST}/v.yaml"], ""),  # Go lower-cases the scheme
    (["--set-file", "text={URL}/v.yaml"], ""),
    (["-f", "{URL}/missing.yaml"], ""),
    (["--set-file", "text={URL}/missing.yaml"], ""),
    (["-f", "http://127.0.0.1:{DEAD}/v.yaml"], ""),
    (["-f", "%zz"], ""),
    (["-f", "1:x"], ""),
    (["-f", "local.yaml", "-f", "{URL}/v.yaml"], ""),
    (["-f", "vals"], ""),  # a directory: os.ReadFile opens it, then fails to read
    (["--set-file", "text=vals"], ""),
    (["--set-file", "text=binary.dat"], ""),  # not UTF-8: Go keeps the bytes, quotes them
    (["-f", "binary.dat"], ""),
    (["-f", "-"], "fromStdin: 1\n"),
    (["-f", " - ", "--set-file", "again=-"], "fromStdin: 2\n"),  # stdin is read once
]


@pytest.mark.parametrize(("args", "stdin"), CASES, ids=[" ".join(a) for a, _ in CASES])
def test_value_sources_are_read_as_helm_reads_them(
    args: list[str],
    stdin: str,
    served: str,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    host = served.split("//", 1)[1]
    dead = str(_free_port())
    argv_tail = [
        a.replace("{URL}", served).replace("{HOST}", host).replace("{DEAD}", dead) for a in args
    ]
    results = []
    for who in ("helm", "steersman"):
        cwd = tmp_path / who / "work"
        (cwd / "vals" / "templates").mkdir(parents=True)
        (cwd / "vals" / "Chart.yaml").write_text("apiVersion: v2\nname: vals\nversion: 0.1.0\n")
        (cwd / "vals" / "templates" / "cm.yaml").write_text(_TEMPLATE)
        (cwd / "local.yaml").write_text("fromUrl: no\nlocal: 1\n")
        (cwd / "binary.dat").write_bytes(b"\x1f\x8b\x08a\xff\xfe\xc3\xa9\x00z")
        env = dict(helm_home_env, HOME=str(tmp_path / "home"), KUBECONFIG=os.devnull)
        env.pop("HTTP_PROXY", None)
        env.pop("http_proxy", None)
        argv = (
            [str(helm_v4), "template"]
            if who == "helm"
            else [sys.executable, "-m", "steersman", "template"]
        )
        r = subprocess.run(
            [*argv, *argv_tail, "vals"],
            cwd=cwd,
            env=env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        results.append((r.returncode, r.stdout, r.stderr.replace(str(cwd), "<cwd>")))
    helm, ours = results
    assert ours == helm
    if helm[0] == 0:  # the source was read, not skipped: its keys reach the template
        joined = " ".join(args)
        key = "fromUrl" if "v.yaml" in joined else "text" if "binary" in joined else "fromStdin"
        assert key in helm[1]
    else:
        assert helm[2].startswith("Error: ")
