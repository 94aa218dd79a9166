"""Sprig path functions (golang.path: Go `path`, on Linux identical to `path/filepath`),
`urlParse` and `urlJoin` (Go net/url Parse and URL.String), and Helm's `getHostByName`."""

from __future__ import annotations

from typing import Any

from steersman.golang.fmt import go_quote
from steersman.golang.neturl import URLError, escape, parse
from steersman.golang.path import base, clean, dir_, ext
from steersman.golang.types import GoFunc, TemplateFuncError

from ._values import kind_of


def parse_url(raw: str) -> dict[str, Any]:
    """Go url.Parse, reduced to the fields urlParse reports."""
    try:
        return parse(raw)
    except URLError as e:
        raise TemplateFuncError(f"unable to parse url: parse {go_quote(raw)}: {e}") from None


def _dict_str(d: dict[str, Any], key: str) -> str:
    if key not in d:
        return ""
    v = d[key]
    if not isinstance(v, str):
        raise TemplateFuncError(
            f"unable to parse {key} key, must be of type string, but {kind_of(v)} found"
        )
    return v


def _is_abs(p: str) -> bool:
    return p.startswith("/")


def join_url(d: dict[str, Any]) -> str:
    scheme, host = _dict_str(d, "scheme"), _dict_str(d, "host")
    path, query = _dict_str(d, "path"), _dict_str(d, "query")
    opaque, frag = _dict_str(d, "opaque"), _dict_str(d, "fragment")
    info = _dict_str(d, "userinfo")
    user = None
    if info:
        raw = "proto://" + info + "@host"
        try:
            user = parse(raw)["userinfo"]
        except URLError as e:
            raise TemplateFuncError(
                f"unable to parse userinfo in dict: parse {go_quote(raw)}: {e}"
            ) from None
    out = ""
    if scheme:
        out += scheme + ":"
    if opaque:
        out += opaque
    else:
        if scheme or host or user is not None:
            if host or path or user is not None:
                out += "//"
            if user is not None:
                out += user + "@"
            if host:
                out += escape(host, "host")
        escaped = "*" if path == "*" else escape(path, "path")  # EscapedPath keeps a lone *
        if escaped and escaped[0] != "/" and host:
            out += "/"
        if out == "" and ":" in escaped.split("/", 1)[0]:
            out += "./"
        out += escaped
    if query:
        out += "?" + query
    if frag:
        out += "#" + escape(frag, "fragment")
    return out


def path_url_funcs() -> dict[str, GoFunc]:
    s1 = ("string",)
    m = "map[string]interface {}"
    funcs: dict[str, GoFunc] = {}
    for go_name, os_name, fn, result in (
        ("base", "osBase", base, "string"),
        ("dir", "osDir", dir_, "string"),
        ("clean", "osClean", clean, "string"),
        ("ext", "osExt", ext, "string"),
        ("isAbs", "osIsAbs", _is_abs, "bool"),
    ):
        # path/filepath on Linux behaves exactly like path.
        funcs[go_name] = funcs[os_name] = GoFunc(fn, s1, result=result)
    funcs["urlParse"] = GoFunc(parse_url, s1, result=m)
    funcs["urlJoin"] = GoFunc(join_url, (m,), result="string")
    # Helm replaces Sprig's DNS lookup: without --enable-dns it returns "". There is no DNS
    # from inside the renderer, so that is the only behaviour offered.
    funcs["getHostByName"] = GoFunc(lambda _name: "", s1, result="string")
    return funcs
