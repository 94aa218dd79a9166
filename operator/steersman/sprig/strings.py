"""Sprig string functions (strings.go, goutils, xstrings) with Go's byte and rune semantics."""

from __future__ import annotations

import functools
from typing import Any

from steersman.golang.fmt import format_value, go_quote
from steersman.golang.gostr import (
    GO_SPACES,
    bslice,
    byte_len,
    from_bytes,
    go_lower,
    go_runes,
    go_split,
    go_title_rune,
    go_trim_space,
    go_upper,
    is_go_space,
    to_bytes,
)
from steersman.golang.types import (
    GoFunc,
    GoStringMap,
    GoStringSlice,
    TemplateFuncError,
)

from . import _case
from ._env import SprigEnv
from ._text import strslice, strval
from ._values import is_list_kind, is_nil


def trunc(c: int, s: str) -> str:
    n = byte_len(s)
    if c < 0 and n + c > 0:
        return bslice(s, n + c)
    if c >= 0 and n > c:
        return bslice(s, 0, c)
    return s


def substr(start: int, end: int, s: str) -> str:
    n = byte_len(s)
    if start < 0:
        lo, hi = 0, end
    elif end < 0 or end > n:
        lo, hi = start, n
    else:
        lo, hi = start, end
    if hi < 0:  # Go's runtime leaves the length out for a negative bound
        raise TemplateFuncError(f"runtime error: slice bounds out of range [:{hi}]")
    if hi > n:
        raise TemplateFuncError(f"runtime error: slice bounds out of range [:{hi}] with length {n}")
    if lo > hi:
        raise TemplateFuncError(f"runtime error: slice bounds out of range [{lo}:{hi}]")
    return bslice(s, lo, hi)


_MAX_ALLOC = 1 << 48  # Go's maxAlloc on linux/amd64: larger makeslice lengths panic


def repeat(count: int, s: str) -> str:
    """strings.Repeat, with its panics for sizes Go refuses before allocating."""
    if count in (0, 1):
        return s if count else ""
    if count < 0:
        raise TemplateFuncError("strings: negative Repeat count")
    size = byte_len(s) * count
    if size > (1 << 63) - 1:
        raise TemplateFuncError("strings: Repeat output length overflow")
    if size > _MAX_ALLOC:
        raise TemplateFuncError("runtime error: makeslice: len out of range")
    return s * count


def title(s: str) -> str:
    """`strings.Title`: upper-case the first letter of each word, leave the rest alone."""
    s = go_runes(s)  # works on runes: invalid bytes become U+FFFD

    def is_sep(r: str) -> bool:
        if r.isascii():
            return not (r.isalnum() or r == "_")
        if r.isalpha() or r.isdigit():
            return False
        return is_go_space(r)

    out = []
    prev = " "
    for r in s:
        out.append(go_title_rune(r) if is_sep(prev) else r)
        prev = r
    return "".join(out)


def untitle(s: str) -> str:
    """goutils `Uncapitalize`: lower-case the first rune after each space."""
    s = go_runes(s)  # works on runes: invalid bytes become U+FFFD
    out = []
    nxt = True
    for r in s:
        if is_go_space(r):
            nxt = True
            out.append(r)
        elif nxt:
            out.append(go_lower(r))
            nxt = False
        else:
            out.append(r)
    return "".join(out)


def _latin1_runes(s: str) -> list[str]:
    # goutils walks bytes and turns each one into a rune (a Latin-1 reading of UTF-8).
    return [chr(b) for b in to_bytes(s)]


def nospace(s: str) -> str:
    """goutils `DeleteWhiteSpace` (byte-wise, so multi-byte text is re-encoded as Latin-1)."""
    runes = _latin1_runes(s)
    kept = [r for r in runes if r not in GO_SPACES]
    return s if len(kept) == len(runes) else "".join(kept)


def initials(s: str) -> str:
    """goutils `Initials`: the first byte of each space-separated word."""
    out = []
    gap = True
    for r in _latin1_runes(s):
        if r in GO_SPACES:
            gap = True
        elif gap:
            out.append(r)
            gap = False
    return "".join(out)


def swapcase(s: str) -> str:
    s = go_runes(s)  # works on runes: invalid bytes become U+FFFD
    out = []
    ws = True
    for r in s:
        if r.isupper() or (r.istitle() and not r.islower()):
            out.append(go_lower(r))
            ws = False
        elif r.islower():
            out.append(go_title_rune(r) if ws else go_upper(r))
            ws = False
        else:
            out.append(r)
            ws = is_go_space(r)
    return "".join(out)


