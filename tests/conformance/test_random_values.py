"""Randomised values files (seeded, so every run checks the same cases) rendered by the
`random-values` chart, which prints its values every way templates do (toYaml, toJson, toToml,
toYamlPretty, printf/quote/typeOf per key, a fromYaml round trip). Steersman must print what
helm v4.1.4 prints, or fail with the same error.

The generator writes YAML text by hand so YAML 1.1 corner cases appear as plain scalars:
yes/no/on/off bools, octal and hex ints, underscores, base-60, timestamps, big and tiny
numbers, special characters that force quoting, unicode, nulls, empty and nested containers.
Left out on purpose: inputs where helm itself is not deterministic because it walks a Go map
(several keys that decode to the same string, null keys, several infinities: which one is met
first decides the value kept or the error text).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from hack.testkit.conformance import CHARTS, Case, compare, run_helm, run_ours

pytestmark = pytest.mark.interop

CASES = 100
SEED = 20261121

PLAIN_SCALARS = [
    "yes",
    "No",
    "ON",
    "off",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "",
    "0",
    "-0",
    "017",
    "0o17",
    "0x1F",
    "0b101",
    "1_000",
    "+12",
    "-7",
    "12.0",
    "1e3",
    "1E-7",
    ".5",
    "1:20",
    "190:20:30",
    "2024-01-02",
    "2024-01-02T10:20:30Z",
    "9007199254740993",
    "12345678901234567890",
    "1e21",
    "123456789.125",
    "0.1",
    "3.14159",
    "abc",
    "a b",
    "héllo",
    "日本語",
    "emoji😀",
    "x: y",
    "#not-comment",
    "a #b",
    "@at",
    "*star",
    "- dash",
    "trailing ",
    "'single'",
    '"double"',
    "multi\\nline",
    "tab\\there",
]
KEYS = [
    "a",
    "b",
    "name",
    "port",
    "on",
    "yes",
    "1",
    "10",
    "2",
    "a10",
    "a2",
    "B",
    "_x",
    "key.with.dots",
    "spaced key",
    "ключ",
    "true",
]


def _scalar(rng: random.Random) -> str:
    s = rng.choice(PLAIN_SCALARS)
    if (
        "\\" in s
        or s.startswith(("- ", "#", "@", "*", "'", '"'))
        or s in ("", "a #b", "x: y", "trailing ")
    ):
        return '"' + s.replace('"', '\\"') + '"'
    if rng.random() < 0.15:
        return "'" + s.replace("'", "''") + "'"  # the same text, forced to a string
    return s


def _value(rng: random.Random, depth: int, indent: str) -> str:
    roll = rng.random()
    if depth >= 3 or roll < 0.55:
        return " " + _scalar(rng)
    if roll < 0.62:
        return " {}" if rng.random() < 0.5 else " []"
    if roll < 0.75:
        items = ", ".join(_scalar(rng) for _ in range(rng.randint(1, 4)))
        return f" [{items}]"
    if roll < 0.85:
        lines = [
            f"\n{indent}- {_value(rng, depth + 1, indent + '  ').lstrip()}"
            for _ in range(rng.randint(1, 3))
        ]
        return "".join(lines)
    return "\n" + _mapping(rng, depth + 1, indent + "  ")


# Keys that all become "true" once decoded: two of them in one mapping collide, and which
# value wins then depends on Go's random map order, so a mapping gets at most one of them.
TRUE_KEYS = {"on", "yes", "true"}


def _mapping(rng: random.Random, depth: int, indent: str) -> str:
    keys = rng.sample(KEYS, rng.randint(1, 5))
    first_true = next((k for k in keys if k in TRUE_KEYS), None)
    keys = [k for k in keys if k not in TRUE_KEYS or k == first_true]
    return "\n".join(f"{indent}{_key(k)}:{_value(rng, depth, indent + '  ')}" for k in keys)


def _key(k: str) -> str:
    return f'"{k}"' if " " in k and k != "spaced key" else k


def generate(index: int) -> str:
    rng = random.Random(SEED * 1000 + index)
    text = _mapping(rng, 0, "") + "\n"
    if rng.random() < 0.3:
        text += "defaults:\n  keep: null\n"  # a user null deletes a chart default
    return text


@pytest.mark.parametrize("index", range(CASES))
def test_random_values_render_like_helm(index: int, tmp_path: Path) -> None:
    values = tmp_path / f"values-{index}.yaml"
    values.write_text(generate(index), encoding="utf-8")
    case = Case("random-values", str(index), (str(CHARTS / "random-values"), "-f", str(values)))
    helm = run_helm(case)
    ours = run_ours(case)
    assert compare(ours, helm) is None, f"values:\n{values.read_text()}\n{compare(ours, helm)}"
