"""Sprig regex functions (regex.go) with Go `regexp` semantics on top of RE2.

Go's regexp and RE2 share the syntax and leftmost-first matching; what Go adds on top is
reproduced here: the FindAll/ReplaceAll/Split loops (an empty match right after a previous
match is skipped), `$1`/`${name}` replacement expansion, `QuoteMeta`, and Go's error texts.
Matching runs on UTF-8 bytes so every offset is a Go byte offset.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import re2

from steersman.golang.fmt import go_quote
from steersman.golang.gostr import from_bytes, to_bytes
from steersman.golang.types import GoFunc, GoStringSlice, TemplateFuncError

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False

# RE2's error text -> Go's error code text.
_ERROR_CODES = [
    ("missing ): ", "missing closing )"),
    ("missing ]: ", "missing closing ]"),
    ("unexpected ): ", "unexpected )"),
    ("invalid escape sequence: ", "invalid escape sequence"),
    ("no argument for repetition operator: ", "missing argument to repetition operator"),
    ("bad repetition operator: ", "invalid nested repetition operator"),
    ("invalid repetition size: ", "invalid repeat count"),
    ("invalid character class range: ", "invalid character class range"),
    ("invalid character class: ", "invalid character class"),
    ("invalid named capture group: ", "invalid named capture"),
    ("invalid perl operator: ", "invalid or unsupported Perl syntax"),
    ("invalid UTF-8: ", "invalid UTF-8"),
]


class GoRegexp:
    """A compiled pattern plus its Go-visible group names."""

    def __init__(self, expr: str) -> None:
        self.expr = expr
        try:
            self.prog: Any = re2.compile(to_bytes(expr), _OPTIONS)
        except re2.error as e:
            raise TemplateFuncError(_go_error(expr, e)) from None
        if _has_any_byte_escape(expr):
            # RE2 accepts \C (any byte); Go's parser does not.
            raise TemplateFuncError("error parsing regexp: invalid escape sequence: `\\C`")
        self.names: dict[str, int] = {
            (k.decode() if isinstance(k, bytes) else k): v for k, v in self.prog.groupindex.items()
        }
        self.ngroups: int = self.prog.groups

    def match_at(self, b: bytes, pos: int) -> list[int] | None:
        """Offsets [start0, end0, start1, end1, ...] of the leftmost match at or after pos."""
        m = self.prog.search(b, pos)
        if m is None:
            return None
        out: list[int] = []
        for g in range(self.ngroups + 1):
            out.extend(m.span(g))
        return out

    def all_matches(self, b: bytes, n: int) -> list[list[int]]:
        """Go's allMatches: at most n (n<0: all), skipping an empty match that abuts the last."""
        if n < 0:
            n = len(b) + 1
        out: list[list[int]] = []
        pos, prev_end = 0, -1
        while len(out) < n and pos <= len(b):
            m = self.match_at(b, pos)
            if m is None:
                break
            accept = True
            if m[1] == pos:
                if m[0] == prev_end:
                    accept = False
                pos += _rune_width(b, pos) if pos < len(b) else 1
            else:
                pos = m[1]
            prev_end = m[1]
            if accept:
                out.append(m)
        return out

    def replace_all(self, s: str, repl: Callable[[bytes, list[int]], bytes]) -> str:
        subject = Subject(s)
        b, src = subject.clean, subject.orig
        out = bytearray()
        last_end = 0
        pos = 0
        while pos <= len(b):
            m = self.match_at(b, pos)
            if m is None:
                break
            om = subject.offsets(m)
            out += src[subject.orig_at(last_end) : om[0]]
            if m[1] > last_end or m[0] == 0:
                out += repl(src, om)
            last_end = m[1]
            width = _rune_width(b, pos) if pos < len(b) else 0
            if pos + width > m[1]:
                pos += width
            elif pos + 1 > m[1]:
                pos += 1
            else:
                pos = m[1]
        out += src[subject.orig_at(last_end) :]
        return from_bytes(bytes(out))

    def expand(self, template: bytes, src: bytes, m: list[int]) -> bytes:
        """Go's Regexp.expand: `$1`, `${1}`, `$name`, `${name}`, `$$`."""
        out = bytearray()
        t = template
        while t:
            i = t.find(b"$")
            if i < 0:
                break
            out += t[:i]
            t = t[i + 1 :]
            if t[:1] == b"$":
                out += b"$"
                t = t[1:]
                continue
            parsed = _extract(t)
            if parsed is None:
                out += b"$"
                continue
            name, t = parsed
            group = _group_number(name)
            if group is None:
                group = self.names.get(name.decode("utf-8", "replace"), -1)
            if 0 <= group <= self.ngroups and m[2 * group] >= 0:
                out += src[m[2 * group] : m[2 * group + 1]]
        out += t
        return bytes(out)


