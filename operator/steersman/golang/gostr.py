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
