"""BurntSushi/toml v1.6.0's lexer (lex.go) as a syntax checker: the first lexical error of a
document with the text and line helm's `fromToml` reports (`toml: line N: ...`, or
`toml: line N (last key "k"): ...`). Values are decoded by tomllib afterwards; this only
reproduces where and how BurntSushi's state machine gives up.

The states are the Go functions, one method each (same names); a state returns the next one,
`None` ends the run. The "last key" is the parser's `current()` at the failing item: the
[table] context plus the key whose value is being read.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from steersman.golang.fmt import go_quote, go_quote_rune

EOF_RUNE = ""

State = Callable[[], Any]  # a state method; returns the next state or None


class TomlLexError(Exception):
    def __init__(self, line: int, message: str, last_key: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.last_key = last_key

    def __str__(self) -> str:
        if not self.last_key:
            return f"toml: line {self.line}: {self.message}"
        return f"toml: line {self.line} (last key {go_quote(self.last_key)}): {self.message}"


def _q(r: str) -> str:
    """Go's %q of a rune (eof is rune 0)."""
    return go_quote_rune(ord(r) if r else 0)


def _ws(r: str) -> bool:
    return r in ("\t", " ")


def _nl(r: str) -> bool:
    return r in ("\n", "\r")


def _digit(r: str) -> bool:
    return "0" <= r <= "9" and r != ""


def _hex(r: str) -> bool:
    return r != "" and (r in "0123456789abcdefABCDEF")


def _binary(r: str) -> bool:
    return r in ("0", "1") and r != ""


def _octal(r: str) -> bool:
    return r != "" and "0" <= r <= "7"


def _bare(r: str) -> bool:
    return r != "" and (r.isascii() and (r.isalnum() or r in "_-"))


def _control(r: str) -> bool:
    if r in ("\t", "\r", "\n", ""):
        return False
    return ord(r) <= 0x1F or ord(r) == 0x7F


