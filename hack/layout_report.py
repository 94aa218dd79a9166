"""Figures for the package layout: modules per package, the largest modules, and imports from
outside a package into its internals (a module other than the package's `__init__`).

    python -m hack.layout_report [operator/steersman]

Counts only the operator's own code (not tests): tests may reach internals to test them.
`golang/` is a shelf of small libraries, one Go package's behaviour each: every module there is
its own front door.
"""

from __future__ import annotations

import ast
import sys
from collections import Counter
from pathlib import Path

OPEN_SHELVES = ("steersman.golang.",)


def top_package(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 1 else module


def owner(module: str, packages: set[str]) -> str:
    """The innermost package that holds `module` (itself when it is a package)."""
    parts = module.split(".")
    for i in range(len(parts), 0, -1):
        head = ".".join(parts[:i])
        if head in packages and head != module:
            return head
    return parts[0]


def door_names(init: Path) -> set[str]:
    """The names a package's __init__ binds (what it exports through its front door)."""
    names: set[str] = set()
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.ImportFrom | ast.Import):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
    return names


def main(root: Path) -> None:
    modules: dict[str, Path] = {}
    packages: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root.parent).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            packages.add(".".join(parts[:-1]))
            parts = parts[:-1]
        modules[".".join(parts)] = path
    per_package = Counter(top_package(m) for m, p in modules.items() if p.name != "__init__.py")
    print("modules per top-level package:")
    for pkg, n in sorted(per_package.items()):
        lines = sum(
            len(p.read_text().splitlines()) for m, p in modules.items() if top_package(m) == pkg
        )
        print(f"  {pkg:28} {n:3} modules {lines:6} lines")
    sizes = sorted(((len(p.read_text().splitlines()), m) for m, p in modules.items()), reverse=True)
    print("largest modules:")
    for n, m in sizes[:10]:
        print(f"  {n:5}  {m}")
    internal: Counter[str] = Counter()
    for m, path in modules.items():
        here = top_package(m)
        for node in ast.walk(ast.parse(path.read_text())):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                base = node.module
                exported = door_names(modules[base]) if base in packages else set()
                # `from pkg import x`: x through the front door when pkg's __init__ defines it
                # (a function named like its module, e.g. engine's `install`, is not internal).
                targets = [base] + [
                    f"{base}.{a.name}" for a in node.names if a.name not in exported
                ]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            for t in targets:
                if t not in modules or t in packages or t.startswith(OPEN_SHELVES):
                    continue  # a name, not a module, or a front door
                if t == top_package(t):
                    continue  # a top-level module (steersman.errors) is its own front door
                if top_package(t) != here and not t.startswith(here + "."):
                    internal[top_package(t)] += 1
    print(f"imports from outside a top-level package into its internals: {internal.total()}")
    for pkg, n in internal.most_common():
        print(f"  {pkg:28} {n:3}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("operator/steersman"))