def _abbreviate_full(s: str, offset: int, width: int) -> str:
    """goutils `AbbreviateFull` (byte offsets); errors give "" as sprig ignores them."""
    if s == "":
        return ""
    if width < 4:
        return ""
    n = byte_len(s)
    if n <= width:
        return s
    offset = min(offset, n)
    if n - offset < width - 3:
        offset = n - (width - 3)
    if offset <= 4:
        return bslice(s, 0, width - 3) + "..."
    if width < 7:
        return ""
    if offset + width - 3 < n:
        return "..." + _abbreviate_full(bslice(s, offset), 0, width - 3)
    return "..." + bslice(s, n - (width - 3))


def abbrev(width: int, s: str) -> str:
    if width < 4:
        return s
    return _abbreviate_full(s, 0, width)


def abbrevboth(left: int, right: int, s: str) -> str:
    if right < 4 or (left > 0 and right < 7):
        return s
    return _abbreviate_full(s, left, right)


def wrap_custom(s: str, width: int, newline: str, wrap_long: bool) -> str:
    """goutils `WrapCustom`: break at spaces (byte columns), long words optionally split."""
    if s == "":
        return ""
    newline = newline or "\n"
    width = max(width, 1)
    b = to_bytes(s)
    nl = to_bytes(newline)
    total = len(b)
    offset = 0
    out = bytearray()
    while total - offset > width:
        if b[offset] == 0x20:
            offset += 1
            continue
        end = width + offset + 1
        at = b[offset:end].rfind(b" ")
        if at >= 0:
            at += offset
            out += b[offset:at] + nl
            offset = at + 1
        elif wrap_long:
            out += b[offset : width + offset] + nl
            offset += width
        else:
            idx = b.find(b" ", width + offset)
            if idx == -1:
                out += b[offset:]
                offset = total
            else:
                out += b[offset:idx] + nl
                offset = idx + 1
    out += b[offset:]
    return from_bytes(bytes(out))


def quote(*args: Any) -> str:
    return " ".join(go_quote(strval(a)) for a in args if not is_nil(a))  # %q is strconv.Quote


def squote(*args: Any) -> str:
    return " ".join("'" + format_value(a) + "'" for a in args if not is_nil(a))


def cat(*args: Any) -> str:
    return " ".join(format_value(a) for a in args if not is_nil(a))


def _trim_all(cutset: str, s: str) -> str:
    return s.strip(cutset) if cutset else s  # Python would strip whitespace for ""


def indent(spaces: int, s: str) -> str:
    if spaces < 0:
        raise TemplateFuncError("strings: negative Repeat count")
    pad = repeat(spaces, " ")
    return pad + s.replace("\n", "\n" + pad)


def nindent(spaces: int, s: str) -> str:
    return "\n" + indent(spaces, s)


def _indexed(parts: list[str]) -> GoStringMap:
    return GoStringMap({f"_{i}": p for i, p in enumerate(parts)})


_MAX_RANDOM = 1 << 24  # beyond this we fail rather than spend minutes and gigabytes (see below)


def _rand_from(env: SprigEnv, alphabet: str, count: int) -> str:
    if count <= 0:
        return ""  # goutils' error for a negative count is dropped by Sprig
    if count > _MAX_ALLOC // 4:  # make([]rune, count)
        raise TemplateFuncError("runtime error: makeslice: len out of range")
    if count > _MAX_RANDOM:
        # Go would grind through it or run out of memory (a fatal error ending helm).
        raise TemplateFuncError("runtime: out of memory")
    return "".join(env.rand.choice(alphabet) for _ in range(count))


_ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_ASCII = "".join(chr(c) for c in range(32, 127))


def shuffle(env: SprigEnv, s: str) -> str:
    runes = list(s)
    env.rand.shuffle(runes)
    return "".join(runes)


def string_funcs(env: SprigEnv) -> dict[str, GoFunc]:
    return {
        **_fixed_string_funcs(),
        "randAlphaNum": GoFunc(
            lambda n: _rand_from(env, _ALPHA + _DIGITS, n), ("int",), result="string"
        ),
        "randAlpha": GoFunc(lambda n: _rand_from(env, _ALPHA, n), ("int",), result="string"),
        "randAscii": GoFunc(lambda n: _rand_from(env, _ASCII, n), ("int",), result="string"),
        "randNumeric": GoFunc(lambda n: _rand_from(env, _DIGITS, n), ("int",), result="string"),
        "shuffle": GoFunc(lambda s: shuffle(env, s), ("string",), result="string"),
    }


