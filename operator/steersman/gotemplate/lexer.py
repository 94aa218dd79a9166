"""Tokenizer for Go templates, following text/template/parse/lex.go.

The whole input is scanned eagerly into a list of items; a lexing error becomes a final ERROR
item, which the parser reports when it reaches it (as Go's parser does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Item types. Keywords sort after KEYWORD, as in Go.
ERROR = 0
BOOL = 1
CHAR = 2
CHAR_CONSTANT = 3
COMMENT = 4
COMPLEX = 5
ASSIGN = 6
DECLARE = 7
EOF = 8
FIELD = 9
IDENTIFIER = 10
LEFT_DELIM = 11
LEFT_PAREN = 12
NUMBER = 13
PIPE = 14
RAW_STRING = 15
RIGHT_DELIM = 16
RIGHT_PAREN = 17
SPACE = 18
STRING = 19
TEXT = 20
VARIABLE = 21
KEYWORD = 22
BLOCK = 23
BREAK = 24
CONTINUE = 25
DOT = 26
DEFINE = 27
ELSE = 28
END = 29
IF = 30
NIL = 31
RANGE = 32
TEMPLATE = 33
WITH = 34

KEYWORDS = {
    ".": DOT,
    "block": BLOCK,
    "break": BREAK,
    "continue": CONTINUE,
    "define": DEFINE,
    "else": ELSE,
    "end": END,
    "if": IF,
    "range": RANGE,
    "nil": NIL,
    "template": TEMPLATE,
    "with": WITH,
}

_SPACE_CHARS = " \t\r\n"
_NOT_AT_DELIM = (False, False)
_WORD_RE = re.compile(r"\w*")  # a superset of Go's letters/digits/underscore, checked below
_SPACES_RE = re.compile(r"[ \t\r\n]*")
_QUOTED_RE = re.compile(r'(?:[^"\\\n]|\\[^\n])*"')
_CHAR_RE = re.compile(r"(?:[^'\\\n]|\\[^\n])*'")
# The common tokens inside an action, recognised in one step; anything unusual (non-ASCII
# names, a missing terminator, numbers, errors) goes through the rune-by-rune states below.
_FAST_TOKEN_RE = re.compile(
    r"(?P<field>\.[^\W\d]\w*)|(?P<var>\$\w*)|(?P<word>[^\W\d]\w*)"
    r'|(?P<str>"(?:[^"\\\n]|\\[^\n])*")|(?P<pipe>\|)|(?P<lp>\()|(?P<rp>\))'
)
_TERMINATORS = " \t\r\n.,|:)("


@dataclass(slots=True)
class Item:
    typ: int
    pos: int
    val: str
    line: int

    def __str__(self) -> str:
        """Go's item.String(), used in `unexpected X in Y` messages."""
        if self.typ == EOF:
            return "EOF"
        if self.typ == ERROR:
            return self.val
        if self.typ > KEYWORD:
            return f"<{self.val}>"
        from steersman.golang.fmt import go_sprintf

        if len(self.val) > 10:
            return go_sprintf("%.10q...", self.val)
        return go_sprintf("%q", self.val)


def is_alnum(c: str) -> bool:
    return c == "_" or c.isalpha() or c.isdecimal()


def _hash_u(c: str) -> str:
    """%#U of a rune: U+002D '-'."""
    code = ord(c)
    s = f"U+{code:04X}"
    if c.isprintable():
        s += f" '{c}'"
    return s


def _has_left_trim(s: str, i: int) -> bool:
    return len(s) >= i + 2 and s[i] == "-" and s[i + 1] in _SPACE_CHARS


def _has_right_trim(s: str, i: int) -> bool:
    return len(s) >= i + 2 and s[i] in _SPACE_CHARS and s[i + 1] == "-"


