"""Go's strconv.FormatFloat with precision -1 (shortest), as YAML and JSON encoders use it.

Python's repr() yields the same shortest round-trip digits as Go for float64. For float32
(sigs.k8s.io/yaml formats float map keys and float-to-string struct fields with bitSize 32) the
shortest digit count that survives a float32 round trip is searched, correctly rounded at each
length.
"""

from __future__ import annotations

import math
import struct


def _digits_of_repr(r: str) -> tuple[str, int]:
    """Decimal digits and point position (value = 0.DIGITS * 10**dp) from a repr-like string."""
    exp = 0
    if "e" in r:
        r, e = r.split("e")
        exp = int(e)
    ip, _, fp = r.partition(".")
    digits = ip + fp
    dp = len(ip) + exp
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    if not digits:
        return "", 0
    return digits, dp


def to_float32(x: float) -> float:
    """Round a float64 to the nearest float32 (as Go's float32(x) does)."""
    try:
        result: float = struct.unpack("<f", struct.pack("<f", x))[0]
    except OverflowError:
        return math.copysign(math.inf, x)
    return result


def _shortest(x: float, bits: int) -> tuple[str, int]:
    ax = abs(x)
    if bits == 64:
        return _digits_of_repr(repr(ax))
    target = to_float32(ax)
    for prec in range(1, 10):
        text = f"{target:.{prec - 1}e}"
        if to_float32(float(text)) == target:
            return _digits_of_repr(text)
    return _digits_of_repr(f"{target:.8e}")


def _fmt_e(digits: str, dp: int) -> str:
    if not digits:
        return "0e+00"
    mant = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = dp - 1
    sign = "-" if exp < 0 else "+"
    return f"{mant}e{sign}{abs(exp):02d}"


def _fmt_f(digits: str, dp: int) -> str:
    if not digits:
        return "0"
    if dp <= 0:
        return "0." + "0" * (-dp) + digits
    if dp >= len(digits):
        return digits + "0" * (dp - len(digits))
    return digits[:dp] + "." + digits[dp:]


def format_float(x: float, fmt: str = "g", bits: int = 64) -> str:
    """strconv.FormatFloat(x, fmt, -1, bits) for fmt in 'g', 'e', 'f'."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "+Inf" if x > 0 else "-Inf"
    if bits == 32:
        x = to_float32(x)
        if math.isinf(x):
            return "+Inf" if x > 0 else "-Inf"
    sign = "-" if math.copysign(1.0, x) < 0 else ""
    digits, dp = _shortest(x, bits)
    if fmt == "e":
        return sign + _fmt_e(digits, dp)
    if fmt == "f":
        return sign + _fmt_f(digits, dp)
    # 'g' at shortest precision: Go decides %e versus %f with eprec fixed at 6.
    exp = dp - 1
    if digits and (exp < -4 or exp >= 6):
        return sign + _fmt_e(digits, dp)
    return sign + _fmt_f(digits, dp)
