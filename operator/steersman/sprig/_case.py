"""huandu/xstrings v1.5 case conversions: ToSnakeCase/ToKebabCase (word splitter) and
ToPascalCase (Sprig's `camelcase`)."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from enum import Enum

from steersman.golang.gostr import go_lower, go_runes, go_upper, is_go_space


class _W(Enum):
    INVALID = 0
    NUMBER = 1
    UPPER = 2
    ALPHA = 3
    CONNECTOR = 4
    PUNCT = 5
    OTHER = 6


def _connector(r: str) -> bool:
    return r in "-_" or is_go_space(r)


def _punct(r: str) -> bool:
    return unicodedata.category(r).startswith("P")


def _upper(r: str) -> bool:
    return unicodedata.category(r) == "Lu"


def _number(r: str) -> bool:
    return unicodedata.category(r).startswith("N")


def _alphabet(r: str) -> bool:
    # xstrings counts letters, except the common CJK ideographs, as alphabet.
    if not unicodedata.category(r).startswith("L"):
        return False
    return not ("\u4e00" <= r <= "\u9fcc" or "\u3400" <= r <= "\u4db5")


_NONE = ""  # stands for utf8.RuneError as the `prev` of the first rune of a word


def _is_bad_byte(r: str) -> bool:
    return "\udc80" <= r <= "\udcff"


def _valid(s: str, j: int, prev: str) -> tuple[str, int]:
    """xstrings' nextValidRune from s[j]: bytes that are not UTF-8 are skipped (they join the
    word being scanned), and when nothing valid follows, the previous rune is returned."""
    n = len(s)
    while j < n and _is_bad_byte(s[j]):
        j += 1
    return (s[j], j + 1) if j < n else (prev, n)


def _run(s: str, j: int, r: str, more: Callable[[str], bool]) -> int:
    """Extend a word from s[j] while the next valid rune satisfies `more`."""
    n = len(s)
    while j < n:
        r, k = _valid(s, j, r)
        if not more(r):
            break
        j = k
    return j


def _next_word(s: str, i: int) -> tuple[_W, str, int]:
    """The word starting at s[i]: (type, word, index after it)."""
    n = len(s)
    if i >= n:
        return _W.INVALID, "", i
    r, j = _valid(s, i, _NONE)
    if r == _NONE:
        return _W.INVALID, s[i:j], j
    if _connector(r):
        j = _run(s, j, r, _connector)
        return _W.CONNECTOR, s[i:j], j
    if _punct(r):
        j = _run(s, j, r, _punct)
        return _W.PUNCT, s[i:j], j
    if _upper(r):
        if j < n:
            r, k = _valid(s, j, r)
            if _upper(r):
                last_start = j  # where the last capital (with the bad bytes before it) starts
                j = k
                while j < n:
                    r, k = _valid(s, j, r)
                    if not _upper(r):
                        break
                    last_start, j = j, k
                # "HTTPServer": the last capital starts the next word.
                if j < n and _alphabet(r):
                    j = last_start
            elif _alphabet(r):
                j = _run(s, k, r, lambda c: _alphabet(c) and not _upper(c))
        return _W.UPPER, s[i:j], j
    if _alphabet(r):
        j = _run(s, j, r, lambda c: _alphabet(c) and not _upper(c))
        return _W.ALPHA, s[i:j], j
    if _number(r):
        j = _run(s, j, r, _number)
        return _W.NUMBER, s[i:j], j
    j = _run(s, j, r, lambda c: not (_connector(c) or _alphabet(c) or _number(c) or _punct(c)))
    return _W.OTHER, s[i:j], j


def _lower(out: list[str], wt: _W, word: str, conn: str) -> None:
    if wt not in (_W.UPPER, _W.CONNECTOR):
        out.append(word)  # written as bytes, bad ones included
        return
    for r in word:
        if _is_bad_byte(r):
            out.append("\ufffd")  # decoded as RuneError, written back as U+FFFD
        else:
            out.append(conn if _connector(r) else go_lower(r) if _upper(r) else r)


def to_lower_words(s: str, conn: str) -> str:
    """ToSnakeCase (`_`) / ToKebabCase (`-`)."""
    if s == "":
        return ""
    out: list[str] = []
    wt, word, i = _next_word(s, 0)
    while i < len(s):
        if wt != _W.CONNECTOR:
            _lower(out, wt, word, conn)
        prev, last = wt, word
        wt, word, i = _next_word(s, i)
        if prev == _W.NUMBER:
            while wt in (_W.ALPHA, _W.NUMBER):
                _lower(out, wt, word, conn)
                wt, word, i = _next_word(s, i)
            if wt not in (_W.INVALID, _W.PUNCT, _W.CONNECTOR):
                out.append(conn)
        elif prev == _W.CONNECTOR:
            _lower(out, prev, last, conn)
        elif prev == _W.PUNCT:
            pass
        else:
            if wt != _W.NUMBER:
                if wt not in (_W.CONNECTOR, _W.PUNCT):
                    out.append(conn)
                continue
            if i >= len(s):
                continue
            last = word
            wt, word, i = _next_word(s, i)
            if wt != _W.ALPHA:
                _lower(out, _W.NUMBER, last, conn)
                if wt not in (_W.CONNECTOR, _W.PUNCT):
                    out.append(conn)
                continue
            out.append(conn)
            _lower(out, _W.NUMBER, last, conn)
            while wt in (_W.ALPHA, _W.NUMBER):
                _lower(out, wt, word, conn)
                wt, word, i = _next_word(s, i)
            if wt not in (_W.INVALID, _W.CONNECTOR, _W.PUNCT):
                out.append(conn)
    _lower(out, wt, word, conn)
    return "".join(out)


def to_pascal_case(s: str) -> str:
    """ToPascalCase: drop connectors between words, capitalise each word's first rune, and
    lower-case the rest of a word that starts with a run of capitals."""
    if s == "":
        return ""
    out: list[str] = []
    runes = list(go_runes(s))
    k = 0
    first_upper = False
    r0 = ""
    while k < len(runes):
        r0 = runes[k]
        k += 1
        if not _connector(r0):
            first_upper = _upper(r0)
            r0 = go_upper(r0)
            break
        out.append(r0)
    if k >= len(runes):
        # Go writes the last rune again here, even a connector already written ("_" -> "__").
        out.append(r0)
        return "".join(out)
    while k < len(runes):
        r1 = r0
        r0 = runes[k]
        k += 1
        if _connector(r0) and _connector(r1):
            out.append(r1)
            continue
        if _connector(r1):
            first_upper = _upper(r0)
            r0 = go_upper(r0)
        else:
            if first_upper:
                if _upper(r0):
                    r0 = go_lower(r0)
                else:
                    first_upper = False
            out.append(r1)
    out.append(r0)
    return "".join(out)
