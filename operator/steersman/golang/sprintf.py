"""fmt.Sprintf: verb parsing from fmt/print.go's doPrintf, with compiled format strings cached."""

from __future__ import annotations

import math
from typing import Any

from .floatfmt import format_float
from .gostr import to_bytes
from .printer import _Printer
from .quote import go_quote
from .typenames import type_name
from .types import NO_VALUE, GoInt64

_TOO_LARGE = 1_000_000

# A compiled format: literal strings and verb specs
# (verb, plus, minus, sharp, space, zero, wid, wid_present, prec, prec_present).
_Spec = tuple[str, bool, bool, bool, bool, bool, int, bool, int, bool]
_compiled: dict[str, list[str | _Spec] | None] = {}
_COMPILED_MAX = 2048


def _compile(format: str) -> list[str | _Spec] | None:
    """Split `format` into literals and verbs; None when it uses `*` or `[n]` (slow path)."""
    ops: list[str | _Spec] = []
    end = len(format)
    i = 0
    while i < end:
        j = format.find("%", i)
        if j < 0:
            ops.append(format[i:])
            break
        if j > i:
            ops.append(format[i:j])
        i = j + 1
        plus = minus = sharp = space = zero = False
        while i < end:
            c = format[i]
            if c == "#":
                sharp = True
            elif c == "0":
                zero = not minus
            elif c == "+":
                plus = True
            elif c == "-":
                minus, zero = True, False
            elif c == " ":
                space = True
            else:
                break
            i += 1
        if i < end and format[i] in "*[":
            return None
        wid, wid_present, i = _parse_num(format, i, end)
        prec, prec_present = 0, False
        if i + 1 < end and format[i] == ".":
            i += 1
            if format[i] in "*[":
                return None
            prec, prec_present, i = _parse_num(format, i, end)
            if not prec_present:
                prec, prec_present = 0, True
        if i < end and format[i] == "[":
            return None
        if i >= end:
            ops.append("%!(NOVERB)")
            break
        verb = format[i]
        i += 1
        if verb == "%":
            ops.append("%")
            continue
        ops.append((verb, plus, minus, sharp, space, zero, wid, wid_present, prec, prec_present))
    return ops


def go_sprintf(format: str, *args: Any) -> str:
    """fmt.Sprintf."""
    if "%" not in format and not args:
        return format
    ops = _compiled.get(format, _MISSING)
    if ops is _MISSING:
        ops = _compile(format)
        if len(_compiled) >= _COMPILED_MAX:
            _compiled.clear()
        _compiled[format] = ops
    if ops is not None:
        return _run_compiled(ops, args)
    return _sprintf_slow(format, args)


_MISSING: Any = object()


def _run_compiled(ops: list[str | _Spec], args: tuple[Any, ...]) -> str:
    buf: list[str] = []
    p: _Printer | None = None
    argnum = 0
    nargs = len(args)
    for op in ops:
        if isinstance(op, str):
            buf.append(op)
            continue
        verb, plus, minus, sharp, space, zero, wid, wid_present, prec, prec_present = op
        if argnum >= nargs:
            buf.append("%!" + verb + "(MISSING)")
            continue
        arg = args[argnum]
        argnum += 1
        if not (plus or sharp or space or wid_present or prec_present):
            # Fast paths for flagless verbs whose output Python produces identically.
            t = type(arg)
            if t is str:
                if verb == "s" or verb == "v":
                    buf.append(arg)
                    continue
                if verb == "q":
                    buf.append(go_quote(arg))
                    continue
                if verb == "x":
                    buf.append(to_bytes(arg).hex())
                    continue
            elif t is int or t is GoInt64:
                if verb == "d" or verb == "v":
                    buf.append(str(int(arg)))
                    continue
            elif t is float:
                if verb == "v" or verb == "g":
                    buf.append(format_float(arg, "g", -1))
                    continue
            elif t is bool and (verb == "v" or verb == "t"):
                buf.append("true" if arg else "false")
                continue
            if verb == "T":
                buf.append(type_name(arg))
                continue
        elif (
            verb == "f"
            and prec_present
            and type(arg) is float
            and not (plus or sharp or space or wid_present)
            and math.isfinite(arg)
        ):
            buf.append(f"{arg:.{prec}f}")
            continue
        if p is None:
            p = _Printer()
        p.buf = buf
        p.plus, p.minus, p.sharp, p.space, p.zero = plus, minus, sharp, space, zero
        p.wid, p.wid_present, p.prec, p.prec_present = wid, wid_present, prec, prec_present
        p.plus_v = p.sharp_v = False
        if verb == "v":
            p.sharp_v, p.sharp = p.sharp, False
            p.plus_v, p.plus = p.plus, False
        p.print_arg(arg, verb)
    if argnum < nargs:
        if p is None:
            p = _Printer()
        p.buf = buf
        _extra(p, args, argnum)
    return "".join(buf)


def _extra(p: _Printer, args: tuple[Any, ...], argnum: int) -> None:
    buf = p.buf
    p.clear_flags()
    buf.append("%!(EXTRA ")
    for k, arg in enumerate(args[argnum:]):
        if k:
            buf.append(", ")
        if arg is None or arg is NO_VALUE:
            buf.append("<nil>")
        else:
            buf.append(type_name(arg) + "=")
            p.print_arg(arg, "v")
    buf.append(")")


