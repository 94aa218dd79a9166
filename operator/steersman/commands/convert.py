"""`steersman convert [PATH|-]...`: Flux HelmReleases (with their HelmRepository, OCIRepository
or HelmChart sources) in, Steersman HelmReleases out, offline.

Reads files, folders (every *.yaml, *.yml and *.json below them, hidden folders skipped) and
stdin (`-`, e.g. `kubectl kustomize overlay | steersman convert -`); multi-document YAML and
`kind: List` are unpacked. The converted objects go to stdout as YAML; every field that does not
come along goes to stderr, one line each, as `HelmRelease <ns>/<name>: <field>: <why>`.

Exit codes: 0 every HelmRelease converted; 1 an input error (one line `Error: ...`, nothing on
stdout) or some HelmRelease could not be converted (the others are printed); 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

import yaml

from steersman.errors import SteersmanError
from steersman.golang.yamlresolve import go_like_loader

OK, ERROR = 0, 1
SUFFIXES = (".yaml", ".yml", ".json")


class InputError(SteersmanError):
    """The input cannot be read; printed as one line `Error: ...`."""


# YAML as kubectl reads it into JSON: timestamps stay strings (and `=` is a string too).
_Loader = go_like_loader(yaml.SafeLoader, timestamps=False)


def add_convert_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        default=["-"],
        help="Flux YAML files or folders (searched recursively); '-' reads stdin (the default)",
    )
    parser.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="don't list the fields that are not carried over (errors are still printed)",
    )


def _files(paths: Sequence[str]) -> Iterator[tuple[str, Path | None]]:
    """(name shown in errors, path or None for stdin), files of a folder in sorted order."""
    for raw in paths:
        if raw == "-":
            yield "<stdin>", None
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            for file in found:
                yield str(file), file
        elif path.is_file():
            yield raw, path
        else:
            raise InputError(f"{raw}: no such file or folder")


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    if not isinstance(data, dict):
        return  # a stray scalar or list document (a values file, say) is no object
    items = data.get("items")
    if str(data.get("kind") or "").endswith("List") and isinstance(items, list):
        for item in items:
            yield from _objects(item)
    else:
        yield data


def read_documents(paths: Sequence[str], stdin: TextIO) -> list[dict[str, Any]]:
    documents: list[dict[str, Any]] = []
    for name, path in _files(paths):
        try:
            text = stdin.read() if path is None else path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(f"{name}: cannot read it: {err}") from None
        try:
            for data in yaml.load_all(text, Loader=_Loader):
                documents.extend(_objects(data))
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            where = f" at line {mark.line + 1}" if mark is not None else ""
            problem = getattr(err, "problem", None) or str(err).splitlines()[0]
            raise InputError(f"{name}: not valid YAML{where}: {problem}") from None
    return documents


def run(args: argparse.Namespace) -> int:
    from steersman.commands.flux_convert import convert

    try:
        documents = read_documents(args.paths, sys.stdin)
    except InputError as err:
        print(f"Error: {err}", file=sys.stderr)
        return ERROR
    try:
        result = convert(documents)
    except Exception as err:  # a traceback is a bug; the type alone can't leak a value
        print(f"Error: internal error ({type(err).__name__}); please report it", file=sys.stderr)
        return ERROR
    if not result.releases:
        kinds = ", ".join(sorted(result.ignored)) or "nothing"
        print(f"Error: no Flux HelmRelease in the input (found {kinds})", file=sys.stderr)
        return ERROR
    out = [r.body for r in result.releases if r.body is not None]
    if out:
        sys.stdout.write(yaml.safe_dump_all(out, sort_keys=False, default_flow_style=False))
    for note in result.notes:
        print(f"note: {note}", file=sys.stderr)
    failed = 0
    for release in result.releases:
        label = f"HelmRelease {release.ref}"
        if release.error is not None:
            failed += 1
            print(f"{label}: not converted: {release.error}", file=sys.stderr)
        if not args.quiet:
            for note in release.notes:
                print(f"{label}: {note}", file=sys.stderr)
    total = len(result.releases)
    if failed:
        print(
            f"Error: {failed} of {total} HelmReleases not converted (reasons above)",
            file=sys.stderr,
        )
        return ERROR
    if not args.quiet:
        dropped = sum(len(r.notes) for r in result.releases)
        print(f"converted {total} HelmReleases; {dropped} notes", file=sys.stderr)
    return OK
