""".helmignore rules (Helm's pkg/ignore) and Go's filepath.Match.

Rules are tried in order; the first match decides. A rule with a `/` matches the whole relative
path, one without matches the base name, a leading `/` is dropped, a trailing `/` only matches
directories, and `**` is rejected. Helm's negation is kept as it is: a `!pattern` rule ignores
every path that does *not* match it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

HELM_IGNORE = ".helmignore"


class PatternError(ValueError):
    """filepath.ErrBadPattern."""

    def __init__(self) -> None:
        super().__init__("syntax error in pattern")


@lru_cache(maxsize=512)
def _compile(pattern: str) -> re.Pattern[str]:
    """Translate a Go filepath.Match pattern (separator `/`) to a regular expression."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "\\":
            if i + 1 >= n:
                raise PatternError()
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif c == "[":
            i += 1
            negate = i < n and pattern[i] == "^"
            if negate:
                i += 1
            ranges: list[str] = []
            first = True
            while True:
                if i >= n:
                    raise PatternError()
                if pattern[i] == "]" and not first:
                    i += 1
                    break
                lo, i = _class_char(pattern, i)
                hi = lo
                if i < n and pattern[i] == "-":
                    hi, i = _class_char(pattern, i + 1)
                    if hi < lo:
                        raise PatternError()
                ranges.append(re.escape(lo) + ("-" + re.escape(hi) if hi != lo else ""))
                first = False
            out.append("[" + ("^" if negate else "") + "".join(ranges) + "]")
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out) + r"\Z", re.DOTALL)


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    if i >= len(pattern) or pattern[i] in "-]":
        raise PatternError()
    if pattern[i] == "\\":
        i += 1
        if i >= len(pattern):
            raise PatternError()
    return pattern[i], i + 1


def go_match(pattern: str, name: str) -> bool:
    """filepath.Match(pattern, name); PatternError for a malformed pattern."""
    return _compile(pattern).match(name) is not None


@dataclass(frozen=True)
class _Rule:
    raw: str
    pattern: str
    negate: bool
    must_dir: bool
    whole_path: bool

    def matches(self, path: str) -> bool:
        name = path if self.whole_path else path.rsplit("/", 1)[-1]
        try:
            return go_match(self.pattern, name)
        except PatternError:
            return False


class Rules:
    """A parsed .helmignore."""

    def __init__(self) -> None:
        self._rules: list[_Rule] = []

    @classmethod
    def parse(cls, text: bytes | str) -> Rules:
        if isinstance(text, bytes):
            text = text.decode("utf-8", "replace")
        text = text.removeprefix("\ufeff")
        rules = cls()
        for line in text.split("\n"):
            rules.add(line)
        return rules

    def add_defaults(self) -> None:
        self.add("templates/.?*")

    def add(self, rule: str) -> None:
        rule = rule.strip()
        if not rule or rule.startswith("#"):
            return
        if "**" in rule:
            raise ValueError("double-star (**) syntax is not supported")
        go_match(rule, "abc")  # validates like Helm does
        raw = rule
        negate = rule.startswith("!")
        if negate:
            rule = rule[1:]
        must_dir = rule.endswith("/")
        if must_dir:
            rule = rule[:-1]
        if rule.startswith("/"):
            rule, whole = rule[1:], True
        else:
            whole = "/" in rule
        self._rules.append(_Rule(raw, rule, negate, must_dir, whole))

    def ignore(self, path: str, is_dir: bool) -> bool:
        if path in ("", ".", "./"):
            return False
        for rule in self._rules:
            if rule.negate:
                if rule.must_dir and not is_dir:
                    return True
                if not rule.matches(path):
                    return True
                continue
            if rule.must_dir and not is_dir:
                continue
            if rule.matches(path):
                return True
        return False
