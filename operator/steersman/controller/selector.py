"""`--watch-label-selector`: Kubernetes label selector syntax, checked when the flags are read
(a bad selector exits 2 naming the flag) and applied on top of the apiserver's own filtering."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

Labels = Mapping[str, str]

_TERM = re.compile(
    r"^\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9./_-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9._-]*)"
    r"|\s(?P<setop>in|notin)\s*\((?P<set>[^)]*)\))?\s*$"
)


def parse_selector(selector: str) -> Callable[[Labels], bool]:
    """A Kubernetes label selector (=, ==, !=, in, notin, key, !key) as a predicate.
    Raises ValueError for syntax we don't understand."""
    checks: list[Callable[[Labels], bool]] = []
    for term in _split_terms(selector):
        m = _TERM.match(term)
        if m is None or (m["neg"] and (m["op"] or m["setop"])):
            raise ValueError(f"invalid label selector term {term.strip()!r}")
        checks.append(_check(m))
    return lambda labels: all(check(labels) for check in checks)


def _split_terms(selector: str) -> list[str]:
    terms, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += ch
    if current.strip():
        terms.append(current)
    return [t for t in terms if t.strip()]


def _check(m: re.Match[str]) -> Callable[[Labels], bool]:
    key = m["key"]
    if m["neg"]:
        return lambda labels: key not in labels
    if m["op"] in ("=", "=="):
        return lambda labels: labels.get(key) == m["value"]
    if m["op"] == "!=":
        return lambda labels: labels.get(key) != m["value"]
    if m["setop"]:
        values = {v.strip() for v in m["set"].split(",") if v.strip()}
        if m["setop"] == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    return lambda labels: key in labels
