"""Seeded random value trees and YAML texts for differential tests against helm."""

from __future__ import annotations

import json
import random
from typing import Any

_CHARS = [
    *"abcxyz ABZ019:#-?,[]{}&*!|>'\"%@`.~=\t\n\\/",
    *("é", "😀", "\u00a0", "\u2028", " ", " ", " ", "  "),
]
_WORDS = [
    "yes",
    "no",
    "on",
    "off",
    "true",
    "null",
    "~",
    "1",
    "0x1F",
    "1e3",
    "1.5",
    "2024-01-02",
    "1:20",
    "-",
    "---",
    "...",
    "<<",
    "y",
    "n",
    "",
]
_NUMBERS = [0, 1, -1, 1.5, 1e6, 1e21, 1e-7, 123456789.0, 0.1, 3.0, 1e20]


def _string(rng: random.Random) -> str:
    r = rng.random()
    if r < 0.2:
        return rng.choice(_WORDS)
    if r < 0.4:
        parts = ["lorem", "ipsum", " ", "  ", "dolor", ":", "#", "x" * 10, "\n", "'"]
        return "".join(rng.choice(parts) for _ in range(rng.randint(15, 50)))
    return "".join(rng.choice(_CHARS) for _ in range(rng.randint(0, 12)))


def random_value(rng: random.Random, depth: int = 0) -> Any:
    r = rng.random()
    if depth > 3 or r < 0.5:
        c = rng.random()
        if c < 0.6:
            return _string(rng)
        if c < 0.75:
            return rng.choice(_NUMBERS)
        if c < 0.85:
            return rng.choice([True, False])
        return None
    if r < 0.75:
        return {_string(rng): random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))}
    return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]


def json_sources(seed: int, count: int) -> list[str]:
    """Documents `{"v": <random value>}` as JSON text (which is YAML)."""
    rng = random.Random(seed)
    return [json.dumps({"v": random_value(rng)}, ensure_ascii=False) for _ in range(count)]


_PLAIN = [
    "1",
    "-1",
    "+1",
    "017",
    "0o17",
    "0x1f",
    "0b11",
    "1_000",
    "08",
    "1e3",
    "1E-3",
    ".5",
    "-.5",
    "1.",
    ".inf",
    "-.Inf",
    ".nan",
    "NaN",
    "inf",
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "N",
    "true",
    "False",
    "null",
    "NULL",
    "~",
    "2024-01-02",
    "2024-1-2",
    "2024-01-02T10:00:00Z",
    "2024-01-02 10:00:00",
    "1:20",
    "12:30:45",
    "0.1",
    "100000000000000000000",
    "9007199254740993",
    "-0",
    "0.0",
    "abc",
    "a b",
    "a:b",
    "http://x.io/a?b=c#d",
    "<<",
    "=",
    "-x",
    "@x",
    "%x",
    "`x",
    "'q'",
    '"dq"',
    "a #c",
    "[1, 2]",
    "{a: 1}",
    "[x",
    "{x",
    "*nope",
    "&a x",
    "!!int 3",
    "!!str 3",
    "!!float 3",
    "!!bool yes",
    "!!int x",
    "! 3",
    "|",
    ">",
    "a: b",
    "- x",
    "? x",
]
# No null keys: with several of them Go reports whichever its random map order meets first.
_KEYS = ["a", "b", "1", "1.5", "yes", "on", "x y", "0x10", "true", "2024-01-02", "<<", "0.1"]


def yaml_sources(seed: int, count: int) -> list[str]:
    """Small block-style YAML documents built from tricky plain scalars and keys."""
    rng = random.Random(seed)
    docs = []
    for _ in range(count):
        lines = []
        for _ in range(rng.randint(1, 4)):
            key = rng.choice(_KEYS)
            if rng.random() < 0.3:
                lines.append(f"{key}:")
                for _ in range(rng.randint(1, 3)):
                    lines.append(f"  - {rng.choice(_PLAIN)}")
            elif rng.random() < 0.3:
                lines.append(f"{key}:")
                for _ in range(rng.randint(1, 3)):
                    lines.append(f"  {rng.choice(_KEYS)}: {rng.choice(_PLAIN)}")
            else:
                lines.append(f"{key}: {rng.choice(_PLAIN)}")
        docs.append("\n".join(lines) + "\n")
    return docs


_VALUE_KEYS = ["a", "b", "c", "global", "sub", "list"]


