"""`helm template --output-dir`: the rendered files written one by one as helm writes them
(action.writeToFile), with its errors (`stat ...`, `mkdir ...`, `open ...`)."""

from __future__ import annotations

import os
import re
from typing import Any

from steersman.chart import Chart, crd_objects
from steersman.errors import SteersmanError
from steersman.golang import path as gopath
from steersman.golang.osfile import PathError, mkdir_all, stat_error, write_file

_SOURCE_BLOCK = re.compile(r"(?m)^---\n# Source: (.*)\n")


class OutputDirError(SteersmanError):
    """A file could not be written. `in_install` is true for CRDs and manifests, which helm
    writes inside the install action (its error gets the `--debug` hint), false for hooks,
    which helm template writes afterwards. The text is a path and an errno message: safe."""

    def __init__(self, text: str, in_install: bool) -> None:
        super().__init__(text)
        self.in_install = in_install


def _write(
    directory: str, path: str, content: str, append: bool, in_install: bool, out: list[str]
) -> None:
    """writeToFile: ensureDirectoryForFile (Stat, then MkdirAll), create or append, print."""
    target = f"{directory}{os.sep}{path}"
    base = gopath.dir_(target)
    try:
        problem = stat_error(base)
        if problem:
            raise problem
        mkdir_all(base, 0o755)
        data = f"---\n# Source: {path}\n{content}\n".encode("utf-8", "surrogateescape")
        write_file(target, data, append)
    except PathError as exc:
        raise OutputDirError(str(exc), in_install) from None
    out.append(f"wrote {target}\n")


def write_output_dir(
    chart: Chart,
    manifest: str,
    hooks: list[Any],
    *,
    output_dir: str,
    release_dir: str,
    include_crds: bool,
    no_hooks: bool,
    skip_tests: bool,
    debug: bool,
    out: list[str],
) -> OutputDirError | None:
    """Each file written as `---\\n# Source: PATH\\nCONTENT\\n` (a file named twice gets both
    documents), CRDs to the output dir itself, manifests and hooks under `release_dir`.

    A failure raises OutputDirError; with `debug` a CRD or manifest failure stops those files
    and is returned after the hooks are written, as helm goes on to print what it has."""
    written: set[str] = set()
    failed: OutputDirError | None = None
    try:
        if include_crds:
            for path, data in crd_objects(chart):
                text = data.decode("utf-8", "surrogateescape")
                _write(output_dir, path, text, path in written, True, out)
                written.add(path)
        parts = _SOURCE_BLOCK.split(manifest)
        for i in range(1, len(parts), 2):
            path, body = parts[i], parts[i + 1]
            body = body[:-1] if body.endswith("\n") else body
            _write(release_dir, path, body, path in written, True, out)
            written.add(path)
    except OutputDirError as exc:
        if not debug:
            raise
        failed = exc
    if not no_hooks:
        hook_written: set[str] = set()
        for h in hooks:
            if skip_tests and "test" in h.events:
                continue
            if os.path.exists(os.path.join(release_dir, h.path)):
                hook_written.add(h.path)
            _write(release_dir, h.path, h.manifest, h.path in hook_written, False, out)
    return failed
