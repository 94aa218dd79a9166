"""Go's fmt printer (fmt/print.go, fmt/format.go) over the value model in types.py.

Behaviour follows Go's fmt/print.go and fmt/format.go, including the error forms
(`%!d(string=x)`, `%!v(MISSING)`, `%!(EXTRA int=1)`, ...). Numbers use strconv's rules, see
floatfmt.py.
"""

from __future__ import annotations

from typing import Any

from .floatfmt import format_float
from .gostr import from_bytes, to_bytes
from .quote import _can_backquote, go_quote, go_quote_rune
from .typenames import type_name
from .types import NO_VALUE, GoInt64, GoUint64
from .types import GoStruct as _GoStruct

_LDIGITS = "0123456789abcdefx"
_UDIGITS = "0123456789ABCDEFX"
_MAX_RUNE = 0x10FFFF
_TOO_LARGE = 1_000_000
_U64 = (1 << 64) - 1

# ---------------------------------------------------------------- the printer


class _Printer:
    """One Sprint/Sprintf call: output buffer plus the current verb's flags."""

    __slots__ = (
        "buf",
        "erroring",
        "minus",
        "plus",
        "plus_v",
        "prec",
        "prec_present",
        "sharp",
        "sharp_v",
        "space",
        "wid",
        "wid_present",
        "zero",
    )

    def __init__(self) -> None:
        self.buf: list[str] = []
        self.erroring = False
        self.clear_flags()

    def clear_flags(self) -> None:
        self.plus = self.minus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid = self.prec = 0
        self.wid_present = self.prec_present = False

    # -- padding

    def write_padding(self, n: int) -> None:
        if n > 0:
            self.buf.append(("0" if self.zero and not self.minus else " ") * n)

    def pad(self, s: str) -> None:
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        n = self.wid - len(s)
        if n <= 0:
            self.buf.append(s)
        elif self.minus:
            self.buf.append(s)
            self.buf.append(" " * n)
        else:
            self.buf.append(("0" if self.zero else " ") * n)
            self.buf.append(s)

    # -- basic formatters (fmt/format.go)

    def fmt_s(self, s: str) -> None:
        if self.prec_present and self.prec < len(s):
            s = s[: self.prec]
        self.pad(s)

    def fmt_q(self, s: str) -> None:
        if self.prec_present and self.prec < len(s):
            s = s[: self.prec]
        if self.sharp and _can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(go_quote(s, ascii_only=self.plus))

    def fmt_sbx(self, data: bytes, digits: str) -> None:
        length = len(data)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        out: list[str] = []
        if self.sharp:
            out.append("0" + digits[16])
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append("0" + digits[16])
            c = data[i]
            out.append(digits[c >> 4] + digits[c & 0xF])
        self.buf.append("".join(out))
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    def fmt_integer(self, u: int, base: int, signed: bool, verb: str, digits: str) -> None:
        """`u` is the Go value (negative when signed and negative)."""
        u = int(u)
        negative = signed and u < 0
        if negative:
            u = -u
        elif u < 0:
            u &= _U64
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                old = self.zero
                self.zero = False
                self.write_padding(self.wid)
                self.zero = old
                return
        elif self.zero and not self.minus and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        if base == 10:
            body = str(u)
        elif base == 16:
            body = format(u, "x") if digits is _LDIGITS else format(u, "X")
        elif base == 8:
            body = format(u, "o")
        else:
            body = format(u, "b")
        if len(body) < prec:
            body = "0" * (prec - len(body)) + body
        prefix = ""
        if self.sharp:
            if base == 2:
                prefix = "0b"
            elif base == 8:
                if body[0] != "0":
                    prefix = "0"
            elif base == 16:
                prefix = "0" + digits[16]
        if verb == "O":
            prefix = "0o"
        sign = "-" if negative else "+" if self.plus else " " if self.space else ""
        old = self.zero
        self.zero = False
        self.pad(sign + prefix + body)
        self.zero = old

    def fmt_unicode(self, u: int) -> None:
        u &= _U64
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        s = "U+" + format(u, "X").rjust(prec, "0")
        if self.sharp and u <= _MAX_RUNE and chr(u).isprintable():
            s += " '" + chr(u) + "'"
        old = self.zero
        self.zero = False
        self.pad(s)
        self.zero = old

    def fmt_c(self, u: int) -> None:
        if u < 0 or u > _MAX_RUNE or 0xD800 <= u <= 0xDFFF:
            u = 0xFFFD
        self.pad(chr(u))

    def fmt_float(self, v: float, verb: str, prec: int) -> None:
        if self.prec_present:
            prec = self.prec
        num = format_float(v, verb, prec)
        if num[0] not in "+-":
            num = "+" + num
        if self.space and num[0] == "+" and not self.plus:
            num = " " + num[1:]
        if num[1] in "IN":
            old = self.zero
            self.zero = False
            if num[1] == "N" and not self.space and not self.plus:
                num = num[1:]
            self.pad(num)
            self.zero = old
            return
        if self.sharp and verb != "b":
            num = _sharp_float(num, verb, prec)
        if self.plus or num[0] != "+":
            if self.zero and not self.minus and self.wid_present and self.wid > len(num):
                self.buf.append(num[0])
                self.write_padding(self.wid - len(num))
                self.buf.append(num[1:])
                return
            self.pad(num)
            return
        self.pad(num[1:])

    # -- per-type dispatch (fmt/print.go)

    def bad_verb(self, verb: str, arg: Any) -> None:
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if arg is None or arg is NO_VALUE:
            self.buf.append("<nil>")
        else:
            self.buf.append(type_name(arg) + "=")
            self.print_arg(arg, "v", 0)
        self.buf.append(")")
        self.erroring = False

    def print_arg(self, arg: Any, verb: str, depth: int = 0) -> None:
        if arg is None or arg is NO_VALUE:
            if depth > 0:
                self.buf.append("<nil>")  # a nil interface element: written unpadded
            elif verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb, arg)
            return
        if verb == "T" and depth == 0:
            self.fmt_s(type_name(arg))
            return
        if isinstance(arg, str):
            self.print_string(arg, verb)
        elif isinstance(arg, bool):
            if verb in "tv":
                self.pad("true" if arg else "false")
            else:
                self.bad_verb(verb, arg)
        elif isinstance(arg, int):
            self.print_int(arg, verb)
        elif isinstance(arg, float):
            self.print_float(arg, verb)
        elif isinstance(arg, complex):
            self.print_complex(arg, verb)
        elif isinstance(arg, bytes | bytearray):
            self.print_bytes(bytes(arg), verb, depth)
        elif isinstance(arg, dict):
            self.print_map(arg, verb, depth)
        elif isinstance(arg, list | tuple):
            self.print_list(arg, verb, depth)
        elif isinstance(arg, _GoStruct):
            self.print_struct(arg, verb, depth)
        else:
            self.bad_verb(verb, arg) if verb != "v" else self.fmt_s(type_name(arg))

    def print_string(self, s: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(s)
            else:
                self.fmt_s(s)
        elif verb == "s":
            self.fmt_s(s)
        elif verb == "x" or verb == "X":
            self.fmt_sbx(to_bytes(s), _LDIGITS if verb == "x" else _UDIGITS)
        elif verb == "q":
            self.fmt_q(s)
        else:
            self.bad_verb(verb, s)

    def print_int(self, v: int, verb: str) -> None:
        if verb == "v" and self.sharp_v and isinstance(v, GoUint64):
            self.pad("0x" + format(int(v), "x"))
        elif verb == "v" or verb == "d":
            self.fmt_integer(v, 10, True, verb, _LDIGITS)
        elif verb == "x":
            self.fmt_integer(v, 16, True, verb, _LDIGITS)
        elif verb == "X":
            self.fmt_integer(v, 16, True, verb, _UDIGITS)
        elif verb == "o" or verb == "O":
            self.fmt_integer(v, 8, True, verb, _LDIGITS)
        elif verb == "b":
            self.fmt_integer(v, 2, True, verb, _LDIGITS)
        elif verb == "c":
            self.fmt_c(v)
        elif verb == "q":
            self.pad(go_quote_rune(v, ascii_only=self.plus))
        elif verb == "U":
            self.fmt_unicode(v)
        else:
            self.bad_verb(verb, v)

    def print_float(self, v: float, verb: str) -> None:
        if verb == "v":
            self.fmt_float(v, "g", -1)
        elif verb in "bgGxX":
            self.fmt_float(v, verb, -1)
        elif verb in "feEF":
            self.fmt_float(v, verb, 6)
        else:
            self.bad_verb(verb, v)

    def print_complex(self, v: complex, verb: str) -> None:
        if verb not in "vbgGxXfFeE":
            self.bad_verb(verb, v)
            return
        old_plus = self.plus
        self.buf.append("(")
        self.print_float(v.real, verb)
        self.plus = True
        self.print_float(v.imag, verb)
        self.buf.append("i)")
        self.plus = old_plus

    def print_bytes(self, data: bytes, verb: str, depth: int) -> None:
        if verb == "v" or verb == "d":
            if self.sharp_v:
                self.buf.append("[]byte{")
                self.buf.append(", ".join("0x" + format(c, "x") for c in data))
                self.buf.append("}")
                return
            self.buf.append("[")
            for i, c in enumerate(data):
                if i:
                    self.buf.append(" ")
                self.fmt_integer(c, 10, False, verb, _LDIGITS)
            self.buf.append("]")
        elif verb == "s":
            self.fmt_s(from_bytes(data))
        elif verb == "x" or verb == "X":
            self.fmt_sbx(data, _LDIGITS if verb == "x" else _UDIGITS)
        elif verb == "q":
            self.fmt_q(from_bytes(data))
        else:
            self.print_list(list(data), verb, depth, elem_type="uint8")

    def print_list(self, v: Any, verb: str, depth: int, elem_type: str = "") -> None:
        if self.sharp_v:
            self.buf.append(type_name(v) + "{")
            for i, item in enumerate(v):
                if i:
                    self.buf.append(", ")
                self.print_sharp_elem(item, depth)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, item in enumerate(v):
            if i:
                self.buf.append(" ")
            if elem_type == "uint8":
                self.print_uint8(item, verb)
            else:
                self.print_arg(item, verb, depth + 1)
        self.buf.append("]")

    def print_uint8(self, c: int, verb: str) -> None:
        if verb in "vdxXoObcqU":
            self.print_int(c, verb)
            return
        self.erroring = True
        self.buf.append("%!" + verb + "(uint8=")
        self.fmt_integer(c, 10, False, "v", _LDIGITS)
        self.buf.append(")")
        self.erroring = False

    def print_sharp_elem(self, item: Any, depth: int) -> None:
        if item is None or item is NO_VALUE:
            self.buf.append("interface {}(nil)")
        else:
            self.print_arg(item, "v", depth + 1)

    def print_map(self, v: dict[str, Any], verb: str, depth: int) -> None:
        keys = sorted(v)
        if self.sharp_v:
            self.buf.append(type_name(v) + "{")
            for i, k in enumerate(keys):
                if i:
                    self.buf.append(", ")
                self.print_arg(k, "v", depth + 1)
                self.buf.append(":")
                self.print_sharp_elem(v[k], depth)
            self.buf.append("}")
            return
        self.buf.append("map[")
        for i, k in enumerate(keys):
            if i:
                self.buf.append(" ")
            self.print_arg(k, verb, depth + 1)
            self.buf.append(":")
            self.print_arg(v[k], verb, depth + 1)
        self.buf.append("]")

    def print_struct(self, v: _GoStruct, verb: str, depth: int) -> None:
        if not self.erroring and verb in "vsxXq" and not self.sharp_v:
            text = v.go_string()
            if text is not None:
                self.print_string(text, verb)
                return
        pointer = v.go_type.startswith("*")
        if pointer and depth > 0:
            # Go prints the address of a nested pointer; there is no stable equivalent.
            self.fmt_integer(0xC000010000, 16, False, "v", _LDIGITS)
            self.buf[-1] = "0x" + self.buf[-1]
            return
        if self.sharp_v:
            self.buf.append(("&" + v.go_type[1:] if pointer else v.go_type) + "{")
        else:
            self.buf.append("&{" if pointer else "{")
        for i, (name, value) in enumerate(v.go_print_fields()):
            if i:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(name + ":")
            if self.sharp_v:
                self.print_sharp_elem(value, depth)
            else:
                self.print_arg(value, verb, depth + 1)
        self.buf.append("}")


def _sharp_float(num: str, verb: str, prec: int) -> str:
    """The `#` flag: always a decimal point, and %g keeps its trailing zeros."""
    digits = 0
    if verb in "vgGx":
        digits = 6 if prec == -1 else prec
    tail = ""
    has_point = False
    saw_nonzero = False
    body = num
    for i in range(1, len(num)):
        c = num[i]
        if c == ".":
            has_point = True
        elif c in "pP" or (c in "eE" and verb not in "xX"):
            tail = num[i:]
            body = num[:i]
            break
        else:
            if c != "0":
                saw_nonzero = True
            if saw_nonzero:
                digits -= 1
    if not has_point:
        if len(body) == 2 and body[1] == "0":
            digits -= 1
        body += "."
    if digits > 0:
        body += "0" * digits
    return body + tail


# ---------------------------------------------------------------- public entry points


def format_value(v: Any) -> str:
    """%v of one value, as text/template prints an action's result."""
    t = type(v)
    if t is str:
        return v  # type: ignore[no-any-return]
    if t is int or t is GoInt64:
        return str(int(v))
    if t is bool:
        return "true" if v else "false"
    if t is float:
        return format_float(v, "g", -1)
    if v is None:
        return "<nil>"
    if v is NO_VALUE:
        return "<no value>"
    p = _Printer()
    p.print_arg(v, "v")
    return "".join(p.buf)


def _is_go_string(v: Any) -> bool:
    return isinstance(v, str)


def go_sprint(*args: Any) -> str:
    """fmt.Sprint: a space between operands when neither side is a string."""
    out: list[str] = []
    prev_string = False
    for i, arg in enumerate(args):
        is_string = isinstance(arg, str)
        if i > 0 and not is_string and not prev_string:
            out.append(" ")
        out.append(_sprint_one(arg))
        prev_string = is_string
    return "".join(out)


def _sprint_one(arg: Any) -> str:
    if arg is NO_VALUE:
        return "<nil>"
    return format_value(arg)


def go_sprintln(*args: Any) -> str:
    """fmt.Sprintln: spaces between all operands, then a newline."""
    return " ".join(_sprint_one(a) for a in args) + "\n"
