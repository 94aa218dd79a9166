"""strconv.FormatFloat, the one float formatter: fmt's verbs, YAML, JSON and TOML use it.

Shortest formatting (precision -1) takes Python's repr digits for float64 (both are shortest
round-trip, nearest to the exact value). For float32 (sigs.k8s.io/yaml formats float map keys and
float-to-string struct fields with bitSize 32) the shortest digit count that survives a float32
round trip is searched, correctly rounded at each length. Fixed precision uses Python's
correctly rounded %-formatting, which matches Go.
"""

from __future__ import annotations

import math
import struct


def to_float32(x: float) -> float:
    """Round a float64 to the nearest float32 (as Go's float32(x) does)."""
    try:
        result: float = struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)
    return result


def _digits_of(r: str) -> tuple[str, int]:
    """Decimal digits and point position (value = 0.DIGITS * 10**dp) of a repr-like text."""
    exp = 0
    if "e" in r:
        r, e = r.split("e")
        exp = int(e)
    if "." in r:
        ip, fp = r.split(".")
    else:
        ip, fp = r, ""
    digits = ip + fp
    dp = len(ip) + exp
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "0", 1
    return digits, dp


def shortest_digits(x: float, bits: int = 64) -> tuple[str, int]:
    """Shortest decimal digits of abs(x) > 0 and the decimal point position (0.ddd * 10**dp)."""
    if bits == 64:
        return _digits_of(repr(abs(x)))
    target = to_float32(abs(x))
    for prec in range(1, 10):
        text = f"{target:.{prec - 1}e}"
        if to_float32(float(text)) == target:
            return _digits_of(text)
    return _digits_of(f"{target:.8e}")


def _fmt_e(digits: str, dp: int, prec: int, e: str) -> str:
    out = digits[0]
    if prec > 0:
        frac = digits[1 : prec + 1]
        out += "." + frac + "0" * (prec - len(frac))
    exp = 0 if digits == "0" else dp - 1
    sign = "-" if exp < 0 else "+"
    exp = abs(exp)
    return f"{out}{e}{sign}{exp:02d}"


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    nd = len(digits)
    out = digits[:dp] + "0" * max(dp - nd, 0) if dp > 0 else "0"
    if prec > 0:
        frac = []
        for i in range(1, prec + 1):
            j = dp + i - 1
            frac.append(digits[j] if 0 <= j < nd else "0")
        out += "." + "".join(frac)
    return out


def _fmt_hex(x: float, prec: int, upper: bool) -> str:
    """%x: 0x1.8p+01 (mantissa normalised to a leading 1, exponent with >= 2 digits)."""
    if x == 0:
        mant, exp = 0, 0
    else:
        m, e = math.frexp(x)  # x = m * 2**e, 0.5 <= m < 1
        mant = int(m * (1 << 53))  # 53-bit integer, leading bit set
        exp = e - 1
    # mant has 1 integer bit and 52 fraction bits (13 hex digits).
    frac_digits = 13
    if 0 <= prec < 13:
        shift = (13 - prec) * 4
        rem = mant & ((1 << shift) - 1)
        mant >>= shift
        half = 1 << (shift - 1)
        if rem > half or (rem == half and mant & 1):
            mant += 1
        if mant >> (prec * 4) >= 2:
            mant >>= 1
            exp += 1
        frac_digits = prec
    lead = mant >> (frac_digits * 4)
    frac = mant & ((1 << (frac_digits * 4)) - 1)
    frac_s = format(frac, "x").rjust(frac_digits, "0") if frac_digits else ""
    frac_s = frac_s.rstrip("0") if prec < 0 else frac_s.ljust(prec, "0")
    out = "0x" + str(lead)
    if frac_s:
        out += "." + frac_s
    sign = "-" if exp < 0 else "+"
    out += f"p{sign}{abs(exp):02d}"
    return out.upper() if upper else out


def _fmt_b(x: float) -> str:
    x = abs(x)
    if x == 0:
        return "0p-1074"
    if x < 2.2250738585072014e-308:
        return f"{int(x * 2.0**1074)}p-1074"
    m, e = math.frexp(x)
    return f"{int(m * (1 << 53))}p{e - 53:+d}"  # Go always signs the binary exponent


def format_float(x: float, verb: str = "g", prec: int = -1, bits: int = 64) -> str:
    """strconv.FormatFloat(x, verb, prec, bits); verb one of e E f F g G b x X (b, x and X
    for bits 64 only)."""
    if bits == 32:
        x = to_float32(x)
    elif verb == "g" and prec < 0 and 1e-4 <= abs(x) < 1e6:
        # Fast path for %v: in this range both Go and Python's repr print shortest digits
        # positionally; Go drops the ".0" of integral values.
        return str(int(x)) if x == int(x) else repr(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    neg = math.copysign(1.0, x) < 0
    sign = "-" if neg else ""
    if verb == "b":
        return sign + _fmt_b(x)
    if verb == "x" or verb == "X":
        return sign + _fmt_hex(abs(x), prec, verb == "X")
    if verb == "F":
        verb = "f"
    if prec >= 0:
        return sign + f"%.*{verb}" % (prec, abs(x))
    # Shortest representation.
    if x == 0:
        digits, dp = "0", 1
    else:
        digits, dp = shortest_digits(x, bits)
    nd = len(digits)
    if verb == "e" or verb == "E":
        return sign + _fmt_e(digits, dp, nd - 1, verb)
    if verb == "f":
        return sign + _fmt_f(digits, dp, max(nd - dp, 0))
    # %g / %v: exponent form when exp < -4 || exp >= 6 (strconv's eprec for shortest).
    exp = dp - 1
    if x != 0 and (exp < -4 or exp >= 6):
        return sign + _fmt_e(digits, dp, nd - 1, "e" if verb == "g" else "E")
    return sign + _fmt_f(digits, dp, max(nd - dp, 0))
