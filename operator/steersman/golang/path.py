"""Go's `path` package (on Linux `path/filepath` behaves the same): Clean, Base, Dir, Ext."""

from __future__ import annotations


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
