"""Kubernetes label selectors (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, `a>1`,
`a<1`), parsed with the grammar and checks of apimachinery's `labels.Parse`: the apiserver
applies that parser to `--watch-label-selector`, and kustomize to patch targets, so a selector
we accept is one they accept, and one they refuse is refused here when it is read."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from steersman.errors import SteersmanError

Labels = Mapping[str, str]

_SPECIAL = "=!(),><"
_OPERATORS = {"=", "==", "!=", "in", "notin", ">", "<"}
_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
_DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_NAME_RULE = (
    "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character"
)


class LabelSelectorError(SteersmanError, ValueError):
    """A selector the apiserver would refuse, with apimachinery's reason."""


@dataclass(frozen=True)
class Requirement:
    key: str
    operator: str  # one of _OPERATORS, "exists" or "!"
    values: frozenset[str] = frozenset()

    def __call__(self, labels: Labels) -> bool:
        value = labels.get(self.key)
        if self.operator == "exists":
            return value is not None
        if self.operator == "!":
            return value is None
        if self.operator in ("=", "==", "in"):
            return value is not None and value in self.values
        if self.operator in ("!=", "notin"):
            return value is None or value not in self.values
        bound = int(next(iter(self.values)))
        try:
            have = int(value) if value is not None else None
        except ValueError:
            return False
        if have is None:
            return False
        return have > bound if self.operator == ">" else have < bound


@dataclass(frozen=True)
class Selector:
    """Every requirement must hold; the empty selector matches everything."""

    requirements: tuple[Requirement, ...]

    def __call__(self, labels: Labels) -> bool:
        return all(requirement(labels) for requirement in self.requirements)


def parse(selector: str) -> Selector:
    """The selector, or LabelSelectorError saying what is wrong in apimachinery's words."""
    try:
        return Selector(tuple(_Parser(_lex(selector)).selector()))
    except LabelSelectorError as err:
        raise LabelSelectorError(f"invalid label selector {selector!r}: {err}") from None


def _lex(text: str) -> list[str]:
    """Identifiers (runs of anything but whitespace and the special symbols) and the longest
    special-symbol token at each place; "" ends the list."""
    tokens, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch in " \t\r\n":
            i += 1
        elif ch in _SPECIAL:
            two = text[i : i + 2]
            if two in ("==", "!="):
                tokens.append(two)
                i += 2
            else:
                tokens.append(ch)
                i += 1
        else:
            j = i
            while j < len(text) and text[j] not in _SPECIAL and text[j] not in " \t\r\n":
                j += 1
            tokens.append(text[i:j])
            i = j
    tokens.append("")
    return tokens


def _identifier(token: str) -> bool:
    return token not in ("", *_SPECIAL, "==", "!=")


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.at = tokens, 0

    def peek(self) -> str:
        return self.tokens[self.at]

    def take(self) -> str:
        self.at += 1
        return self.tokens[self.at - 1]

    def selector(self) -> list[Requirement]:
        requirements: list[Requirement] = []
        while self.peek() != "":
            if not (_identifier(self.peek()) or self.peek() == "!"):
                raise LabelSelectorError(
                    f"found '{self.peek()}', expected: !, identifier, or 'end of string'"
                )
            requirements.append(self.requirement())
            after = self.take()
            if after == "":
                break
            if after != ",":
                raise LabelSelectorError(f"found '{after}', expected: ',' or 'end of string'")
            if not (_identifier(self.peek()) or self.peek() == "!"):
                raise LabelSelectorError(f"found '{self.peek()}', expected: identifier after ','")
        return sorted(requirements, key=lambda r: r.key)

    def requirement(self) -> Requirement:
        negated = self.peek() == "!"
        if negated:
            self.take()
        key = self.take()
        if not _identifier(key):
            raise LabelSelectorError(f"found '{key}', expected: identifier")
        _check_key(key)
        if negated:  # whatever follows `!key` is the caller's to refuse
            return Requirement(key, "!")
        if self.peek() in ("", ","):
            return Requirement(key, "exists")
        operator = self.take()
        if operator not in _OPERATORS:
            raise LabelSelectorError(f"found '{operator}', expected: in, notin, =, ==, !=, gt, lt")
        values = self.value_set() if operator in ("in", "notin") else self.exact_value()
        for value in values:
            _check_value(key, value)
        if operator in (">", "<"):
            _check_integer(next(iter(values)))
        return Requirement(key, operator, frozenset(values))

    def value_set(self) -> set[str]:
        if (opening := self.take()) != "(":
            raise LabelSelectorError(f"found '{opening}' expected: '('")
        values: set[str] = set()
        expect_value = True
        while (token := self.take()) != ")":
            if token == ",":
                if expect_value:
                    values.add("")  # `(,` and `,,` hold the empty value
                expect_value = True
            elif _identifier(token) and expect_value:
                values.add(token)
                expect_value = False
            elif _identifier(token):
                raise LabelSelectorError(f"found '{token}', expected: ',' or ')'")
            else:
                raise LabelSelectorError(f"found '{token}', expected: ',', ')' or identifier")
        if expect_value:
            values.add("")  # `()` and `,)` too
        return values

    def exact_value(self) -> set[str]:
        if self.peek() in ("", ","):
            return {""}
        token = self.take()
        if not _identifier(token):
            raise LabelSelectorError(f"found '{token}', expected: identifier")
        return {token}


def _check_key(key: str) -> None:
    prefix, _, name = key.rpartition("/")
    if "/" in key and not prefix:
        raise LabelSelectorError(f"key {key!r}: prefix part must be non-empty")
    if prefix and (len(prefix) > 253 or not _DNS_SUBDOMAIN.fullmatch(prefix)):
        raise LabelSelectorError(
            f"key {key!r}: prefix part must be a lowercase DNS subdomain of at most 253 characters"
        )
    if not name or len(name) > 63 or not _NAME.fullmatch(name):
        raise LabelSelectorError(
            f"key {key!r}: name part {_NAME_RULE}, and be at most 63 characters"
        )


def _check_value(key: str, value: str) -> None:
    if value and (len(value) > 63 or not _NAME.fullmatch(value)):
        raise LabelSelectorError(
            f"value {value!r} for {key!r}: a label value {_NAME_RULE}, at most 63 characters"
        )


def _check_integer(value: str) -> None:
    if not re.fullmatch(r"[+-]?[0-9]+", value):
        raise LabelSelectorError(
            f"for 'gt', 'lt' operators, the value must be an integer: {value!r}"
        )
