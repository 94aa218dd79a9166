"""Tokenizer for Go templates, following text/template/parse/lex.go.

The whole input is scanned eagerly into a list of items; a lexing error becomes a final ERROR
item, which the parser reports when it reaches it (as Go's parser does).
"""

from __future__ import annotations

import re

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
_SPACE_BYTES = frozenset(_SPACE_CHARS)

# Groups of the action regex, in the order lex.go tries them: the right delimiter (with its trim
# marker first) before any token, then the tokens (a lone "." before a field, as
# lexFieldOrVariable looks for a terminator first). A token that may need a decision the
# regex cannot make (a word followed by a non-ASCII letter, a number like 1e3 or 0x1) is left
# unmatched, for the rune-by-rune states.
_TRIM_RD, _RD, _SP, _WORD, _RP, _LP, _RAW = range(1, 8)
# From _SIMPLE on, a group is one item of a fixed type.
_SIMPLE = 8
_GROUP_TYPES = (0,) * _SIMPLE + (
    DOT,
    FIELD,
    VARIABLE,
    STRING,
    PIPE,
    ASSIGN,
    DECLARE,
    CHAR,
    CHAR_CONSTANT,
    NUMBER,
)
_action_regexes: dict[str, re.Pattern[str]] = {}


def _word_types(break_ok: bool, continue_ok: bool) -> dict[str, int]:
    """The type of each word that is not an identifier, as lexIdentifier decides it."""
    types = {w: t for w, t in KEYWORDS.items() if w != "."}
    types["true"] = types["false"] = BOOL
    if not break_ok:
        del types["break"]
    if not continue_ok:
        del types["continue"]
    return types


_WORD_TYPES = {(b, c): _word_types(b, c) for b in (False, True) for c in (False, True)}


def _action_regex(rdelim: str) -> re.Pattern[str]:
    pattern = _action_regexes.get(rdelim)
    if pattern is not None:
        return pattern
    rd = re.escape(rdelim)
    # A name ends where lex.go's atTerminator says; at the end of input the slow path decides.
    term = rf"(?=[ \t\r\n.,|:)(]|{rd})"
    # After plain digits lex.go's scanNumber still looks at ., e, i, p, x, +, -, _ and letters;
    # a delimiter starting with one of those is left to it.
    num_term = r"(?=[ \t\r\n,|:)(]"
    num_term += ")" if rdelim[0].isalnum() or rdelim[0] in "._+-" else rf"|{rd})"
    pattern = re.compile(
        # Spaces stop before the one that starts a trim marker " -}}", as lexSpace backs up.
        rf"([ \t\r\n]-{rd})|({rd})|((?:[ \t\r\n](?!-{rd}))+)"
        rf"|([A-Za-z_][A-Za-z0-9_]*+){term}|(\))|(\()|(`[^`]*`)"
        rf"|(\.){term}|(\.[A-Za-z_][A-Za-z0-9_]*+){term}"
        rf"|(\$(?:(?={rd})|[A-Za-z0-9_]*+{term}))"
        r'|("(?:[^"\\\n]|\\[^\n])*")|(\|)|(=)|(:=)|(,)'
        r"|('(?:[^'\\\n]|\\[^\n])*')"
        rf"|([0-9]++){num_term}"
    )
    if len(_action_regexes) >= 32:  # delimiters come from templates: keep the cache small
        _action_regexes.clear()
    _action_regexes[rdelim] = pattern
    return pattern


# An item is a plain tuple (type, pos, val, line): a tuple is built in a fraction of an object's
# time, and a template's first sight builds one per token.
Item = tuple[int, int, str, int]


