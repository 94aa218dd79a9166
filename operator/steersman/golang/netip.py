"""Go's net/netip.ParseAddr, for the IPv6 literal check in url.Parse: whether the text is an
IPv4 address, or Go's exact error text when it is no address at all."""

from __future__ import annotations

from steersman.golang.fmt import go_quote


class AddrError(ValueError):
    pass


def _error(whole: str, msg: str, at: str = "") -> AddrError:
    text = f"ParseAddr({go_quote(whole)}): {msg}"
    return AddrError(text + (f" (at {go_quote(at)})" if at else ""))


def parse_addr(s: str) -> bool:
    """True for an IPv4 address, False for IPv6 (zone allowed); AddrError otherwise."""
    for c in s:
        if c == ".":
            _parse_ipv4(s)
            return True
        if c == ":":
            _parse_ipv6(s)
            return False
        if c == "%":
            raise _error(s, "missing IPv6 address")
    raise _error(s, "unable to parse IP")


def _parse_ipv4(s: str, whole: str | None = None) -> None:
    """An IPv4 address, alone or at the end of an IPv6 one (errors then name the whole)."""
    if whole is None:
        whole = s
    val = digits = fields = 0
    for i, c in enumerate(s):
        if "0" <= c <= "9":
            if digits == 1 and val == 0:
                raise _error(whole, "IPv4 field has octet with leading zero")
            val = val * 10 + ord(c) - 48
            digits += 1
            if val > 255:
                raise _error(whole, "IPv4 field has value >255")
        elif c == ".":
            if i == 0 or i == len(s) - 1 or s[i - 1] == ".":
                raise _error(whole, "IPv4 field must have at least one digit", s[i:])
            if fields == 3:
                raise _error(whole, "IPv4 address too long")
            fields += 1
            val = digits = 0
        else:
            raise _error(whole, "unexpected character", s[i:])
    if fields < 3:
        raise _error(whole, "IPv4 address too short")


def _hex_run(s: str) -> int:
    n = 0
    while n < len(s) and s[n] in "0123456789abcdefABCDEF":
        n += 1
    return n


def _parse_ipv6(whole: str) -> None:
    s, pct, zone = whole.partition("%")
    if pct and zone == "":
        raise _error(whole, "zone must be a non-empty string")
    ellipsis = -1
    if s.startswith("::"):
        ellipsis, s = 0, s[2:]
        if s == "":
            return
    i = 0  # bytes of the address filled so far
    while i < 16:
        off = _hex_run(s)
        if off > 4:  # (checked before the value, so ">=2^16" can never be reported)
            raise _error(whole, "each group must have 4 or less digits", s)
        if off == 0:
            raise _error(whole, "each colon-separated field must have at least one digit", s)
        if off < len(s) and s[off] == ".":
            if ellipsis < 0 and i != 12:
                msg = "embedded IPv4 address must replace the final 2 fields of the address"
                raise _error(whole, msg, s)
            if i + 4 > 16:
                msg = "too many hex fields to fit an embedded IPv4 at the end of the address"
                raise _error(whole, msg, s)
            _parse_ipv4(s, whole)
            s, i = "", i + 4
            break
        i += 2
        s = s[off:]
        if s == "":
            break
        if s[0] != ":":
            raise _error(whole, "unexpected character, want colon", s)
        if len(s) == 1:
            raise _error(whole, "colon must be followed by more characters", s)
        s = s[1:]
        if s[0] == ":":
            if ellipsis >= 0:
                raise _error(whole, "multiple :: in address", s)
            ellipsis, s = i, s[1:]
            if s == "":
                break
    if s:
        raise _error(whole, "trailing garbage after address", s)
    if i < 16 and ellipsis < 0:
        raise _error(whole, "address string too short")
    if i == 16 and ellipsis >= 0:
        raise _error(whole, "the :: must expand to at least one field of zeros")