def _sprintf_slow(format: str, args: tuple[Any, ...]) -> str:
    """The general algorithm, for formats with `*` widths or `[n]` argument indexes."""
    p = _Printer()
    buf = p.buf
    end = len(format)
    argnum = 0
    nargs = len(args)
    reordered = False
    i = 0
    while i < end:
        good_argnum = True
        j = format.find("%", i)
        if j < 0:
            buf.append(format[i:])
            break
        if j > i:
            buf.append(format[i:j])
        i = j + 1
        p.clear_flags()
        # Flags, then the fast path for a plain lower-case verb.
        simple_done = False
        while i < end:
            c = format[i]
            if c == "#":
                p.sharp = True
            elif c == "0":
                p.zero = not p.minus
            elif c == "+":
                p.plus = True
            elif c == "-":
                p.minus = True
                p.zero = False
            elif c == " ":
                p.space = True
            else:
                if "a" <= c <= "z" and argnum < nargs:
                    if c == "v":
                        p.sharp_v, p.sharp = p.sharp, False
                        p.plus_v, p.plus = p.plus, False
                    _print_top(p, args[argnum], c)
                    argnum += 1
                    i += 1
                    simple_done = True
                break
            i += 1
        if simple_done:
            continue

        argnum, i, after_index, ok, used = _arg_number(argnum, format, i, nargs)
        reordered |= used
        good_argnum &= ok
        if i < end and format[i] == "*":
            i += 1
            p.wid, p.wid_present, argnum = _int_from_arg(args, argnum)
            if not p.wid_present:
                buf.append("%!(BADWIDTH)")
            if p.wid < 0:
                p.wid = -p.wid
                p.minus = True
                p.zero = False
            after_index = False
        else:
            p.wid, p.wid_present, i = _parse_num(format, i, end)
            if after_index and p.wid_present:
                good_argnum = False

        if i + 1 < end and format[i] == ".":
            i += 1
            if after_index:
                good_argnum = False
            argnum, i, after_index, ok, used = _arg_number(argnum, format, i, nargs)
            reordered |= used
            good_argnum &= ok
            if i < end and format[i] == "*":
                i += 1
                p.prec, p.prec_present, argnum = _int_from_arg(args, argnum)
                if p.prec < 0:
                    p.prec = 0
                    p.prec_present = False
                if not p.prec_present:
                    buf.append("%!(BADPREC)")
                after_index = False
            else:
                p.prec, p.prec_present, i = _parse_num(format, i, end)
                if not p.prec_present:
                    p.prec = 0
                    p.prec_present = True

        if not after_index:
            argnum, i, after_index, ok, used = _arg_number(argnum, format, i, nargs)
            reordered |= used
            good_argnum &= ok

        if i >= end:
            buf.append("%!(NOVERB)")
            break
        verb = format[i]
        i += 1
        if verb == "%":
            buf.append("%")
        elif not good_argnum:
            buf.append("%!" + verb + "(BADINDEX)")
        elif argnum >= nargs:
            buf.append("%!" + verb + "(MISSING)")
        else:
            if verb == "v":
                p.sharp_v, p.sharp = p.sharp, False
                p.plus_v, p.plus = p.plus, False
            _print_top(p, args[argnum], verb)
            argnum += 1

    if not reordered and argnum < nargs:
        _extra(p, args, argnum)
    return "".join(buf)


def _print_top(p: _Printer, arg: Any, verb: str) -> None:
    # Fast path for the overwhelmingly common `%s` of a string and `%d`/`%v` of an int.
    t = type(arg)
    if not (p.wid_present or p.prec_present or p.plus or p.space or p.sharp or p.sharp_v):
        if t is str and (verb == "s" or verb == "v"):
            p.buf.append(arg)
            return
        if (t is int or t is GoInt64) and (verb == "d" or verb == "v"):
            p.buf.append(str(int(arg)))
            return
    p.print_arg(arg, verb)


def _parse_num(s: str, start: int, end: int) -> tuple[int, bool, int]:
    if start >= end:
        return 0, False, end
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if num > _TOO_LARGE:
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        isnum = True
        i += 1
    return num, isnum, i


def _arg_number(argnum: int, fmt: str, i: int, nargs: int) -> tuple[int, int, bool, bool, bool]:
    """An explicit `[n]` index: (argnum, i, found, good, reordered)."""
    if i >= len(fmt) or fmt[i] != "[":
        return argnum, i, False, True, False
    rest = fmt[i:]
    index, width, ok = 0, 1, False
    if len(rest) >= 3:
        close = rest.find("]", 1)
        if close >= 0:
            width = close + 1
            num, isnum, newi = _parse_num(rest, 1, close)
            if isnum and newi == close:
                index, ok = num - 1, True
    if ok and 0 <= index < nargs:
        return index, i + width, True, True, True
    return argnum, i + width, ok, False, True


def _int_from_arg(args: tuple[Any, ...], argnum: int) -> tuple[int, bool, int]:
    if argnum >= len(args):
        return 0, False, argnum
    arg = args[argnum]
    num, is_int = 0, False
    if isinstance(arg, int) and not isinstance(arg, bool) and -(1 << 63) <= arg < (1 << 63):
        num, is_int = int(arg), True
    if num > _TOO_LARGE or num < -_TOO_LARGE:
        num, is_int = 0, False
    return num, is_int, argnum + 1