def item_str(item: Item) -> str:
    """Go's item.String(), used in `unexpected X in Y` messages."""
    typ, _, val, _ = item
    if typ == EOF:
        return "EOF"
    if typ == ERROR:
        return val
    if typ > KEYWORD:
        return f"<{val}>"
    from steersman.golang.fmt import go_sprintf

    if len(val) > 10:
        return go_sprintf("%.10q...", val)
    return go_sprintf("%q", val)


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
        self.items.append((typ, self.start, self.input[self.start : self.pos], self.start_line))
        self.start = self.pos
        self.start_line = self.line

    def ignore(self) -> None:
        self.line += self.input.count("\n", self.start, self.pos)
        self.start = self.pos
        self.start_line = self.line

    def error(self, msg: str) -> None:
        self.items.append((ERROR, self.start, msg, self.start_line))

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

    # -- the fast path: one compiled regex per token, state kept in locals

    def run(self) -> list[Item]:
        """Lex everything. Text is cut at delimiters with str.find; inside an action each
        token is one match of the action regex. Whatever that regex does not settle (errors,
        comments, numbers beyond plain digits, non-ASCII names, unclosed parens) is handed, with
        the state synced, to the rune-by-rune states below, which follow lex.go step by step."""
        s = self.input
        n = len(s)
        ldelim = self.ldelim
        rdelim = self.rdelim
        ld_len = len(ldelim)
        rd_len = len(rdelim)
        scanner = _action_regex(rdelim).scanner  # type: ignore[attr-defined]
        items = self.items
        append = items.append
        types = _GROUP_TYPES
        words = _WORD_TYPES[self.break_ok, self.continue_ok]
        pos = line = 0
        inside = False
        slow: bool | None = None
        while True:
            # The state lives in self between rounds: the slow states read and write it there.
            pos = self.pos
            line = self.line
            if not inside:
                x = s.find(ldelim, pos)
                if x < 0:
                    if pos < n:
                        append((TEXT, pos, s[pos:], line))
                        line += s.count("\n", pos)
                    append((EOF, n, "", line))
                    return items
                after = x + ld_len
                trim = s[after : after + 1] == "-" and s[after + 1 : after + 2] in _SPACE_BYTES
                if x > pos:
                    text = s[pos:x]
                    if trim:
                        text = text.rstrip(_SPACE_CHARS)
                    if text:
                        append((TEXT, pos, text, line))
                    line += s.count("\n", pos, x)
                if trim:
                    after += 2
                if s.startswith("/*", after):
                    self.pos = self.start = x
                    self.line = self.start_line = line
                    slow = self.lex_left_delim()
                    if slow is None:
                        return items
                    inside = slow
                    continue
                append((LEFT_DELIM, x, ldelim, line))
                if trim and s[after - 1] == "\n":
                    line += 1
                pos = after
                depth = 0
            else:
                depth = self.paren_depth
            # Inside an action: the scanner matches token after token from `pos`.
            scan = scanner(s, pos).match
            k = 0
            while True:
                m = scan()
                if m is None:
                    break
                k = m.lastindex
                end = m.end()
                if k >= _SIMPLE:
                    append((types[k], pos, m.group(), line))
                elif k == _SP:
                    val = m.group()
                    append((SPACE, pos, val, line))
                    if "\n" in val:
                        line += val.count("\n")
                elif k == _WORD:
                    word = m.group()
                    append((words.get(word, IDENTIFIER), pos, word, line))
                elif k <= _RD:  # a right delimiter, with or without the trim marker
                    if depth:
                        break  # "unclosed left paren": the slow path reports it
                    if k == _TRIM_RD:
                        if s[pos] == "\n":
                            line += 1
                        pos += 2
                    append((RIGHT_DELIM, pos, rdelim, line))
                    pos += rd_len
                    if k == _TRIM_RD:
                        end = _SPACES_RE.match(s, pos).end()  # type: ignore[union-attr]
                        line += s.count("\n", pos, end)
                        pos = end
                    break
                elif k == _RP:
                    if not depth:
                        break  # "unexpected right paren"
                    depth -= 1
                    append((RIGHT_PAREN, pos, ")", line))
                elif k == _LP:
                    depth += 1
                    append((LEFT_PAREN, pos, "(", line))
                else:
                    val = m.group()
                    append((RAW_STRING, pos, val, line))
                    line += val.count("\n")
                pos = end
            self.pos = self.start = pos
            self.line = self.start_line = line
            self.paren_depth = depth
            if k and k <= _RD and not depth:
                inside = False  # the action ended on the fast path
                continue
            slow = self.lex_inside_action_slow()
            if slow is None:
                return items
            inside = slow

    def run_slow(self) -> list[Item]:
        """Lex with the rune-by-rune states only: the reference the fast path is tested against."""
        inside = False
        while True:
            r = self.lex_inside_action_slow() if inside else self.lex_text()
            if r is None:
                return self.items
            inside = r

    # -- the rune-by-rune states; each returns the next state (True: inside an action,
    # False: text) or None when lexing must stop

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
                item = (TEXT, self.start, s[self.start : self.pos], self.start_line)
                self.start = self.pos
                self.start_line = self.line
                self.pos += trim
                self.ignore()
                if item[2]:
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
        self.items.append((LEFT_DELIM, self.start, s[self.start : self.pos], self.start_line))
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
