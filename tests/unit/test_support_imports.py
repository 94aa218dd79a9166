"""tests/, hack/ and bench/ import one way: tests -> hack, bench -> hack, and the operator
(operator/steersman) imports none of them. Shared test support lives in hack/testkit, so hack
never needs tests or bench, and bench never needs tests.

import-linter (pyproject.toml) checks the operator's own layers from the one root package
`steersman`; these three top-level directories are checked here by reading their imports
with `ast`, including imports inside functions. The check is proven to bite by planting a
forbidden import in a temporary copy.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
TREES = {
    "tests": Path("tests"),
    "hack": Path("hack"),
    "bench": Path("bench"),
    "steersman": Path("operator") / "steersman",
}
# What each tree may not import (a package absent from a row is allowed).
FORBIDDEN: dict[str, frozenset[str]] = {
    "tests": frozenset({"bench"}),
    "hack": frozenset({"tests", "bench"}),
    "bench": frozenset({"tests"}),
    "steersman": frozenset({"tests", "hack", "bench"}),
}


def imported_packages(source: str) -> set[str]:
    """Top-level package names of every absolute import in `source`."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def violations(root: Path) -> list[str]:
    """`path: tree -> package` for each forbidden import under `root` (a repository checkout)."""
    found: list[str] = []
    for tree, rel in TREES.items():
        for path in sorted((root / rel).rglob("*.py")):
            wrong = imported_packages(path.read_text(encoding="utf-8")) & FORBIDDEN[tree]
            found.extend(f"{path.relative_to(root)}: {tree} -> {name}" for name in sorted(wrong))
    return found


def test_tests_hack_and_bench_import_one_way() -> None:
    assert violations(REPO_ROOT) == []


def copy_trees(tmp_path: Path) -> Path:
    for rel in TREES.values():
        shutil.copytree(
            REPO_ROOT / rel, tmp_path / rel, ignore=shutil.ignore_patterns("__pycache__")
        )
    return tmp_path


@pytest.mark.parametrize(
    ("module", "planted", "expected"),
    [
        ("hack/testkit/templates.py", "from tests.conftest import bench", "hack -> tests"),
        ("hack/template_fuzz.py", "    import bench.render", "hack -> bench"),
        ("bench/render.py", "from tests.unit import test_gotemplate_corpus", "bench -> tests"),
        ("tests/unit/test_support_imports.py", "import bench.engine", "tests -> bench"),
        ("operator/steersman/kube/__init__.py", "from hack import testkit", "steersman -> hack"),
    ],
)
def test_a_planted_cycle_is_found(tmp_path: Path, module: str, planted: str, expected: str) -> None:
    root = copy_trees(tmp_path)
    target = root / module
    source = target.read_text(encoding="utf-8")
    if planted.startswith(" "):  # inside a function, where the real lazy imports are
        planted = f"def _planted() -> None:\n{planted}\n"
    target.write_text(f"{source}\n{planted}\n", encoding="utf-8")
    assert violations(root) == [f"{module}: {expected}"]
