"""Benchmarks (not tests): each module prints a table with ratios against helm measured in the
same run. `make bench` runs them all; `python -m bench.NAME` runs one."""

from __future__ import annotations

from typing import Any


def compile_bytecode() -> None:
    """Byte-compile the steersman package, as installing its wheel does (pip compiles .pyc at
    install time). An editable checkout run with PYTHONDONTWRITEBYTECODE=1 (this bench
    machine, the image's ENV) would otherwise recompile every module in every new process,
    ~0.2 s that no installed copy pays. Stale .pyc files are ignored by Python, never wrong."""
    import compileall
    from pathlib import Path

    import steersman

    compileall.compile_dir(Path(steersman.__file__).parent, quiet=2)


def run_in_checkout(checkout: Any, expression: str) -> Any:
    """The JSON value of `expression` (bench code, e.g. `bench.hot_paths.measure(5)`) evaluated
    in a new process on another checkout's package: the "before" column of a benchmark."""
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    module = expression.split("(", 1)[0].rsplit(".", 1)[0]
    env = dict(os.environ, PYTHONPATH=f"{Path(checkout) / 'operator'}{os.pathsep}{Path.cwd()}")
    code = f"import json, {module}; print(json.dumps({expression}))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])
