"""Go strings are byte strings. Python str stands in for them; bytes that are not valid UTF-8
are carried as U+DC80..U+DCFF (Python's "surrogateescape"), the convention Sprig uses too."""

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