class Subject:
    """The string a pattern runs on. Go's regexp reads each byte that is not valid UTF-8 as
    U+FFFD of width 1 (so `.` and `[^a]` match it); RE2 would not match it at all. Matching
    therefore runs on `clean` (those bytes written as U+FFFD) and offsets are mapped back to
    `orig`, so results keep the original bytes."""

    def __init__(self, s: str) -> None:
        self.orig = to_bytes(s)
        self._map: list[int] | None = None
        if s.isascii() or not any("\udc80" <= c <= "\udcff" for c in s):
            self.clean = self.orig
            return
        clean = bytearray()
        where: list[int] = []
        at = 0
        for c in s:
            if "\udc80" <= c <= "\udcff":
                piece, width = b"\xef\xbf\xbd", 1
            else:
                piece = to_bytes(c)
                width = len(piece)
            where.extend(range(at, at + len(piece)) if width > 1 else [at] * len(piece))
            clean += piece
            at += width
        where.append(at)
        self.clean = bytes(clean)
        self._map = where

    def orig_at(self, i: int) -> int:
        return i if self._map is None or i < 0 else self._map[i]

    def offsets(self, m: list[int]) -> list[int]:
        return m if self._map is None else [self.orig_at(i) for i in m]

    def text(self, start: int, end: int) -> str:
        """The original bytes between two clean offsets, as a Go string."""
        return from_bytes(self.orig[self.orig_at(start) : self.orig_at(end)])


def _has_any_byte_escape(expr: str) -> bool:
    i = 0
    while i < len(expr) - 1:
        if expr[i] == "\\":
            if expr[i + 1] == "C":
                return True
            if expr[i + 1] == "Q":  # \Q...\E is literal text
                end = expr.find("\\E", i + 2)
                i = len(expr) if end < 0 else end + 2
                continue
            i += 2
            continue
        i += 1
    return False


def _rune_width(b: bytes, pos: int) -> int:
    lead = b[pos]
    if lead < 0x80:
        return 1
    width = 4 if lead >= 0xF0 else 3 if lead >= 0xE0 else 2 if lead >= 0xC0 else 1
    return min(width, len(b) - pos)


_NAME_CHAR = re.compile(r"[\w]+", re.UNICODE)


def _extract(t: bytes) -> tuple[bytes, bytes] | None:
    brace = t[:1] == b"{"
    body = t[1:] if brace else t
    text = body.decode("utf-8", "replace")
    m = _NAME_CHAR.match(text)
    if m is None:
        return None
    name = to_bytes(m.group(0))
    rest = body[len(name) :]
    if brace:
        if rest[:1] != b"}":
            return None
        rest = rest[1:]
    return name, rest


def _group_number(name: bytes) -> int | None:
    num = 0
    for c in name:
        if not 0x30 <= c <= 0x39 or num >= 100_000_000:
            return None
        num = num * 10 + c - 0x30
    return num


def _go_error(expr: str, e: Exception) -> str:
    msg = e.args[0] if e.args else str(e)
    text = msg.decode("utf-8", "replace") if isinstance(msg, bytes) else str(msg)
    if text == "trailing \\":
        return "error parsing regexp: trailing backslash at end of expression: ``"
    named = next(
        (
            p
            for p in ("invalid named capture group: ", "invalid perl operator: (?<")
            if text.startswith(p)
        ),
        None,
    )
    if named is not None:
        # Go reads `(?<` as a named group and quotes the rest of the pattern when no name closes.
        arg = text.split(": ", 1)[1]
        at = expr.find(arg)
        capture = arg if ">" in arg or at < 0 else expr[at:]
        return f"error parsing regexp: invalid named capture: `{capture}`"
    for prefix, code in _ERROR_CODES:
        if text.startswith(prefix):
            return f"error parsing regexp: {code}: `{text[len(prefix) :]}`"
    return f"error parsing regexp: {text}"


