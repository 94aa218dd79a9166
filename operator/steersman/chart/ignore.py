""".helmignore rules (Helm's pkg/ignore) over Go's filepath.Match (golang.path.match).

Rules are tried in order; the first match decides. A rule with a `/` matches the whole relative
path, one without matches the base name, a leading `/` is dropped, a trailing `/` only matches
directories, and `**` is rejected. Helm's negation is kept as it is: a `!pattern` rule ignores
every path that does *not* match it.
"""

from __future__ import annotations

from dataclasses import dataclass

from steersman.golang.path import PatternError, match

HELM_IGNORE = ".helmignore"


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
            return match(self.pattern, name)
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
        match(rule, "abc")  # validates like Helm does
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
