"""Go's net/url: Parse (reduced to the fields callers read) with its error texts, and the
escaping rules of each URL part."""

from __future__ import annotations

from typing import Any

from steersman.golang.fmt import go_quote
from steersman.golang.gostr import from_bytes, to_bytes
from steersman.golang.netip import AddrError, parse_addr

_UNRESERVED = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.~")
_HOST_OK = frozenset(b"!$&'()*+,;=:[]<>\"")


def _should_escape(c: int, mode: str) -> bool:
    if c in _UNRESERVED:
        return False
    if mode == "host" and c in _HOST_OK:
        return False
    if c in b"$&+,/:;=?@":
        if mode == "path":
            return c == ord("?")
        if mode == "userinfo":
            return c in b"@/?:"
        return mode != "fragment"
    return not (mode == "fragment" and c in b"!()*")


def escape(s: str, mode: str) -> str:
    out = []
    for c in to_bytes(s):
        if _should_escape(c, mode):  # bytes >= 0x80 always are, in a host too
            out.append(f"%{c:02X}")
        else:
            out.append(chr(c))
    return from_bytes("".join(out).encode("latin-1"))


_USERINFO_OK = frozenset(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._:~!$&'()*+,;=%@"
)


class URLError(ValueError):
    pass


def _in_host(c: int) -> bool:
    return _should_escape(c, "host")


def unescape(s: str, mode: str) -> str:
    b = to_bytes(s)
    out = bytearray()
    i = 0
    while i < len(b):
        c = b[i]
        if c == 0x25:  # %
            hexd = b[i + 1 : i + 3]
            if len(hexd) < 2 or not all(x in b"0123456789abcdefABCDEF" for x in hexd):
                bad = from_bytes(b[i : i + 3])
                raise URLError(f"invalid URL escape {go_quote(bad)}")
            v = int(hexd, 16)
            # A host may %-encode only non-ASCII bytes (and %25 before an IPv6 zone); a zone
            # only bytes a host could hold anyway, or a space.
            plain_ok = hexd == b"25" or (mode == "zone" and (v == 0x20 or not _in_host(v)))
            if ((mode == "host" and v < 0x80) or mode == "zone") and not plain_ok:
                raise URLError(f"invalid URL escape {go_quote(from_bytes(b[i : i + 3]))}")
            out.append(v)
            i += 3
            continue
        if mode in ("host", "zone") and c < 0x80 and _should_escape(c, "host"):
            raise URLError(f"invalid character {go_quote(chr(c))} in host name")
        out.append(c)
        i += 1
    return from_bytes(bytes(out))


def _split_scheme(raw: str) -> tuple[str, str]:
    for i, c in enumerate(raw):
        if c.isascii() and c.isalpha():
            continue
        if c.isascii() and (c.isdigit() or c in "+-."):
            if i == 0:
                return "", raw
            continue
        if c == ":":
            if i == 0:
                raise URLError("missing protocol scheme")
            return raw[:i], raw[i + 1 :]
        return "", raw
    return "", raw


def parse(raw: str) -> dict[str, Any]:
    """url.Parse: scheme (lower case), host, hostname, path, query, opaque, fragment and
    userinfo; URLError carries the text after Go's `parse "RAW": `."""
    u, _, frag = raw.partition("#")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in u):
        raise URLError("net/url: invalid control character in URL")
    res: dict[str, Any] = dict.fromkeys(
        ("scheme", "host", "hostname", "path", "query", "opaque", "fragment", "userinfo"), ""
    )
    res["fragment"] = unescape(frag, "fragment")
    if u == "*":
        res["path"] = "*"
        return res
    scheme, rest = _split_scheme(u)
    res["scheme"] = scheme.lower()
    if rest.endswith("?") and rest.count("?") == 1:
        rest = rest[:-1]
    else:
        rest, _, res["query"] = rest.partition("?")
    if not rest.startswith("/"):
        if scheme:
            res["opaque"] = rest
            return res
        seg = rest.split("/", 1)[0]
        if ":" in seg:
            raise URLError("first path segment in URL cannot contain colon")
    if (scheme or not rest.startswith("///")) and rest.startswith("//"):
        authority, slash, tail = rest[2:].partition("/")
        rest = slash + tail
        at = authority.rfind("@")
        host = _parse_host(authority[at + 1 :] if at >= 0 else authority)
        res["host"] = host
        res["hostname"] = _hostname(host)
        if at >= 0:
            if not all(c in _USERINFO_OK for c in authority[:at]):
                raise URLError("net/url: invalid userinfo")
            res["userinfo"] = _userinfo_string(authority[:at])
    res["path"] = unescape(rest, "path")
    return res


def _valid_port(port: str) -> bool:
    """validOptionalPort: empty, or ':' and ASCII digits."""
    return port == "" or (port[0] == ":" and all("0" <= c <= "9" for c in port[1:]))


def _parse_host(host: str) -> str:
    bracket = host.rfind("[")
    if bracket > 0:
        raise URLError("invalid IP-literal")
    if bracket == 0:
        end = host.rfind("]")
        if end < 0:
            raise URLError("missing ']' in host")
        port = host[end + 1 :]
        if not _valid_port(port):
            raise URLError(f"invalid port {go_quote(port)} after host")
        port = unescape(port, "host")
        name = host[1:end]
        # RFC 6874: %25 starts the zone, which has its own escaping rules.
        zone = name.find("%25")
        if zone >= 0:
            name = unescape(name[:zone], "host") + unescape(name[zone:], "zone")
        else:
            name = unescape(name, "host")
        # Only an IPv6 address may stand in brackets (Go 1.25.2+, CVE-2025-47912).
        try:
            is_v4 = parse_addr(name)
        except AddrError as e:
            raise URLError(f"invalid host: {e}") from None
        if is_v4:
            raise URLError("invalid IP-literal")
        return "[" + name + "]" + port
    i = host.rfind(":")
    if i >= 0 and not _valid_port(host[i:]):
        raise URLError(f"invalid port {go_quote(host[i:])} after host")
    return unescape(host, "host")


def _hostname(host: str) -> str:
    """URL.Hostname (splitHostPort)."""
    colon = host.rfind(":")
    if colon >= 0 and _valid_port(host[colon:]):
        host = host[:colon]
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    return host


def _userinfo_string(info: str) -> str:
    user, colon, pw = info.partition(":")
    text = escape(unescape(user, "userinfo"), "userinfo")
    if colon:
        text += ":" + escape(unescape(pw, "userinfo"), "userinfo")
    return text