def _small_value(rng: random.Random, depth: int) -> Any:
    if depth > 2 or rng.random() < 0.45:
        return rng.choice([None, 1, "s", True, [1, 2], [], {}])
    return {rng.choice(_VALUE_KEYS): _small_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def random_value_layers(seed: int) -> tuple[dict[str, Any], ...]:
    """(root defaults, sub defaults, grand defaults, user values) sharing keys so that
    merging, null deletion, type clashes, subchart sections and globals all collide."""
    rng = random.Random(seed)
    return tuple(
        {rng.choice(_VALUE_KEYS): _small_value(rng, 1) for _ in range(rng.randint(0, 5))}
        for _ in range(4)
    )


_SET_TOKENS = [
    "a",
    "b",
    ".",
    "[",
    "]",
    "0",
    "1",
    "2",
    "=",
    "=",
    ",",
    "{",
    "}",
    "\\",
    "-",
    "x",
    "true",
    "null",
    "01",
    "[0]",
    "[1]",
    ".c",
    "=v",
]


def random_set_args(seed: int, count: int) -> list[list[str]]:
    """Random --set family arguments built from the parser's special characters."""
    rng = random.Random(seed)
    runs = []
    for _ in range(count):
        flag = rng.choice(["--set", "--set", "--set-string", "--set-json", "--set-literal"])
        args = [flag, "".join(rng.choice(_SET_TOKENS) for _ in range(rng.randint(1, 9)))]
        if rng.random() < 0.3:
            args += ["--set", "".join(rng.choice(_SET_TOKENS) for _ in range(rng.randint(1, 6)))]
        runs.append(args)
    return runs


_IGNORE_TOKENS = [
    "*",
    "?",
    "[a-c]",
    "[^a]",
    "a",
    "b",
    "/",
    ".",
    "x",
    "\\*",
    "[",
    "]",
    "-",
    "#",
    " ",
]
_FILE_NAMES = ["a", "b", "ab", "x.txt", "c.md", ".hidden", "d", "[a]", "*"]


def random_ignore_chart(seed: int) -> dict[str, str]:
    """Chart files under random names plus a random .helmignore (some patterns malformed)."""
    rng = random.Random(seed)
    files = {"Chart.yaml": "apiVersion: v2\nname: ign\nversion: 0.1.0\n"}
    for _ in range(rng.randint(2, 7)):
        files["/".join(rng.choice(_FILE_NAMES) for _ in range(rng.randint(1, 3)))] = "x"
    names = sorted(files)
    files = {k: v for k, v in files.items() if not any(o.startswith(k + "/") for o in names)}
    patterns = [
        "".join(rng.choice(_IGNORE_TOKENS) for _ in range(rng.randint(1, 4)))
        for _ in range(rng.randint(1, 3))
    ]
    files[".helmignore"] = "\n".join(patterns) + "\n"
    return files


def _small_map(rng: random.Random, extra: tuple[str, ...] = ()) -> dict[str, Any]:
    keys = ["a", "b", "exports", "data", "x"]
    out = {rng.choice(keys): _small_value(rng, 1) for _ in range(rng.randint(0, 4))}
    for key in extra:
        if rng.random() < 0.7:
            out[key] = {rng.choice(keys): _small_value(rng, 1) for _ in range(rng.randint(1, 3))}
    return out


def _import_values(rng: random.Random) -> list[Any]:
    out: list[Any] = []
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.5:
            out.append(rng.choice(["a", "b", "data", "missing"]))
        else:
            child = rng.choice(["data", "exports.a", "x", "missing", "data.b"])
            out.append({"child": child, "parent": rng.choice([".", "a", "imp.x", "b"])})
    return out


def random_import_chart(seed: int) -> tuple[dict[str, str], dict[str, Any]]:
    """root -> child -> grand with random import-values at both levels, random defaults
    (with `exports`/`data` tables) and random user values; files without probes."""
    rng = random.Random(seed)
    root, child, grand = (
        _small_map(rng),
        _small_map(rng, ("exports", "data")),
        _small_map(rng, ("exports", "data")),
    )

    def meta(name: str, dep: str) -> str:
        return (
            f"apiVersion: v2\nname: {name}\nversion: 0.1.0\ndependencies:\n- name: {dep}\n"
            f"  version: 0.1.0\n  repository: ''\n  import-values: "
            f"{json.dumps(_import_values(rng))}\n"
        )

    files = {
        "Chart.yaml": meta("root", "child"),
        "values.yaml": json.dumps(root),
        "charts/child/Chart.yaml": meta("child", "grand"),
        "charts/child/values.yaml": json.dumps(child),
        "charts/child/charts/grand/Chart.yaml": "apiVersion: v2\nname: grand\nversion: 0.1.0\n",
        "charts/child/charts/grand/values.yaml": json.dumps(grand),
    }
    return files, _small_map(rng)
