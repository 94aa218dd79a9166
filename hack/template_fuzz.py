"""Differential fuzzing: random template expressions through helm v4 and through our engine.

    .venv/bin/python -m hack.template_fuzz --seed 1 --count 500 [--depth 2] [--mode expr]

Modes: `expr` builds random calls of text/template builtins and Sprig functions (mostly
well-typed arguments, sometimes anything, sometimes nested calls or pipelines); `printf` random
verbs/flags/widths over mixed values; `blocks` random nesting of if/with/range/variables/
break/continue with trim markers (use --depth 3). Each template is rendered with helm v4 (the same
oracle as the corpus) and with our engine, and prints every disagreement. Disagreements worth
keeping become corpus cases (tests/gotemplate_cases/) with a descriptive name; note that `keys`
and `values` follow Go's random map order and the deliberately absent Helm-only functions
(`fromJson`'s Helm override, `toYaml`, ...) are not generated.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from typing import Any

from hack.gen_template_cases import run_all
from hack.template_oracle import Expectation

STRINGS = ['""', '"a"', '"Hello World"', '"héllo wörld"', '"a,b,c"', '"  x  "', '"1.5"', '"-3"']
STRINGS += ['"0x1F"', '"010"', '"true"', '"ABC-def_ghi"', '"a\\nb"', '"1.2.3"', '"2020-01-02"']
INTS = ["0", "1", "-1", "2", "3", "7", "63", "-5"]
FLOATS = ["0.5", "1.5", "-2.5", "1e6", "0.0", "3.0"]
VALUES = [".Values.s", ".Values.n", ".Values.f", ".Values.l", ".Values.m", ".Values.none"]
VALUES += [".Values.e", ".Values.b", ".Values.big"]
LISTS = ['(list 1 "a" 2.5)', "(list)", '(splitList "," "x,y")', "(until 3)", '(list nil "")']
MAPS = ['(dict "a" 1 "b" "x")', "(dict)", '(split "," "p,q")']
ANYTHING = STRINGS + INTS + FLOATS + VALUES + LISTS + MAPS + ["nil", "true", "false"]
POOLS = {
    "s": STRINGS + VALUES,
    "i": INTS + VALUES,
    "f": FLOATS + INTS,
    "a": ANYTHING,
    "l": LISTS + VALUES,
    "m": MAPS + VALUES,
}
CASE_VALUES = {"s": "str", "n": 3, "f": 2.5, "l": ["x", 1, True], "m": {"k": "v", "z": 1}}
CASE_VALUES |= {"e": "", "b": False, "big": 1000000}

# name -> parameter kinds (s string, i int, f float, a anything, l list, m map)
SIGNATURES = {
    "abbrev": "is", "abbrevboth": "iis", "trunc": "is", "trim": "s", "upper": "s", "lower": "s",
    "title": "s", "untitle": "s", "substr": "iis", "repeat": "is", "trimAll": "ss",
    "trimSuffix": "ss", "trimPrefix": "ss", "nospace": "s", "initials": "s", "swapcase": "s",
    "snakecase": "s", "camelcase": "s", "kebabcase": "s", "wrap": "is", "wrapWith": "iss",
    "contains": "ss", "hasPrefix": "ss", "hasSuffix": "ss", "quote": "a", "squote": "a",
    "cat": "aa", "indent": "is", "nindent": "is", "replace": "sss", "plural": "ssi",
    "sha1sum": "s", "adler32sum": "s", "toString": "a", "atoi": "s", "int64": "a", "int": "a",
    "float64": "a", "toDecimal": "a", "split": "ss", "splitList": "ss", "splitn": "sis",
    "toStrings": "a", "until": "i", "untilStep": "iii", "add1": "a", "add": "aa", "sub": "aa",
    "div": "aa", "mod": "aa", "mul": "aa", "add1f": "a", "addf": "aa", "subf": "aa",
    "divf": "aa", "mulf": "aa", "biggest": "aa", "max": "aa", "min": "aa", "maxf": "aa",
    "minf": "aa", "ceil": "a", "floor": "a", "round": "ai", "join": "sa", "sortAlpha": "a",
    "default": "aa", "empty": "a", "coalesce": "aa", "all": "aa", "any": "aa", "compact": "a",
    "toJson": "a", "toPrettyJson": "a", "toRawJson": "a", "ternary": "aaa", "deepCopy": "a",
    "typeOf": "a", "kindOf": "a", "typeIs": "sa", "kindIs": "sa", "deepEqual": "aa",
    "base": "s", "dir": "s", "clean": "s", "ext": "s", "isAbs": "s", "b64enc": "s",
    "b64dec": "s", "b32enc": "s", "b32dec": "s", "list": "aa", "dict": "aa", "get": "ms",
    "hasKey": "ms", "pluck": "sm", "pick": "ms", "omit": "ms", "merge": "mm",
    "mergeOverwrite": "mm", "append": "la", "prepend": "la", "first": "l", "rest": "l",
    "last": "l", "initial": "l", "reverse": "l", "uniq": "l", "without": "la", "has": "al",
    "slice": "li", "concat": "ll", "chunk": "il", "seq": "ii", "regexMatch": "ss",
    "regexFind": "ss", "regexFindAll": "ssi", "regexReplaceAll": "sss", "regexSplit": "ssi",
    "regexQuoteMeta": "s", "semver": "s", "semverCompare": "ss", "urlParse": "s", "len": "a",
    "index": "aa", "print": "aa", "printf": "sa", "html": "a", "js": "a", "urlquery": "a",
    "eq": "aa", "ne": "aa", "lt": "aa", "le": "aa", "gt": "aa", "ge": "aa", "and": "aa",
    "or": "aa", "not": "a", "duration": "a", "durationRound": "a", "toDate": "ss",
    "dateModify": "sa", "dig": "ssm", "sha256sum": "s", "mustFromJson": "s",
}  # fmt: skip


def random_expr(rnd: random.Random, depth: int) -> str:
    name = rnd.choice(sorted(SIGNATURES))
    args = [random_arg(rnd, kind, depth) for kind in SIGNATURES[name]]
    if args and rnd.random() < 0.2:
        return f"{args[-1]} | {name} {' '.join(args[:-1])}".rstrip()
    return f"{name} {' '.join(args)}"


def random_arg(rnd: random.Random, kind: str, depth: int) -> str:
    if depth > 0 and rnd.random() < 0.25:
        return f"({random_expr(rnd, depth - 1)})"
    return rnd.choice(ANYTHING if rnd.random() < 0.15 else POOLS[kind])


def random_cases(seed: int, count: int, depth: int) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    cases = []
    for i in range(count):
        expr = random_expr(rnd, depth)
        if rnd.random() < 0.3:
            expr = f'({expr}) | toString | printf "%q"'
        template = "{{ " + expr + " }}"
        cases.append({"name": f"fuzz{seed}_{i}", "template": template, "values": CASE_VALUES})
    return cases


PRINTF_ARGS = ["1", "-7", "255", "0", "1.5", "-0.001", "1e6", "123456789.0", "1e-7", '"abc"']
PRINTF_ARGS += ['"é😀"', '""', "true", "nil", ".Values.n", ".Values.f", ".Values.big", ".Values.l"]
PRINTF_ARGS += [".Values.m", ".Values.none", '(list 1 2.5 "x")', '(dict "a" 1)', "(until 3)"]
PRINTF_ARGS += ['(splitList "," "a,b")', "(add 5 5)", "'x'", "(sub 0 3)", "2.675", "1e21"]
PRINTF_FLAGS = ["", "+", "-", "#", " ", "0", "+0", "-#", "# "]


def random_printf(rnd: random.Random) -> str:
    verbs, args = [], []
    for _ in range(rnd.randint(1, 3)):
        width = rnd.choice(["", "", str(rnd.randint(1, 12))])
        precision = rnd.choice(["", "", f".{rnd.randint(0, 6)}", "."])
        verb = rnd.choice("vdsqxXofeEgGtcUbT")
        verbs.append(f"%{rnd.choice(PRINTF_FLAGS)}{width}{precision}{verb}")
        args.append(rnd.choice(PRINTF_ARGS))
    return '{{ printf "' + "|".join(verbs) + '" ' + " ".join(args) + " }}"


BLOCK_EXPRS = [".Values.l", ".Values.m", ".Values.n", ".Values.s", ".Values.e", ".Values.none"]
BLOCK_EXPRS += [".Values.b", "$.Values.m", ".k", "(list 1 2)", '(dict "x" 1)', "0", "1", '"str"']
BLOCK_EXPRS += ["nil", "true", "$v", "$i"]
BLOCK_FUNCS = ["len", "toString", "typeOf", "empty", "not", "print", "toJson", "quote"]


def random_block(rnd: random.Random, depth: int) -> str:
    """Nested if/with/range/variables/break/continue with random trim markers and text."""

    def expr() -> str:
        head = rnd.choice(BLOCK_EXPRS)
        return f"{rnd.choice(BLOCK_FUNCS)} {head}" if rnd.random() < 0.3 else head

    out = []
    for _ in range(rnd.randint(1, 3)):
        r = rnd.random()
        left, right = rnd.choice(["{{ ", "{{- "]), rnd.choice([" }}", " -}}"])
        if depth > 0 and r < 0.2:
            body, other = random_block(rnd, depth - 1), random_block(rnd, depth - 1)
            out.append(f"{left}if {expr()}{right}{body}{{{{ else }}}}{other}{{{{ end }}}}")
        elif depth > 0 and r < 0.35:
            out.append(f"{left}with {expr()}{right}{random_block(rnd, depth - 1)}{{{{ end }}}}")
        elif depth > 0 and r < 0.55:
            body = random_block(rnd, depth - 1)
            out.append(f"{left}range $i, $v := {expr()}{right}{body}{{{{ else }}}}R{{{{ end }}}}")
        elif r < 0.65:
            out.append(f"{left}$v := {expr()}{right}")
        elif r < 0.7:
            out.append(rnd.choice(["{{ break }}", "{{ continue }}"]))
        else:
            out.append(f"[{left}{expr()}{right}]")
        out.append(rnd.choice(["", " ", "\n", " \n "]))
    return "".join(out)


def random_templates(mode: str, seed: int, count: int, depth: int) -> list[dict[str, Any]]:
    if mode == "expr":
        return random_cases(seed, count, depth)
    rnd = random.Random(seed)
    cases = []
    for i in range(count):
        if mode == "printf":
            template = random_printf(rnd)
        else:
            template = "{{ $v := 0 }}{{ $i := 0 }}" + random_block(rnd, depth)
        cases.append({"name": f"{mode}{seed}_{i}", "template": template, "values": CASE_VALUES})
    return cases


def ours(case: dict[str, Any]) -> tuple[str, str]:
    from hack.testkit.templates import Case, render_case
    from steersman.gotemplate import TemplateError

    probe = Case("fuzz", case["name"], case["template"], case["values"], None, None, None)
    try:
        return ("output", render_case(probe))
    except TemplateError as exc:
        return ("error", str(exc))
    except Exception as exc:  # an engine bug is a finding, not a reason to stop
        return ("crash", f"{type(exc).__name__}: {exc}")


def agrees(expected: Expectation, got: tuple[str, str]) -> bool:
    kind, text = got
    if expected.error is not None:
        return got == ("error", expected.error)
    raw = expected.raw_output if expected.raw_output is not None else expected.output
    return kind == "output" and text == raw


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--depth", type=int, default=1)
    parser.add_argument("--mode", choices=["expr", "printf", "blocks"], default="expr")
    args = parser.parse_args(argv)
    os.environ["TZ"] = "UTC"
    time.tzset()
    cases = random_templates(args.mode, args.seed, args.count, args.depth)
    disagreements = 0
    for case, expected in zip(cases, run_all(cases), strict=True):
        if not isinstance(expected, Expectation):
            continue  # helm output this oracle cannot use (e.g. not deterministic)
        got = ours(case)
        if not agrees(expected, got):
            disagreements += 1
            want = expected.error or expected.raw_output or expected.output
            print(f"{case['name']}: {case['template']}\n  helm: {want!r}\n  ours: {got!r}")
    print(f"{len(cases)} cases, {disagreements} disagreements", file=sys.stderr)
    return 1 if disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
