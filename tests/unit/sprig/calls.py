"""Evaluate one Go-template call expression (`add 1 (int64 "2") | quote`) against the Sprig map.

Only what the unit tables need: Go literals (int, float, string with escapes, raw strings,
true/false/nil), nested `( ... )` calls and `|` pipes, which append the previous value as the
last argument. Arguments reach the functions unconverted, which is what the executor does for
these literal types (int literals into int/interface{} parameters, strings into string ones).
"""

from __future__ import annotations

import ast
import re
from typing import Any

from steersman.golang.types import GoFunc

_TOKEN = re.compile(
    r"""\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)|(?P<num>-?(?:0[xX][0-9a-fA-F]+|[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?))|(?P<word>[A-Za-z_][A-Za-z0-9_]*)|(?P<sym>[()|]))"""
)


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            raise ValueError(f"cannot tokenize at {text[pos:]!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, funcs: dict[str, GoFunc], text: str) -> None:
        self.funcs = funcs
        self.toks = _tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.toks[self.i] if self.i < len(self.toks) else None

    def pipeline(self) -> Any:
        value = self.command(None, first=True)
        while (tok := self.peek()) is not None and tok == ("sym", "|"):
            self.i += 1
            value = self.command(value, first=False)
        return value

    def command(self, piped: Any, first: bool) -> Any:
        kind, text = self.toks[self.i]
        if kind == "word" and text in self.funcs:
            self.i += 1
            args = []
            while (tok := self.peek()) is not None and tok not in (("sym", "|"), ("sym", ")")):
                args.append(self.operand())
            if not first:
                args.append(piped)
            return self.funcs[text].fn(*args)
        return self.operand()

    def operand(self) -> Any:
        kind, text = self.toks[self.i]
        self.i += 1
        if kind == "sym" and text == "(":
            value = self.pipeline()
            self.i += 1  # ")"
            return value
        if kind == "str":
            return ast.literal_eval(text)
        if kind == "raw":
            return text[1:-1]
        if kind == "num":
            if re.search(r"[.eE]", text) and not text.lower().startswith(("0x", "-0x")):
                return float(text)
            return int(text, 0)
        if text in ("true", "false"):
            return text == "true"
        if text == "nil":
            return None
        if text in self.funcs:  # a niladic function used as an operand
            return self.funcs[text].fn()
        raise ValueError(f"unexpected token {text!r}")


def call(funcs: dict[str, GoFunc], text: str) -> Any:
    return _Parser(funcs, text).pipeline()
