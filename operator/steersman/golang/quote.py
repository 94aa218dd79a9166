"""strconv.Quote and QuoteRune: Go escapes, printable Unicode kept, invalid bytes as \\xNN."""

from __future__ import annotations

_MAX_RUNE = 0x10FFFF

_QUOTE_ESCAPES = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
}


def _quote_rune_body(ch: str, quote: str, ascii_only: bool) -> str:
    if ch == quote or ch == "\\":
        return "\\" + ch
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:
        return f"\\x{code - 0xDC00:02x}"  # an invalid UTF-8 byte (see gostr.py)
    if 0xD800 <= code <= 0xDFFF:
        ch, code = "\ufffd", 0xFFFD
    if ascii_only:
        if code < 0x80 and ch.isprintable():
            return ch
    elif ch.isprintable():
        return ch
    esc = _QUOTE_ESCAPES.get(ch)
    if esc is not None:
        return esc
    if code < 0x20 or code == 0x7F:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def go_quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (or QuoteToASCII): Go escapes, printable Unicode kept as is."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    return '"' + "".join(_quote_rune_body(c, '"', ascii_only) for c in s) + '"'


def go_quote_rune(code: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune: invalid code points become U+FFFD."""
    if code < 0 or code > _MAX_RUNE or 0xD800 <= code <= 0xDFFF:
        code = 0xFFFD
    ch = chr(code)
    if ch == '"':
        return "'\"'"
    return "'" + _quote_rune_body(ch, "'", ascii_only) + "'"


def _can_backquote(s: str) -> bool:
    for c in s:
        if c == "`" or c == "\ufeff":
            return False
        if c != "\t" and (ord(c) < 0x20 or ord(c) == 0x7F):
            return False
    return True
