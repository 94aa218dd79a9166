"""`steersman template` imports only what rendering a chart needs (issue 15: cold start).

Rendering a local chart must not pull in the operator stack, the network clients, crypto
(loaded on first use by Sprig's crypto functions), pydantic, or a package-metadata lookup: each
costs tens of milliseconds of start-up that helm does not pay. The time itself is measured in
bench/cold_start.py; this test keeps the list.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CHART = Path(__file__).resolve().parents[1] / "charts" / "tiny"

NOT_NEEDED = (
    "asyncio",
    "ssl",
    "importlib.metadata",
    "cryptography",
    "bcrypt",
    "pydantic",
    "kopf",
    "kubernetes_asyncio",
    "aiohttp",
    "asyncpg",
    "prometheus_client",
    "lupa",
    "steersman.api",
    "steersman.controller",
    "steersman.engine",
    "steersman.storage",
    "steersman.kube",
    "steersman.chart.sources",
    "steersman.commands.template_depup",
)

_PROBE = """
import json, sys
from steersman.cli import main
code = main(["template", "x", sys.argv[1]])
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def _modules_after(*extra: str) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *extra], capture_output=True, text=True, timeout=60
    )
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] == 0, proc.stderr
    return set(report["modules"])


def loaded(modules: set[str], name: str) -> bool:
    return name in modules or any(m.startswith(name + ".") for m in modules)


def test_rendering_a_local_chart_imports_nothing_it_does_not_use() -> None:
    modules = _modules_after(str(CHART))
    assert "steersman.chart.render.engine" in modules  # it did render
    assert [name for name in NOT_NEEDED if loaded(modules, name)] == []


def test_crypto_functions_still_work_when_first_used(tmp_path: Path) -> None:
    chart = tmp_path / "crypto"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: crypto\nversion: 0.1.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "kind: ConfigMap\ndata:\n"
        '  key: {{ genPrivateKey "ecdsa" | contains "EC PRIVATE KEY" | quote }}\n'
        '  aes: {{ encryptAES "k" "text" | decryptAES "k" | quote }}\n'
    )
    proc = subprocess.run(
        [sys.executable, "-m", "steersman", "template", "x", str(chart)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert 'key: "true"' in proc.stdout
    assert 'aes: "text"' in proc.stdout
