"""Sprig arithmetic, conversions and integer sequences (functions.go, numeric.go).

Integer math converts every operand with cast.ToInt64 and returns int64 with Go's wrapping and
truncating division; the `...f` family goes through shopspring/decimal (`NewFromFloat` is the
shortest decimal, so `addf 0.1 0.2` is 0.3; `divf` rounds to 16 places).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

from steersman.golang.types import GoFunc, GoInt64, GoIntSlice, TemplateFuncError, wrap64

from ._env import SprigEnv
from ._values import INT64_MAX, INT64_MIN, i64, to_float64, to_int, to_int64


def go_div(a: int, b: int) -> GoInt64:
    if b == 0:
        raise TemplateFuncError("runtime error: integer divide by zero")
    q = abs(a) // abs(b)
    return i64(q if (a < 0) == (b < 0) else -q)


def go_mod(a: int, b: int) -> GoInt64:
    if b == 0:
        raise TemplateFuncError("runtime error: integer divide by zero")
    r = abs(a) % abs(b)
    return i64(-r if a < 0 else r)


def add(*args: Any) -> GoInt64:
    return i64(sum(to_int64(a) for a in args))


def mul(a: Any, *rest: Any) -> GoInt64:
    val = int(to_int64(a))
    for b in rest:
        val = int(i64(val * to_int64(b)))
    return GoInt64(val)


def max_(a: Any, *rest: Any) -> GoInt64:
    return GoInt64(max([to_int64(a), *(to_int64(b) for b in rest)]))


def min_(a: Any, *rest: Any) -> GoInt64:
    return GoInt64(min([to_int64(a), *(to_int64(b) for b in rest)]))


def _go_max(x: float, y: float) -> float:
    if (math.isinf(x) and x > 0) or (math.isinf(y) and y > 0):
        return math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return y if math.copysign(1, x) < 0 else x
    return x if x > y else y


def _go_min(x: float, y: float) -> float:
    if (math.isinf(x) and x < 0) or (math.isinf(y) and y < 0):
        return -math.inf
    if math.isnan(x) or math.isnan(y):
        return math.nan
    if x == 0 and y == 0:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


def maxf(a: Any, *rest: Any) -> float:
    v = to_float64(a)
    for b in rest:
        v = _go_max(v, to_float64(b))
    return v


def minf(a: Any, *rest: Any) -> float:
    v = to_float64(a)
    for b in rest:
        v = _go_min(v, to_float64(b))
    return v


def _floor(f: float) -> float:
    # math.Floor/Ceil keep the sign of zero: Ceil(-0.5) is -0.
    return math.copysign(float(math.floor(f)), f) if math.isfinite(f) else f


def _ceil(f: float) -> float:
    r = float(math.ceil(f)) if math.isfinite(f) else f
    return math.copysign(0.0, f) if r == 0 else r


def round_(a: Any, places: int, *round_on: float) -> float:
    on = round_on[0] if round_on else 0.5
    val = to_float64(a)
    try:
        pow10 = math.pow(10, float(places))
    except OverflowError:
        pow10 = math.inf  # Go's math.Pow overflows to +Inf (and the result becomes NaN)
    digit = pow10 * val
    # Go's Modf(±Inf) has a NaN fraction, so infinities round down (to themselves).
    frac = math.modf(digit)[0] if math.isfinite(digit) else math.nan
    rounded = _ceil(digit) if frac >= on else _floor(digit)
    if pow10 == 0:  # 10**places underflowed: Go divides by zero into Inf or NaN
        return math.copysign(math.inf, rounded) if rounded else math.nan
    return rounded / pow10


# --- shopspring/decimal (exact rationals stand in for its big decimals) -----------------------


def _decimal(f: float) -> Fraction:
    """`decimal.NewFromFloat`: the shortest decimal that round-trips to f."""
    if math.isnan(f) or math.isinf(f):
        word = "NaN" if math.isnan(f) else ("+Inf" if f > 0 else "-Inf")
        raise TemplateFuncError(f"Cannot create a Decimal from {word}")
    return Fraction(Decimal(repr(f)))


def _div16(a: Fraction, b: Fraction) -> Fraction:
    """`Decimal.Div`: DivRound to 16 places, halves away from zero."""
    if b == 0:
        raise TemplateFuncError("decimal division by 0")
    scaled = a / b * 10**16
    n = math.floor(abs(scaled) + Fraction(1, 2))
    return Fraction(n if scaled >= 0 else -n, 10**16)


def _decimal_op(
    a: Any, rest: tuple[Any, ...], op: Callable[[Fraction, Fraction], Fraction]
) -> float:
    acc = _decimal(to_float64(a))
    for b in rest:
        acc = op(acc, _decimal(to_float64(b)))
    try:
        return float(acc)
    except OverflowError:  # Decimal.Float64 saturates to an infinity
        return math.inf if acc > 0 else -math.inf


def _dadd(x: Fraction, y: Fraction) -> Fraction:
    return x + y


def _dsub(x: Fraction, y: Fraction) -> Fraction:
    return x - y


def _dmul(x: Fraction, y: Fraction) -> Fraction:
    return x * y


# --- conversions and sequences ---------------------------------------------------------------

_ATOI = re.compile(r"[+-]?[0-9]+")
_OCTAL = re.compile(r"[+-]?[0-7]+")


def atoi(s: str) -> int:
    """strconv.Atoi with the error dropped: 0 on bad syntax, clamped on overflow."""
    if not _ATOI.fullmatch(s):
        return 0
    return max(INT64_MIN, min(INT64_MAX, int(s)))


def to_decimal(v: Any) -> GoInt64:
    from steersman.golang.fmt import go_sprint

    s = go_sprint(v)
    if not _OCTAL.fullmatch(s):
        return GoInt64(0)
    n = int(s, 8)
    return GoInt64(n if INT64_MIN <= n <= INT64_MAX else 0)


# Go appends until memory runs out (a fatal error that ends helm); we stop far earlier with an
# error instead of exhausting the operator's memory.
_MAX_LIST = 1 << 24
_OUT_OF_MEMORY = "runtime: out of memory"


def until_step(start: int, stop: int, step: int) -> GoIntSlice:
    if (stop < start and step >= 0) or (stop >= start and step <= 0):
        return GoIntSlice()
    r = range(start, stop, step)
    # Go's `i += step` wraps past the int64 range and the loop never ends.
    wraps = len(r) > 0 and not INT64_MIN <= r[-1] + step <= INT64_MAX
    if len(r) > _MAX_LIST or wraps:
        raise TemplateFuncError(_OUT_OF_MEMORY)
    return GoIntSlice(r)


def until(count: int) -> GoIntSlice:
    return until_step(0, count, -1 if count < 0 else 1)


def seq(*params: int) -> str:
    if len(params) == 1:
        start, end = 1, params[0]
        inc = -1 if end < start else 1
        nums = until_step(start, wrap64(end + inc), inc)
    elif len(params) == 2:
        start, end = params
        step = -1 if end < start else 1
        nums = until_step(start, wrap64(end + step), step)
    elif len(params) == 3:
        start, step, end = params
        inc = 1
        if end < start:
            inc = -1
            if step > 0:
                return ""
        nums = until_step(start, wrap64(end + inc), step)
    else:
        return ""
    return " ".join(str(n) for n in nums)


def rand_int(env: SprigEnv, lo: int, hi: int) -> int:
    if hi - lo <= 0:
        raise TemplateFuncError("invalid argument to Intn")
    return env.rand.randrange(hi - lo) + lo


def number_funcs(env: SprigEnv) -> dict[str, GoFunc]:
    a1 = ("interface {}",)
    a2 = ("interface {}", "interface {}")
    return {
        "atoi": GoFunc(atoi, ("string",), result="int"),
        "int64": GoFunc(to_int64, a1, result="int64"),
        "int": GoFunc(to_int, a1, result="int"),
        "float64": GoFunc(to_float64, a1, result="float64"),
        "seq": GoFunc(seq, (), "int", "string"),
        "toDecimal": GoFunc(to_decimal, a1, result="int64"),
        "until": GoFunc(until, ("int",), result="[]int"),
        "untilStep": GoFunc(until_step, ("int", "int", "int"), result="[]int"),
        "add1": GoFunc(lambda v: i64(to_int64(v) + 1), a1, result="int64"),
        "add": GoFunc(add, (), "interface {}", "int64"),
        "sub": GoFunc(lambda a, b: i64(to_int64(a) - to_int64(b)), a2, result="int64"),
        "div": GoFunc(lambda a, b: go_div(to_int64(a), to_int64(b)), a2, result="int64"),
        "mod": GoFunc(lambda a, b: go_mod(to_int64(a), to_int64(b)), a2, result="int64"),
        "mul": GoFunc(mul, a1, "interface {}", "int64"),
        "randInt": GoFunc(lambda lo, hi: rand_int(env, lo, hi), ("int", "int"), result="int"),
        "add1f": GoFunc(lambda v: _decimal_op(v, (1,), _dadd), a1, result="float64"),
        "addf": GoFunc(lambda *v: _decimal_op(0.0, v, _dadd), (), "interface {}", "float64"),
        "subf": GoFunc(lambda a, *v: _decimal_op(a, v, _dsub), a1, "interface {}", "float64"),
        "divf": GoFunc(lambda a, *v: _decimal_op(a, v, _div16), a1, "interface {}", "float64"),
        "mulf": GoFunc(lambda a, *v: _decimal_op(a, v, _dmul), a1, "interface {}", "float64"),
        "biggest": GoFunc(max_, a1, "interface {}", "int64"),
        "max": GoFunc(max_, a1, "interface {}", "int64"),
        "min": GoFunc(min_, a1, "interface {}", "int64"),
        "maxf": GoFunc(maxf, a1, "interface {}", "float64"),
        "minf": GoFunc(minf, a1, "interface {}", "float64"),
        "ceil": GoFunc(lambda v: _ceil(to_float64(v)), a1, result="float64"),
        "floor": GoFunc(lambda v: _floor(to_float64(v)), a1, result="float64"),
        "round": GoFunc(round_, ("interface {}", "int"), "float64", "float64"),
    }
