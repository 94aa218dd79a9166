"""Run the Go-template corpus against our engine and write a grouped failure digest.

    .venv/bin/python -m hack.template_corpus_digest [--out /tmp/steersman-coord/corpus-failures.txt]

Failures are grouped by what went wrong (a crash type, "wrong output", "wrong error text", ...)
per case file, biggest groups first, with a few examples each, so whoever works on the engine or
the Sprig functions sees the most common problems at the top. Uses the same rendering as
hack/testkit/templates.py.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
from collections import defaultdict
from pathlib import Path
from types import FrameType

DEFAULT_OUT = Path("/tmp/steersman-coord/corpus-failures.txt")
CASE_TIMEOUT_S = 10
EXAMPLES_PER_GROUP = 4
MAX_LINES = 300


class _CaseTimeout(Exception):
    pass


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise _CaseTimeout(f"case took more than {CASE_TIMEOUT_S}s")


def _short(text: str, limit: int = 160) -> str:
    text = repr(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _first_difference(expected: str, got: str) -> str:
    pairs = zip(expected, got, strict=False)
    at = next((i for i, (a, b) in enumerate(pairs) if a != b), min(len(expected), len(got)))
    start = max(0, at - 30)
    return (
        f"    differs at char {at}: expected ...{_short(expected[start:], 100)}\n"
        f"                      got      ...{_short(got[start:], 100)}"
    )


def _kind(message: str) -> str:
    # Group similar messages: drop positions and quoted specifics.
    message = re.sub(r"NOTES\.txt:\d+(:\d+)?", "NOTES.txt:L", message)
    message = re.sub(r'"[^"]*"|<[^>]*>', "_", message)
    return message[:90]


def run(out_path: Path) -> tuple[int, int]:
    # helm produced the fixtures with TZ=UTC (`date`/`toDate` use the local zone).
    os.environ["TZ"] = "UTC"
    time.tzset()
    from hack.testkit.templates import CASES, render_case
    from steersman.gotemplate import TemplateError

    groups: dict[str, list[str]] = defaultdict(list)
    passed = 0
    signal.signal(signal.SIGALRM, _on_alarm)
    for case in CASES:
        got: str
        got_error = ""
        problem: str | None = None
        signal.alarm(CASE_TIMEOUT_S)
        try:
            out = render_case(case)
            got = f"output {_short(out)}"
            if case.error is not None:
                problem = "expected an error, got output"
            elif case.raw_output is not None and out != case.raw_output:
                problem = "wrong output (before <no value> removal)"
            elif out.replace("<no value>", "") != case.output:
                problem = "wrong output"
        except TemplateError as exc:
            got_error = str(exc)
            got = f"error {_short(got_error)}"
            if case.error is None:
                problem = f"unexpected error: {_kind(str(exc))}"
            elif str(exc) != case.error:
                problem = "wrong error text"
        except BaseException as exc:  # engine bugs: report, keep going
            if isinstance(exc, KeyboardInterrupt):
                raise
            got = f"crash {type(exc).__name__}: {_short(str(exc))}"
            problem = f"crash {type(exc).__name__}: {_kind(str(exc))}"
        finally:
            signal.alarm(0)
        if problem is None:
            passed += 1
            continue
        expected = case.error if case.error is not None else case.raw_output or case.output
        example = (
            f"  - {case.name}\n    template: {_short(case.template)}\n"
            f"    expected: {'error ' if case.error else 'output '}{_short(expected or '')}\n"
            f"    got:      {got}"
        )
        if problem == "wrong error text" and case.error is not None:
            example += "\n" + _first_difference(case.error, str(got_error))
        groups[f"[{case.file}] {problem}"].append(example)
    total = len(CASES)
    lines = [
        f"Go-template corpus digest {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime())} UTC: "
        f"{passed}/{total} pass, {total - passed} fail, {len(groups)} groups "
        "(biggest first; expected values come from helm v4, see tests/gotemplate_cases/)",
        "",
    ]
    for title, examples in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        if len(lines) >= MAX_LINES:
            lines.append(f"... {len(groups)} groups in all; rerun after fixes for the rest")
            break
        lines.append(f"{len(examples)} x {title}")
        for example in examples[:EXAMPLES_PER_GROUP]:
            lines.extend(example.split("\n"))
        lines.append("")
    out_path.write_text("\n".join(lines[: MAX_LINES + 1]) + "\n", encoding="utf-8")
    return passed, total


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    passed, total = run(args.out)
    print(f"{passed}/{total} corpus cases pass; digest in {args.out}")
    return 0 if passed == total else 1


if __name__ == "__main__":
    sys.exit(main())