class _Lexer:
    __slots__ = (
        "break_ok",
        "continue_ok",
        "input",
        "items",
        "ldelim",
        "line",
        "paren_depth",
        "pos",
        "rdelim",
        "start",
        "start_line",
    )

    def __init__(self, text: str, ldelim: str, rdelim: str, break_ok: bool, continue_ok: bool):
        self.input = text
        self.ldelim = ldelim or "{{"
        self.rdelim = rdelim or "}}"
        self.pos = 0
        self.start = 0
        self.line = 1
        self.start_line = 1
        self.paren_depth = 0
        self.items: list[Item] = []
        self.break_ok = break_ok
        self.continue_ok = continue_ok

    # -- helpers

    def next(self) -> str:
        if self.pos >= len(self.input):
            self.pos = len(self.input) + 1  # remember we hit EOF, so backup() is a no-op
            return ""
        c = self.input[self.pos]
        self.pos += 1
        if c == "\n":
            self.line += 1
        return c

    def backup(self) -> None:
        if self.pos > len(self.input):
            self.pos = len(self.input)
            return
        if self.pos > 0:
            self.pos -= 1
            if self.input[self.pos] == "\n":
                self.line -= 1

    def peek(self) -> str:
        if self.pos >= len(self.input):
            return ""
        return self.input[self.pos]

    def emit(self, typ: int) -> None:
        self.items.append(Item(typ, self.start, self.input[self.start : self.pos], self.start_line))
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def error(self, msg: str) -> None:
        self.items.append(Item(ERROR, self.start, msg, self.start_line))

    def at_right_delim(self) -> tuple[bool, bool]:
        s = self.input
        c = s[self.pos : self.pos + 1]
        if c not in _SPACE_CHARS and c != self.rdelim[0]:
            return _NOT_AT_DELIM  # the common case: neither " -}}" nor "}}" can start here
        if _has_right_trim(s, self.pos) and s.startswith(self.rdelim, self.pos + 2):
            return True, True
        if s.startswith(self.rdelim, self.pos):
            return True, False
        return False, False

    def at_terminator(self) -> bool:
        c = self.peek()
        if c == "" or c in " \t\r\n.,|:)(":
            return True
        return self.input.startswith(self.rdelim, self.pos)

    # -- states; each returns False when lexing must stop

    def run(self) -> list[Item]:
        inside = False
        while True:
            if not inside:
                r = self.lex_text()
                if r is None:
                    return self.items
                inside = r
            else:
                r = self.lex_inside_action()
                if r is None:
                    return self.items
                inside = r

    def lex_text(self) -> bool | None:
        s = self.input
        x = s.find(self.ldelim, self.pos)
        if x >= 0:
            if x > self.pos:
                self.pos = x
                trim = 0
                if _has_left_trim(s, x + len(self.ldelim)):
                    chunk = s[self.start : self.pos]
                    trim = len(chunk) - len(chunk.rstrip(_SPACE_CHARS))
                self.pos -= trim
                self.line += s.count("\n", self.start, self.pos)
                item = Item(TEXT, self.start, s[self.start : self.pos], self.start_line)
                self.start = self.pos
                self.start_line = self.line
                self.pos += trim
                self.ignore()
                if item.val:
                    self.items.append(item)
            return self.lex_left_delim()
        self.pos = len(s)
        if self.pos > self.start:
            self.line += s.count("\n", self.start, self.pos)
            self.emit(TEXT)
        self.emit(EOF)
        return None

    def lex_left_delim(self) -> bool | None:
        s = self.input
        self.pos += len(self.ldelim)
        trim = _has_left_trim(s, self.pos)
        after = 2 if trim else 0
        if s.startswith("/*", self.pos + after):
            self.pos += after
            self.ignore()
            return self.lex_comment()
        self.items.append(Item(LEFT_DELIM, self.start, s[self.start : self.pos], self.start_line))
        self.start = self.pos
        self.start_line = self.line
        self.pos += after
        self.ignore()
        self.paren_depth = 0
        return True

    def lex_comment(self) -> bool | None:
        s = self.input
        self.pos += 2
        x = s.find("*/", self.pos)
        if x < 0:
            self.error("unclosed comment")
            return None
        self.pos = x + 2
        delim, trim = self.at_right_delim()
        if not delim:
            self.error("comment ends before closing delimiter")
            return None
        self.line += s.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line
        if trim:
            self.pos += 2
        self.pos += len(self.rdelim)
        if trim:
            rest = s[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(_SPACE_CHARS))
        self.ignore()
        return False

    def lex_right_delim(self) -> bool | None:
        _, trim = self.at_right_delim()
        if trim:
            self.pos += 2
            self.ignore()
        self.pos += len(self.rdelim)
        self.emit(RIGHT_DELIM)
        if trim:
            rest = self.input[self.pos :]
            self.pos += len(rest) - len(rest.lstrip(_SPACE_CHARS))
            self.ignore()
        return False

    def lex_inside_action(self) -> bool | None:
        s = self.input
        pos = self.pos
        c = s[pos : pos + 1]
        if c and c != self.rdelim[0]:
            if c in _SPACE_CHARS:
                if not (s[pos + 1 : pos + 2] == "-" and s.startswith(self.rdelim, pos + 2)):
                    return self.lex_space()
            else:
                m = _FAST_TOKEN_RE.match(s, pos)
                if m is not None and self.lex_fast(m):
                    return True
        return self.lex_inside_action_slow()

    def lex_fast(self, m: re.Match[str]) -> bool:
        """Emit the token `m` matched; False (nothing consumed) when the slow path must decide."""
        kind = m.lastgroup
        end = m.end()
        if kind == "str" or kind == "pipe":
            typ = STRING if kind == "str" else PIPE
        elif kind == "lp":
            self.paren_depth += 1
            typ = LEFT_PAREN
        elif kind == "rp":
            if self.paren_depth <= 0:
                return False
            self.paren_depth -= 1
            typ = RIGHT_PAREN
        else:
            word = m.group()
            s = self.input
            after = s[end : end + 1]
            if not word.isascii() or not (
                after == "" or after in _TERMINATORS or s.startswith(self.rdelim, end)
            ):
                return False
            if kind == "field":
                typ = FIELD
            elif kind == "var":
                typ = VARIABLE
            else:
                kw = KEYWORDS.get(word)
                if kw is None:
                    typ = BOOL if word == "true" or word == "false" else IDENTIFIER
                elif (kw == BREAK and not self.break_ok) or (
                    kw == CONTINUE and not self.continue_ok
                ):
                    typ = IDENTIFIER
                else:
                    typ = kw
        self.pos = end
        self.items.append(Item(typ, self.start, self.input[self.start : end], self.start_line))
        self.start = end
        return True

    def lex_inside_action_slow(self) -> bool | None:
        delim, _ = self.at_right_delim()
        if delim:
            if self.paren_depth == 0:
                return self.lex_right_delim()
            self.error("unclosed left paren")
            return None
        r = self.next()
        if r == "":
            self.error("unclosed action")
            return None
        if r in _SPACE_CHARS:
            self.backup()
            return self.lex_space()
        if r == "=":
            self.emit(ASSIGN)
        elif r == ":":
            if self.next() != "=":
                self.error("expected :=")
                return None
            self.emit(DECLARE)
        elif r == "|":
            self.emit(PIPE)
        elif r == '"':
            return self.lex_quote()
        elif r == "`":
            return self.lex_raw_quote()
        elif r == "$":
            return self.lex_variable()
        elif r == "'":
            return self.lex_char()
        elif r == "." and self.pos < len(self.input) and not ("0" <= self.input[self.pos] <= "9"):
            return self.lex_field_or_variable(FIELD)
        elif r in "+-." or "0" <= r <= "9":
            self.backup()
            return self.lex_number()
        elif is_alnum(r):
            self.backup()
            return self.lex_identifier()
        elif r == "(":
            self.paren_depth += 1
            self.emit(LEFT_PAREN)
        elif r == ")":
            self.paren_depth -= 1
            if self.paren_depth < 0:
                self.error("unexpected right paren")
                return None
            self.emit(RIGHT_PAREN)
        elif ord(r) < 0x80 and r.isprintable():
            self.emit(CHAR)
        else:
            self.error(f"unrecognized character in action: {_hash_u(r)}")
            return None
        return True

    def scan_word(self) -> None:
        """Advance over a run of Go alphanumerics (letters, Nd digits, underscore)."""
        s = self.input
        end = _WORD_RE.match(s, self.pos).end()  # type: ignore[union-attr]
        word = s[self.pos : end]
        if not word.isascii():
            for i, c in enumerate(word):
                if not is_alnum(c):
                    end = self.pos + i
                    break
        self.pos = end

    def lex_space(self) -> bool | None:
        s = self.input
        start = self.pos
        end = _SPACES_RE.match(s, start).end()  # type: ignore[union-attr]
        num = end - start
        self.line += s.count("\n", start, end)
        self.pos = end
        if _has_right_trim(s, self.pos - 1) and s.startswith(self.rdelim, self.pos + 1):
            self.backup()
            if num == 1:
                return self.lex_right_delim()
        self.emit(SPACE)
        return True

    def lex_identifier(self) -> bool | None:
        self.scan_word()
        word = self.input[self.start : self.pos]
        if not self.at_terminator():
            self.error(f"bad character {_hash_u(self.input[self.pos])}")
            return None
        kw = KEYWORDS.get(word)
        if kw is not None and kw > KEYWORD:
            if (kw == BREAK and not self.break_ok) or (kw == CONTINUE and not self.continue_ok):
                self.emit(IDENTIFIER)
            else:
                self.emit(kw)
        elif word[0] == ".":
            self.emit(FIELD)
        elif word in ("true", "false"):
            self.emit(BOOL)
        else:
            self.emit(IDENTIFIER)
        return True

    def lex_variable(self) -> bool | None:
        if self.at_terminator():
            self.emit(VARIABLE)
            return True
        return self.lex_field_or_variable(VARIABLE)

    def lex_field_or_variable(self, typ: int) -> bool | None:
        if self.at_terminator():
            self.emit(VARIABLE if typ == VARIABLE else DOT)
            return True
        self.scan_word()
        if not self.at_terminator():
            self.error(f"bad character {_hash_u(self.input[self.pos])}")
            return None
        self.emit(typ)
        return True

    def _scan_quoted(self, quote: str, typ: int, msg: str) -> bool | None:
        while True:
            c = self.next()
            if c == "\\":
                c2 = self.next()
                if c2 != "" and c2 != "\n":
                    continue
                self.error(msg)
                return None
            if c == "" or c == "\n":
                self.error(msg)
                return None
            if c == quote:
                break
        self.emit(typ)
        return True

    def lex_char(self) -> bool | None:
        m = _CHAR_RE.match(self.input, self.pos)
        if m is None:
            return self._scan_quoted("'", CHAR_CONSTANT, "unterminated character constant")
        self.pos = m.end()
        self.emit(CHAR_CONSTANT)
        return True

    def lex_quote(self) -> bool | None:
        m = _QUOTED_RE.match(self.input, self.pos)
        if m is None:
            return self._scan_quoted('"', STRING, "unterminated quoted string")
        self.pos = m.end()
        self.emit(STRING)
        return True

    def lex_raw_quote(self) -> bool | None:
        x = self.input.find("`", self.pos)
        if x < 0:
            self.error("unterminated raw quoted string")
            return None
        self.line += self.input.count("\n", self.pos, x + 1)
        self.pos = x + 1
        self.emit(RAW_STRING)
        return True

    def lex_number(self) -> bool | None:
        if not self.scan_number():
            self.error(f"bad number syntax: {_go_q(self.input[self.start : self.pos])}")
            return None
        c = self.peek()
        if c in ("+", "-"):
            if not self.scan_number() or self.input[self.pos - 1] != "i":
                self.error(f"bad number syntax: {_go_q(self.input[self.start : self.pos])}")
                return None
            self.emit(COMPLEX)
        else:
            self.emit(NUMBER)
        return True

    def accept(self, valid: str) -> bool:
        c = self.next()
        if c != "" and c in valid:
            return True
        self.backup()
        return False

    def accept_run(self, valid: str) -> None:
        while True:
            c = self.next()
            if c == "" or c not in valid:
                self.backup()
                return

    def scan_number(self) -> bool:
        self.accept("+-")
        digits = "0123456789_"
        if self.accept("0"):
            if self.accept("xX"):
                digits = "0123456789abcdefABCDEF_"
            elif self.accept("oO"):
                digits = "01234567_"
            elif self.accept("bB"):
                digits = "01_"
        self.accept_run(digits)
        if self.accept("."):
            self.accept_run(digits)
        if len(digits) == 11 and self.accept("eE"):
            self.accept("+-")
            self.accept_run("0123456789_")
        if len(digits) == 23 and self.accept("pP"):
            self.accept("+-")
            self.accept_run("0123456789_")
        self.accept("i")
        c = self.peek()
        if c != "" and is_alnum(c):
            self.next()
            return False
        return True


def _go_q(s: str) -> str:
    from steersman.golang.fmt import go_quote

    return go_quote(s)


def lex(text: str, ldelim: str, rdelim: str, break_ok: bool, continue_ok: bool) -> list[Item]:
    """All items of `text`, ending with EOF or ERROR."""
    return _Lexer(text, ldelim, rdelim, break_ok, continue_ok).run()
