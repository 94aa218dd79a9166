"""Benchmarks (not tests): each module prints a table with ratios against helm measured in the
same run. `make bench` runs them all; `python -m bench.NAME` runs one."""

from __future__ import annotations


def compile_bytecode() -> None:
    """Byte-compile the steersman package, as installing its wheel does (pip compiles .pyc at
    install time). An editable checkout run with PYTHONDONTWRITEBYTECODE=1 (this bench
    machine, the image's ENV) would otherwise recompile every module in every new process,
    ~0.2 s that no installed copy pays. Stale .pyc files are ignored by Python, never wrong."""
    import compileall
    from pathlib import Path

    import steersman

    compileall.compile_dir(Path(steersman.__file__).parent, quiet=2)