class _Lexer:
    def __init__(self, text: str) -> None:
        self.input = text
        self.start = 0
        self.pos = 0
        self.line = 1
        self.at_eof = False
        self.prev: list[int] = []
        self.stack: list[State] = []
        self.context: list[str] = []
        self.key_parts: list[str] = []
        self.current_key = ""
        self.inline_keys: list[str] = []

    # --- primitives --------------------------------------------------------------------------
    def fail(self, message: str, line: int | None = None) -> None:
        raise TomlLexError(self.line if line is None else line, message, self.last_key())

    def last_key(self) -> str:
        ctx = ".".join(self.context)
        if not self.current_key:
            return ctx
        return f"{ctx}.{self.current_key}" if ctx else self.current_key

    def errorf(self, message: str) -> None:
        line = self.line
        if self.at_eof and self.pos >= 1 and self.input[self.pos - 1] == "\n":
            line -= 1
        self.fail(message, line)

    def error_prev_line(self, message: str) -> None:
        self.fail(message, self.line - 1)

    def error(self, message: str) -> None:
        if self.at_eof:
            self.error_prev_line(message)
        self.fail(message)

    def next(self) -> str:
        if self.pos >= len(self.input):
            self.at_eof = True
            return EOF_RUNE
        r = self.input[self.pos]
        if r == "\n":
            self.line += 1
        if 0xDC80 <= ord(r) <= 0xDCFF:  # an invalid UTF-8 byte (surrogate escape)
            self.fail(f"invalid UTF-8 byte: 0x{ord(r) - 0xDC00:02x}")
        if _control(r) or (
            r == "\r" and (self.pos == len(self.input) - 1 or self.input[self.pos + 1] != "\n")
        ):
            self.fail(f"TOML files cannot contain control characters: '0x{ord(r):02x}'")
        self.prev.append(1)
        self.pos += 1
        return r

    def backup(self) -> None:
        if self.at_eof:
            self.at_eof = False
            return
        self.prev.pop()
        self.pos -= 1
        if self.pos < len(self.input) and self.input[self.pos] == "\n":
            self.line -= 1

    def ignore(self) -> None:
        self.start = self.pos

    def current(self) -> str:
        return self.input[self.start : self.pos]

    def accept(self, valid: str) -> bool:
        if self.next() == valid:
            return True
        self.backup()
        return False

    def peek(self) -> str:
        r = self.next()
        self.backup()
        return r

    def skip_ws(self) -> None:
        while True:
            r = self.next()
            if _ws(r):
                continue
            self.backup()
            self.ignore()
            return

    def pop(self) -> State:
        return self.stack.pop()

    def emit_value(self) -> None:
        self.start = self.pos

    # --- states ------------------------------------------------------------------------------
    def top(self) -> State | None:
        r = self.next()
        if _ws(r) or _nl(r):
            self.ignore()
            return self.top
        if r == "#":
            self.stack.append(self.top)
            return self.comment_start
        if r == "[":
            return self.table_start
        if r == EOF_RUNE:
            if self.pos > self.start:
                self.errorf("unexpected EOF")
            return None
        self.backup()
        self.stack.append(self.top_end)
        self.key_parts = []
        return self.key_start

    def top_end(self) -> State | None:
        r = self.next()
        if r == "#":
            self.stack.append(self.top)
            return self.comment_start
        if _ws(r):
            return self.top_end
        if _nl(r):
            self.ignore()
            return self.top
        if r == EOF_RUNE:
            return None
        self.errorf(
            "expected a top-level item to end with a newline, comment, or EOF, but got "
            f"{_q(r)} instead"
        )
        return None

    def table_start(self) -> State:
        self.current_key = ""
        self.key_parts = []
        if self.peek() == "[":
            self.next()
            self.start = self.pos
            self.stack.append(self.array_table_end)
        else:
            self.start = self.pos
            self.stack.append(self.table_end)
        return self.table_name_start

    def table_end(self) -> State:
        self.context = list(self.key_parts)
        self.key_parts = []
        return self.top_end

    def array_table_end(self) -> State:
        r = self.next()
        if r != "]":
            self.errorf(f"expected end of table array name delimiter ']', but got {_q(r)} instead")
        return self.table_end()

    def table_name_start(self) -> State:
        self.skip_ws()
        r = self.peek()
        if r in ("]", EOF_RUNE):
            self.errorf("unexpected end of table name (table names cannot be empty)")
        if r == ".":
            self.errorf("unexpected table separator (table names cannot be empty)")
        if r in ('"', "'"):
            self.ignore()
            self.stack.append(self.table_name_end)
            return self.quoted_name
        self.stack.append(self.table_name_end)
        return self.bare_name

    def table_name_end(self) -> State:
        self.skip_ws()
        r = self.next()
        if r == ".":
            self.ignore()
            return self.table_name_start
        if r == "]":
            return self.pop()
        self.errorf(f"expected '.' or ']' to end table name, but got {_q(r)} instead")
        raise AssertionError

    def bare_name(self) -> State:
        r = self.next()
        if _bare(r):
            return self.bare_name
        self.backup()
        self.key_parts.append(self.current())
        self.start = self.pos
        return self.pop()

    def quoted_name(self) -> State:
        r = self.next()
        if r == '"':
            self.ignore()
            self.stack.append(self._name_done)
            return self.string
        if r == "'":
            self.ignore()
            self.stack.append(self._name_done)
            return self.raw_string
        if _ws(r):
            self.ignore()
            return self.value
        if r == EOF_RUNE:
            self.errorf("unexpected EOF; expected value")
        self.errorf(f"expected value but found {_q(r)} instead")
        raise AssertionError

    def _name_done(self) -> State:
        self.key_parts.append(self.last_string)
        return self.pop()

    def key_start(self) -> State:
        self.skip_ws()
        r = self.peek()
        if r in ("=", EOF_RUNE):
            self.errorf("unexpected '=': key name appears blank")
        if r == ".":
            self.errorf("unexpected '.': keys cannot start with a '.'")
        if r in ('"', "'"):
            self.ignore()
        self.start = self.pos
        return self.key_name_start

    def key_name_start(self) -> State:
        self.skip_ws()
        r = self.peek()
        if r in ('"', "'"):
            self.ignore()
            self.stack.append(self.key_end)
            return self.quoted_name
        if r in ("=", EOF_RUNE):
            self.errorf("unexpected '='")
        if r == ".":
            self.errorf("unexpected '.'")
        self.stack.append(self.key_end)
        return self.bare_name

    def key_end(self) -> State:
        self.skip_ws()
        r = self.next()
        if _ws(r):
            self.ignore()
            return self.key_end
        if r == EOF_RUNE:
            self.errorf("unexpected EOF; expected key separator '='")
        if r == ".":
            self.ignore()
            return self.key_name_start
        if r == "=":
            self.current_key = ".".join(self.key_parts)
            self.key_parts = []
            self.ignore()
            self.stack.append(self._key_value_done)
            return self.value
        if r == "\n":
            self.error_prev_line(f"expected '.' or '=', but got {_q(r)} instead")
        self.errorf(f"expected '.' or '=', but got {_q(r)} instead")
        raise AssertionError

    def _key_value_done(self) -> State:
        if not self.inline_keys:  # the parser's topLevel forgets the key; an inline table not
            self.current_key = ""
        return self.pop()

    last_string = ""

    def value(self) -> State:
        r = self.next()
        if _ws(r):
            self.ignore()
            return self.value
        if _digit(r):
            self.backup()
            return self.number_or_date_start
        if r == "[":
            self.ignore()
            return self.array_value
        if r == "{":
            self.ignore()
            self.inline_keys.append(self.current_key)
            self.context = [*self.context, self.current_key] if self.current_key else self.context
            self.current_key = ""
            return self.inline_table_value
        if r == '"':
            if self.accept('"'):
                if self.accept('"'):
                    self.ignore()
                    return self.multiline_string
                self.backup()
            self.ignore()
            return self.string
        if r == "'":
            if self.accept("'"):
                if self.accept("'"):
                    self.ignore()
                    return self.multiline_raw_string
                self.backup()
            self.ignore()
            return self.raw_string
        if r == ".":
            self.errorf("floats must start with a digit, not '.'")
        if r in ("i", "n") and (
            (self.accept("n") and self.accept("f")) or (self.accept("a") and self.accept("n"))
        ):
            self.emit_value()
            return self.pop()
        if r in ("-", "+"):
            return self.decimal_number_start
        if r != EOF_RUNE and r.isalpha():
            self.backup()
            return self.bool_
        if r == EOF_RUNE:
            self.errorf("unexpected EOF; expected value")
        if r == "\n":
            self.error_prev_line(f"expected value but found {_q(r)} instead")
        self.errorf(f"expected value but found {_q(r)} instead")
        raise AssertionError

    def array_value(self) -> State:
        r = self.next()
        if _ws(r) or _nl(r):
            self.ignore()
            return self.array_value
        if r == "#":
            self.stack.append(self.array_value)
            return self.comment_start
        if r == ",":
            self.errorf("unexpected comma")
        if r == "]":
            return self.array_end
        self.backup()
        self.stack.append(self.array_value_end)
        return self.value

    def array_value_end(self) -> State:
        r = self.next()
        if _ws(r) or _nl(r):
            self.ignore()
            return self.array_value_end
        if r == "#":
            self.stack.append(self.array_value_end)
            return self.comment_start
        if r == ",":
            self.ignore()
            return self.array_value
        if r == "]":
            return self.array_end
        self.errorf(f"expected a comma (',') or array terminator (']'), but got {_rune_or_eof(r)}")
        raise AssertionError

    def array_end(self) -> State:
        self.ignore()
        return self.pop()

    def inline_table_value(self) -> State:
        r = self.next()
        if _ws(r) or _nl(r):
            self.ignore()
            return self.inline_table_value
        if r == "#":
            self.stack.append(self.inline_table_value)
            return self.comment_start
        if r == ",":
            self.errorf("unexpected comma")
        if r == "}":
            return self.inline_table_end
        self.backup()
        self.stack.append(self.inline_table_value_end)
        self.key_parts = []
        return self.key_start

    def inline_table_value_end(self) -> State:
        r = self.next()
        if _ws(r) or _nl(r):
            self.ignore()
            return self.inline_table_value_end
        if r == "#":
            self.stack.append(self.inline_table_value_end)
            return self.comment_start
        if r == ",":
            self.ignore()
            self.skip_ws()
            if self.peek() == "}":
                return self.inline_table_value_end
            return self.inline_table_value
        if r == "}":
            return self.inline_table_end
        self.errorf(
            "expected a comma or an inline table terminator '}', but got "
            f"{_rune_or_eof(r)} instead"
        )
        raise AssertionError

    def inline_table_end(self) -> State:
        self.ignore()
        outer = self.inline_keys.pop()
        if outer:
            self.context = self.context[:-1]
        self.current_key = outer
        return self.pop()

    def string(self) -> State:
        r = self.next()
        if r == EOF_RUNE:
            self.errorf("unexpected EOF; expected '\"'")
        if _nl(r):
            self.error_prev_line("strings cannot contain newlines")
        if r == "\\":
            self.stack.append(self.string)
            return self.string_escape
        if r == '"':
            self.last_string = self.input[self.start : self.pos - 1]
            self.ignore()
            return self.pop()
        return self.string

    def multiline_string(self) -> State:
        r = self.next()
        if r == EOF_RUNE:
            self.errorf('unexpected EOF; expected \'"""\'')
        if r == "\\":
            return self.multiline_string_escape
        if r == '"' and self.accept('"'):
            if self.accept('"'):
                if self.peek() == '"':
                    cur = self.current()
                    if cur.endswith('"""""') and not cur.endswith('\\"""""'):
                        self.errorf('unexpected \'""""""\'')
                    self.backup()
                    self.backup()
                    return self.multiline_string
                self.ignore()
                return self.pop()
            self.backup()
        return self.multiline_string

    def raw_string(self) -> State:
        r = self.next()
        if r == EOF_RUNE:
            self.errorf('unexpected EOF; expected "\'"')
        if _nl(r):
            self.error_prev_line("strings cannot contain newlines")
        if r == "'":
            self.last_string = self.input[self.start : self.pos - 1]
            self.ignore()
            return self.pop()
        return self.raw_string

    def multiline_raw_string(self) -> State:
        r = self.next()
        if r == EOF_RUNE:
            self.errorf("unexpected EOF; expected \"'''\"")
        if r == "'" and self.accept("'"):
            if self.accept("'"):
                if self.peek() == "'":
                    if self.current().endswith("'''''"):
                        self.errorf("unexpected \"''''''\"")
                    self.backup()
                    self.backup()
                    return self.multiline_raw_string
                self.ignore()
                return self.pop()
            self.backup()
        return self.multiline_raw_string

    def multiline_string_escape(self) -> State:
        if _nl(self.next()):
            return self.multiline_string
        self.backup()
        self.stack.append(self.multiline_string)
        return self.string_escape()

    def string_escape(self) -> State:
        r = self.next()
        if r in ("e", "b", "t", "n", "f", "r", '"', " ", "\t", "\\"):
            return self.pop()
        if r in ("x", "u", "U"):
            count, word = {"x": (2, "two"), "u": (4, "four"), "U": (8, "eight")}[r]
            start = self.start
            for _ in range(count):
                if not _hex(self.next()):
                    self.errorf(
                        f"expected {word} hexadecimal digits after '\\{r}', but got "
                        f"{go_quote(self.input[start : self.pos])} instead"
                    )
            return self.pop()
        self.error(f"invalid escape in string '\\{r}'")
        raise AssertionError

    def number_or_date_start(self) -> State:
        if self.next() == "0":
            return self.base_number_or_date
        return self.number_or_date

    def number_or_date(self) -> State:
        r = self.next()
        if _digit(r):
            return self.number_or_date
        if r in ("-", ":"):
            return self.datetime
        if r == "_":
            return self.decimal_number
        if r in (".", "e", "E"):
            return self.float_
        self.backup()
        return self.pop()

    def datetime(self) -> State:
        r = self.next()
        if _digit(r) or (r != "" and r in "-:Tt .Zz+"):
            return self.datetime
        self.backup()
        return self.pop()

    def _digits(self, ok: Callable[[str], bool]) -> State:
        while True:
            r = self.next()
            if ok(r) or r == "_":
                continue
            self.backup()
            return self.pop()

    def decimal_number(self) -> State:
        r = self.next()
        if _digit(r) or r == "_":
            return self.decimal_number
        if r in (".", "e", "E"):
            return self.float_
        self.backup()
        return self.pop()

    def decimal_number_start(self) -> State:
        r = self.next()
        if r == "i":
            if not self.accept("n") or not self.accept("f"):
                self.errorf(f"invalid float: '{self.current()}'")
            return self.pop()
        if r == "n":
            if not self.accept("a") or not self.accept("n"):
                self.errorf(f"invalid float: '{self.current()}'")
            return self.pop()
        if r == "0":
            p = self.peek()
            if p in ("b", "o", "x"):
                self.errorf(f"cannot use sign with non-decimal numbers: '{self.current()}{p}'")
        if r == ".":
            self.errorf("floats must start with a digit, not '.'")
        if _digit(r):
            return self.decimal_number
        self.errorf(f"expected a digit but got {_q(r)}")
        raise AssertionError

    def base_number_or_date(self) -> State:
        r = self.next()
        if _digit(r):
            return self.number_or_date
        if r == "_":
            return self.decimal_number
        if r in (".", "e", "E"):
            return self.float_
        checks: dict[str, tuple[str, Callable[[str], bool]]] = {
            "b": ("binary", _binary),
            "o": ("octal", _octal),
            "x": ("hexadecimal", _hex),
        }
        if r in checks:
            word, ok = checks[r]
            p = self.peek()
            if not ok(p):
                article = "an" if word == "octal" else "a"
                self.errorf(f"not {article} {word} number: '{self.current()}{p}'")
            return self._digits(ok)
        self.backup()
        return self.pop()

    def float_(self) -> State:
        r = self.next()
        if _digit(r) or (r != "" and r in "_.-+eE"):
            return self.float_
        self.backup()
        return self.pop()

    def bool_(self) -> State:
        word = []
        while True:
            r = self.next()
            if r == EOF_RUNE or not r.isalpha():
                self.backup()
                break
            word.append(r)
        s = "".join(word)
        if s in ("true", "false"):
            return self.pop()
        self.errorf(f"expected value but found {go_quote(s)} instead")
        raise AssertionError

    def comment_start(self) -> State:
        self.ignore()
        return self.comment

    def comment(self) -> State:
        r = self.next()
        if _nl(r) or r == EOF_RUNE:
            self.backup()
            self.ignore()
            return self.pop()
        return self.comment


def _rune_or_eof(r: str) -> str:
    return "end of file" if r == EOF_RUNE else f"'{r}'"


def check_syntax(text: str) -> None:
    """Raise TomlLexError for the first error BurntSushi's lexer reports in `text`."""
    lx = _Lexer(text)
    state: State | None = lx.top
    # each state is a bound method of _Lexer returning the next one
    while state is not None:
        state = state()