@functools.cache
def _fixed_string_funcs() -> dict[str, GoFunc]:
    """The string functions that use no randomness (built once; callers copy)."""
    s1 = ("string",)
    s2 = ("string", "string")
    return {
        "hello": GoFunc(lambda: "Hello!", (), result="string"),
        "abbrev": GoFunc(abbrev, ("int", "string"), result="string"),
        "abbrevboth": GoFunc(abbrevboth, ("int", "int", "string"), result="string"),
        "trunc": GoFunc(trunc, ("int", "string"), result="string"),
        "trim": GoFunc(go_trim_space, s1, result="string"),
        "upper": GoFunc(go_upper, s1, result="string"),
        "lower": GoFunc(go_lower, s1, result="string"),
        "title": GoFunc(title, s1, result="string"),
        "untitle": GoFunc(untitle, s1, result="string"),
        "substr": GoFunc(substr, ("int", "int", "string"), result="string"),
        "repeat": GoFunc(repeat, ("int", "string"), result="string"),
        "trimall": GoFunc(_trim_all, s2, result="string"),
        "trimAll": GoFunc(_trim_all, s2, result="string"),
        "trimSuffix": GoFunc(lambda a, b: b.removesuffix(a), s2, result="string"),
        "trimPrefix": GoFunc(lambda a, b: b.removeprefix(a), s2, result="string"),
        "nospace": GoFunc(nospace, s1, result="string"),
        "initials": GoFunc(initials, s1, result="string"),
        "swapcase": GoFunc(swapcase, s1, result="string"),
        "snakecase": GoFunc(lambda s: _case.to_lower_words(s, "_"), s1, result="string"),
        "kebabcase": GoFunc(lambda s: _case.to_lower_words(s, "-"), s1, result="string"),
        "camelcase": GoFunc(_case.to_pascal_case, s1, result="string"),
        "wrap": GoFunc(
            lambda n, s: wrap_custom(s, n, "", False), ("int", "string"), result="string"
        ),
        "wrapWith": GoFunc(
            lambda n, sep, s: wrap_custom(s, n, sep, True),
            ("int", "string", "string"),
            result="string",
        ),
        "contains": GoFunc(lambda sub, s: sub in s, s2, result="bool"),
        "hasPrefix": GoFunc(lambda p, s: s.startswith(p), s2, result="bool"),
        "hasSuffix": GoFunc(lambda p, s: s.endswith(p), s2, result="bool"),
        "quote": GoFunc(quote, (), variadic="interface {}", result="string"),
        "squote": GoFunc(squote, (), variadic="interface {}", result="string"),
        "cat": GoFunc(cat, (), variadic="interface {}", result="string"),
        "indent": GoFunc(indent, ("int", "string"), result="string"),
        "nindent": GoFunc(nindent, ("int", "string"), result="string"),
        "replace": GoFunc(
            lambda old, new, s: s.replace(old, new), ("string", "string", "string"), result="string"
        ),
        "plural": GoFunc(
            lambda one, many, n: one if n == 1 else many,
            ("string", "string", "int"),
            result="string",
        ),
        "toString": GoFunc(strval, ("interface {}",), result="string"),
        "split": GoFunc(lambda sep, s: _indexed(go_split(s, sep)), s2, result="map[string]string"),
        "splitn": GoFunc(
            lambda sep, n, s: _indexed(go_split(s, sep, n)),
            ("string", "int", "string"),
            result="map[string]string",
        ),
        "splitList": GoFunc(lambda sep, s: GoStringSlice(go_split(s, sep)), s2, result="[]string"),
        "toStrings": GoFunc(strslice, ("interface {}",), result="[]string"),
        "join": GoFunc(
            lambda sep, v: sep.join(strslice(v)), ("string", "interface {}"), result="string"
        ),
        "sortAlpha": GoFunc(sort_alpha, ("interface {}",), result="[]string"),
    }


def sort_alpha(v: Any) -> GoStringSlice:
    """Slices are sorted bytewise as strings; anything else becomes a one-element list."""
    if is_list_kind(v):
        return GoStringSlice(sorted(strslice(v), key=to_bytes))
    return GoStringSlice([strval(v)])
