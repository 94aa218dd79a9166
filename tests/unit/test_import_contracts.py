"""The import-linter contracts in pyproject.toml bite: a planted violation breaks its contract.

Each case copies operator/steersman to a temporary directory, adds one forbidden import to one
module and runs `lint-imports` on the copy (PYTHONPATH puts the copy ahead of the editable
install), checking that the named contract is reported BROKEN. The unmodified copy passes.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
PACKAGE = REPO_ROOT / "operator" / "steersman"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# (contract id, module file relative to the package, line planted at its end)
PLANTS = [
    ("top-layers", "engine/install.py", "import steersman.controller.handlers"),
    ("top-layers", "golang/fmt.py", "import steersman.gotemplate"),
    ("top-layers", "sprig/strings.py", "import steersman.gotemplate.parser"),
    ("chart-storage-below-engine", "storage/memory.py", "import steersman.engine.install"),
    ("chart-layers", "chart/model.py", "import steersman.chart.loader"),
    ("chart-layers", "chart/values/coalesce.py", "import steersman.chart.render.engine"),
    ("render-layers", "chart/render/manifests.py", "import steersman.chart.render.engine"),
    (
        "reconcile-layers",
        "controller/reconcile/install.py",
        "import steersman.controller.reconcile.upgrade",
    ),
    (
        "reconcile-layers",
        "controller/reconcile/state.py",
        "import steersman.controller.reconcile.outcomes",
    ),
    ("template-libraries-standalone", "sprig/strings.py", "import steersman.chart.render.engine"),
    ("template-libraries-standalone", "golang/fmt.py", "import steersman.errors"),
    ("template-libraries-standalone", "gotemplate/executor.py", "import steersman.chart.model"),
    ("template-libraries-standalone", "golang/goyaml.py", "import steersman.storage"),
    ("template-libraries-standalone", "golang/jsonout.py", "import kopf"),
    ("kubernetes-client-in-kube", "chart/render/engine.py", "import kubernetes_asyncio"),
    ("kubernetes-client-in-kube", "engine/install.py", "import kubernetes_asyncio"),
    ("kopf-in-controller-entry", "storage/memory.py", "import kopf"),
    ("kopf-in-controller-entry", "controller/reconcile/loop.py", "import kopf"),
]


def contract_names() -> dict[str, str]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    return {c["id"]: c["name"] for c in contracts}


def copy_tree(tmp_path: Path) -> Path:
    """The package and the config in a fresh directory; returns that directory."""
    shutil.copytree(PACKAGE, tmp_path / "steersman", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def lint(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def broken_contracts(output: str) -> set[str]:
    """Contract names reported BROKEN (import-linter may wrap a long name over lines)."""
    flat = " ".join(output.split())
    return {name for name in contract_names().values() if f"{name} BROKEN" in flat}


def test_every_contract_has_a_planted_violation() -> None:
    assert set(contract_names()) == {contract for contract, _, _ in PLANTS}


def test_unmodified_copy_passes(tmp_path: Path) -> None:
    root = copy_tree(tmp_path)
    result = lint(root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contract_names())} kept, 0 broken." in result.stdout


@pytest.mark.parametrize(("contract", "module", "line"), PLANTS)
def test_planted_violation_breaks_its_contract(
    tmp_path: Path, contract: str, module: str, line: str
) -> None:
    root = copy_tree(tmp_path)
    target = root / "steersman" / module
    target.write_text(target.read_text() + f"\n{line}  # planted\n")
    result = lint(root)
    assert result.returncode == 1, result.stdout + result.stderr
    assert contract_names()[contract] in broken_contracts(result.stdout), result.stdout
    # The report names the copy's planted import, so the copy (not the install) was analysed.
    planted_from = "steersman." + module.removesuffix(".py").replace("/", ".")
    assert planted_from in " ".join(result.stdout.split()), result.stdout
