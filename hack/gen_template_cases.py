"""Fill in (or `--check`) the expected results of the Go-template conformance corpus with helm v4.

    .venv/bin/python -m hack.gen_template_cases            # rewrite tests/gotemplate_cases/*.yaml
    .venv/bin/python -m hack.gen_template_cases --check    # exit 1 when a fixture differs from helm
    .venv/bin/python -m hack.gen_template_cases --only sprig_regex --match quote

A case file is YAML: `{area: str, cases: [{name, template, values?, note?}, ...]}`; this tool adds
`output` (what Helm renders, `<no value>` already replaced by ""), `raw_output` (Go's bytes, only
when they differ) or `error` (Go's `err.Error()` for template name `case/templates/NOTES.txt`).
See hack/template_oracle.py for how helm is run and how Go's error text is recovered.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from hack.template_oracle import Expectation, OracleError, run_case

CASES_DIR = Path(__file__).resolve().parent.parent / "tests" / "gotemplate_cases"
INPUT_KEYS = ("name", "note", "template", "values")
RESULT_KEYS = ("output", "raw_output", "error")
HELM_PARALLELISM = 2


def case_files(only: str | None = None) -> list[Path]:
    files = sorted(CASES_DIR.glob("*.yaml"))
    return [f for f in files if only is None or only in f.stem]


def load_file(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise SystemExit(f"{path}: expected a mapping with a `cases` list")
    return doc


def _expected(case: dict[str, Any]) -> dict[str, str]:
    return {k: case[k] for k in RESULT_KEYS if k in case}


def _ordered(case: dict[str, Any], result: dict[str, str]) -> dict[str, Any]:
    out = {k: case[k] for k in INPUT_KEYS if k in case}
    out.update(result)
    return out


class _Dumper(yaml.SafeDumper):
    """Readable fixtures: multi-line strings as literal blocks whenever YAML allows it exactly."""


def _str_representer(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data and _block_safe(data) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _block_safe(data: str) -> bool:
    # Literal blocks cannot keep trailing spaces, tabs or leading blanks on the first line exactly.
    lines = data.split("\n")
    return all(
        (line == line.rstrip(" \t")) and "\t" not in line and all(c.isprintable() for c in line)
        for line in lines
    ) and not data.startswith((" ", "\n"))


_Dumper.add_representer(str, _str_representer)


def dump_file(path: Path, doc: dict[str, Any]) -> None:
    text = yaml.dump(doc, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    if yaml.safe_load(text) != doc:
        raise SystemExit(f"{path}: YAML dump does not round-trip; refusing to write")
    path.write_text(text, encoding="utf-8")


def run_all(cases: Iterable[dict[str, Any]]) -> list[Expectation | OracleError]:
    def one(case: dict[str, Any]) -> Expectation | OracleError:
        try:
            return run_case(case["template"], case.get("values"))
        except OracleError as exc:
            return exc

    with ThreadPoolExecutor(max_workers=HELM_PARALLELISM) as pool:
        return list(pool.map(one, cases))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--only", help="only case files whose name contains this")
    parser.add_argument("--match", help="only cases whose name contains this")
    args = parser.parse_args(argv)

    started = time.monotonic()
    names: set[str] = set()
    problems = 0
    total = 0
    for path in case_files(args.only):
        doc = load_file(path)
        cases: list[dict[str, Any]] = doc["cases"]
        for case in cases:
            if case["name"] in names:
                raise SystemExit(f"{path}: duplicate case name {case['name']}")
            names.add(case["name"])
        selected = [c for c in cases if args.match is None or args.match in c["name"]]
        results = dict(zip((c["name"] for c in selected), run_all(selected), strict=True))
        total += len(selected)
        new_cases = []
        for case in cases:
            result = results.get(case["name"])
            if result is None:
                new_cases.append(case)
                continue
            if isinstance(result, OracleError):
                problems += 1
                print(f"{path.name}: {case['name']}: ORACLE PROBLEM: {result}", file=sys.stderr)
                new_cases.append(case)
                continue
            fresh = result.as_fields()
            if args.check and fresh != _expected(case):
                problems += 1
                print(f"{path.name}: {case['name']}: stored {_expected(case)!r} != helm {fresh!r}")
            new_cases.append(_ordered(case, fresh))
        if not args.check:
            doc["cases"] = new_cases
            dump_file(path, doc)
    elapsed = time.monotonic() - started
    print(f"{total} cases through helm in {elapsed:.1f}s, {problems} problem(s)", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
