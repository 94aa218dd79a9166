"""Go's strconv as the template parser needs it: Unquote, UnquoteChar, ParseInt/Uint/Float."""

from __future__ import annotations

from .gostr import from_bytes

_SIMPLE_ESCAPES = {
    "a": 7,
    "b": 8,
    "f": 12,
    "n": 10,
    "r": 13,
    "t": 9,
    "v": 11,
    "\\": 92,
}
_HEX = "0123456789abcdefABCDEF"


class SyntaxErr(Exception):
    """strconv.ErrSyntax; str() is Go's message."""

    def __init__(self) -> None:
        super().__init__("invalid syntax")


def unquote_char(s: str, i: int, quote: str) -> tuple[int, bool, int]:
    """Decode one (possibly escaped) character of `s` at `i`: (value, is_rune, next index).

    `is_rune` is False for \\x and octal escapes, which stand for single bytes.
    """
    c = s[i]
    if c == quote and quote in "'\"":
        raise SyntaxErr()
    if c != "\\":
        return ord(c), True, i + 1
    if i + 1 >= len(s):
        raise SyntaxErr()
    c = s[i + 1]
    i += 2
    simple = _SIMPLE_ESCAPES.get(c)
    if simple is not None:
        return simple, True, i
    if c in "xuU":
        n = {"x": 2, "u": 4, "U": 8}[c]
        digits = s[i : i + n]
        if len(digits) < n or any(d not in _HEX for d in digits):
            raise SyntaxErr()
        v = int(digits, 16)
        if c == "x":
            return v, False, i + n
        if v > 0x10FFFF or 0xD800 <= v <= 0xDFFF:
            raise SyntaxErr()
        return v, True, i + n
    if "0" <= c <= "7":
        digits = s[i - 1 : i + 2]
        if len(digits) < 3 or any(d not in "01234567" for d in digits):
            raise SyntaxErr()
        v = int(digits, 8)
        if v > 255:
            raise SyntaxErr()
        return v, False, i + 2
    if c in "'\"":
        if c != quote:
            raise SyntaxErr()
        return ord(c), True, i
    raise SyntaxErr()


def unquote(s: str) -> str:
    """strconv.Unquote for "..." and `...` literals (the lexer guarantees the delimiters)."""
    if len(s) < 2 or s[0] != s[-1]:
        raise SyntaxErr()
    quote = s[0]
    body = s[1:-1]
    if quote == "`":
        if "`" in body:
            raise SyntaxErr()
        return body.replace("\r", "")
    if quote != '"':
        raise SyntaxErr()
    if "\\" not in body and '"' not in body and "\n" not in body:
        return body
    if "\n" in body:
        raise SyntaxErr()
    out = bytearray()
    i = 0
    while i < len(body):
        v, is_rune, i = unquote_char(body, i, '"')
        if is_rune:
            out += chr(v).encode("utf-8", "surrogatepass")
        else:
            out.append(v)
    return from_bytes(bytes(out))


def _underscore_ok(s: str) -> bool:
    saw = "^"
    i = 0
    if s[:1] in ("+", "-"):
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == "0" and s[1] in "bBoOxX":
        i = 2
        saw = "0"
        hexa = s[1] in "xX"
    while i < len(s):
        c = s[i]
        if "0" <= c <= "9" or (hexa and c in "abcdefABCDEF"):
            saw = "0"
        elif c == "_":
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


def _parse_unsigned_base0(s: str) -> int | None:
    """Magnitude of an unsigned literal with Go base-0 prefixes; None when malformed."""
    if not s:
        return None
    base = 10
    body = s
    if s[0] == "0" and len(s) > 1:
        p = s[1]
        if p in "xX":
            base, body = 16, s[2:]
        elif p in "oO":
            base, body = 8, s[2:]
        elif p in "bB":
            base, body = 2, s[2:]
        else:
            base, body = 8, s[1:]
    if "_" in s:
        if not _underscore_ok(s):
            return None
        body = body.replace("_", "")
    if not body:
        return None
    valid = "0123456789abcdefABCDEF"[: base if base <= 10 else base + 6]
    if any(c not in valid for c in body):
        return None
    return int(body, base)


def parse_uint(s: str) -> int | None:
    """strconv.ParseUint(s, 0, 64), None on error."""
    v = _parse_unsigned_base0(s)
    if v is None or v >= 1 << 64:
        return None
    return v


def parse_int(s: str) -> int | None:
    """strconv.ParseInt(s, 0, 64), None on error."""
    neg = False
    body = s
    if s[:1] in ("+", "-"):
        neg = s[0] == "-"
        body = s[1:]
    v = _parse_unsigned_base0(body)
    if v is None:
        return None
    if "_" in s and not _underscore_ok(s):
        return None
    v = -v if neg else v
    if not -(1 << 63) <= v < (1 << 63):
        return None
    return v


def parse_float(s: str) -> float | None:
    """strconv.ParseFloat(s, 64) for the forms the lexer produces, None on error."""
    body = s
    sign = 1.0
    if body[:1] in ("+", "-"):
        sign = -1.0 if body[0] == "-" else 1.0
        body = body[1:]
    if "_" in body:
        if not _underscore_ok(body):
            return None
        body = body.replace("_", "")
    if body[:2] in ("0x", "0X"):
        if "p" not in body and "P" not in body:
            return None
        try:
            return sign * float.fromhex(body)
        except (ValueError, OverflowError):
            return None
    if not body or body[0] not in "0123456789.":
        return None
    try:
        f = float(body)
    except ValueError:
        return None
    if f == float("inf"):
        return None  # Go reports "value out of range"
    return sign * f
