"""Go strings are byte strings. Python str stands in for them; bytes that are not valid UTF-8
are carried as U+DC80..U+DCFF (Python's "surrogateescape"), the convention Sprig uses too.

Here too what Go's strings and unicode packages do that Python does not share: byte slicing,
rune rebuilding, simple case mapping, SplitN, TrimSpace and IsSpace."""

from __future__ import annotations


def to_bytes(s: str) -> bytes:
    """The Go string's bytes."""
    if s.isascii():
        return s.encode("ascii")
    try:
        return s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return s.encode("utf-8", "surrogatepass")


def from_bytes(b: bytes) -> str:
    """A Go string from raw bytes; invalid UTF-8 survives as lone surrogates."""
    return b.decode("utf-8", "surrogateescape")


def byte_len(s: str) -> int:
    return len(s) if s.isascii() else len(to_bytes(s))


# unicode.IsSpace: Latin-1 spaces plus the White_Space property (Z* categories); unlike
# str.isspace() it excludes \x1c-\x1f.
GO_SPACES = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000"
)
_GO_SPACES_STR = "".join(sorted(GO_SPACES))


def is_go_space(c: str) -> bool:
    return c in GO_SPACES


def go_trim_space(s: str) -> str:
    """strings.TrimSpace."""
    return s.strip(_GO_SPACES_STR)


def bslice(s: str, start: int, end: int | None = None) -> str:
    """Go `s[start:end]` on the UTF-8 bytes."""
    if s.isascii():
        return s[start:end]
    return from_bytes(to_bytes(s)[start:end])


def _is_bad_byte(c: str) -> bool:
    return "\udc80" <= c <= "\udcff"


def go_runes(s: str) -> str:
    """The string rebuilt from its runes (`string([]rune(s))`, strings.Map, WriteRune):
    each byte that is not valid UTF-8 decodes as utf8.RuneError and comes back as U+FFFD."""
    if s.isascii():
        return s
    return "".join("\ufffd" if _is_bad_byte(c) else c for c in s)


def _simple_case(c: str, mapped: str) -> str:
    # Go maps rune to rune; Python's full mappings that expand (ß -> SS) leave the rune as is.
    if _is_bad_byte(c):
        return "\ufffd"
    return mapped if len(mapped) == 1 else c


def go_upper(s: str) -> str:
    if s.isascii():
        return s.upper()
    return "".join(_simple_case(c, c.upper()) for c in s)


def go_lower(s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join("i" if c == "\u0130" else _simple_case(c, c.lower()) for c in s)


def go_title_rune(c: str) -> str:
    return _simple_case(c, c.title()) if not c.isascii() else c.upper()


def go_split(s: str, sep: str, n: int = -1) -> list[str]:
    """`strings.SplitN` (n<0 for all): an empty sep splits into runes; n==0 gives none."""
    if n == 0:
        return []
    if sep == "":
        runes = list(s)
        if n > 0 and len(runes) > n:
            return [*runes[: n - 1], "".join(runes[n - 1 :])]
        return runes
    if n < 0:
        return s.split(sep)
    return s.split(sep, n - 1)
