"""Go's `path` package (on Linux `path/filepath` behaves the same): Clean, Base, Dir, Ext, Match."""

from __future__ import annotations

import re
from functools import lru_cache


def clean(p: str) -> str:
    """Go `path.Clean`: lexical; keeps leading `..` of relative paths, drops them at the root."""
    if p == "":
        return "."
    rooted = p.startswith("/")
    out: list[str] = []
    for part in p.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            elif not rooted:
                out.append("..")
            continue
        out.append(part)
    text = "/".join(out)
    if rooted:
        return "/" + text
    return text or "."


def base(p: str) -> str:
    """Go `path.Base`: the last element, trailing slashes dropped; "." for "", "/" for "/"."""
    if p == "":
        return "."
    p = p.rstrip("/")
    if p == "":
        return "/"
    return p[p.rfind("/") + 1 :]


def dir_(p: str) -> str:
    return clean(p[: p.rfind("/") + 1])


def ext(p: str) -> str:
    for i in range(len(p) - 1, -1, -1):
        if p[i] == "/":
            break
        if p[i] == ".":
            return p[i:]
    return ""


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


def match(pattern: str, name: str) -> bool:
    """path.Match(pattern, name); PatternError for a malformed pattern."""
    return _compile(pattern).match(name) is not None