@functools.lru_cache(maxsize=512)
def compile_go(expr: str) -> GoRegexp:
    return GoRegexp(expr)


def _must_compile(expr: str) -> GoRegexp:
    """regexp.MustCompile: the panic text names the expression."""
    try:
        return compile_go(expr)
    except TemplateFuncError as e:
        quoted = f"`{expr}`" if "`" not in expr and expr.isprintable() else go_quote(expr)
        raise TemplateFuncError(f"regexp: Compile({quoted}): {e}") from None


def regex_match(expr: str, s: str) -> bool:
    return compile_go(expr).prog.search(Subject(s).clean) is not None


def find(rx: GoRegexp, s: str) -> str:
    subject = Subject(s)
    m = rx.match_at(subject.clean, 0)
    return "" if m is None else subject.text(m[0], m[1])


def find_all(rx: GoRegexp, s: str, n: int) -> GoStringSlice:
    subject = Subject(s)
    return GoStringSlice(subject.text(m[0], m[1]) for m in rx.all_matches(subject.clean, n))


def replace_all(rx: GoRegexp, s: str, repl: str) -> str:
    tpl = to_bytes(repl)
    return rx.replace_all(s, lambda src, m: rx.expand(tpl, src, m))


def replace_all_literal(rx: GoRegexp, s: str, repl: str) -> str:
    lit = to_bytes(repl)
    return rx.replace_all(s, lambda _src, _m: lit)


def split(rx: GoRegexp, s: str, n: int) -> GoStringSlice:
    if n == 0:
        return GoStringSlice()
    if rx.expr and s == "":
        return GoStringSlice([""])
    subject = Subject(s)
    b = subject.clean
    parts: list[str] = []
    beg = end = 0
    for m in rx.all_matches(b, n):
        if n > 0 and len(parts) == n - 1:
            break
        end = m[0]
        if m[1] != 0:
            parts.append(subject.text(beg, end))
        beg = m[1]
    if end != len(b):
        parts.append(subject.text(beg, len(b)))
    return GoStringSlice(parts)


_META = frozenset("\\.+*?()|[]{}^$")


def quote_meta(s: str) -> str:
    return "".join("\\" + c if c in _META else c for c in s)


def regex_funcs() -> dict[str, GoFunc]:
    s2 = ("string", "string")
    s3 = ("string", "string", "string")
    sn = ("string", "string", "int")

    def must(fn: Callable[..., Any]) -> Callable[..., Any]:
        return lambda expr, *a: fn(compile_go(expr), *a)

    def panicky(fn: Callable[..., Any]) -> Callable[..., Any]:
        return lambda expr, *a: fn(_must_compile(expr), *a)

    return {
        "regexMatch": GoFunc(_quiet_match, s2, result="bool"),
        "mustRegexMatch": GoFunc(regex_match, s2, result="bool", can_error=True),
        "regexFindAll": GoFunc(panicky(find_all), sn, result="[]string"),
        "mustRegexFindAll": GoFunc(must(find_all), sn, result="[]string", can_error=True),
        "regexFind": GoFunc(panicky(find), s2, result="string"),
        "mustRegexFind": GoFunc(must(find), s2, result="string", can_error=True),
        "regexReplaceAll": GoFunc(panicky(replace_all), s3, result="string"),
        "mustRegexReplaceAll": GoFunc(must(replace_all), s3, result="string", can_error=True),
        "regexReplaceAllLiteral": GoFunc(panicky(replace_all_literal), s3, result="string"),
        "mustRegexReplaceAllLiteral": GoFunc(
            must(replace_all_literal), s3, result="string", can_error=True
        ),
        "regexSplit": GoFunc(panicky(split), sn, result="[]string"),
        "mustRegexSplit": GoFunc(must(split), sn, result="[]string", can_error=True),
        "regexQuoteMeta": GoFunc(quote_meta, ("string",), result="string"),
    }


def _quiet_match(expr: str, s: str) -> bool:
    try:
        return regex_match(expr, s)
    except TemplateFuncError:
        return False
