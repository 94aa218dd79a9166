"""Sprig defaults, flow, reflection and encoding functions (defaults.go, reflect.go, strings.go).

Helm replaces `toJson` and `fromJson` with its own versions after taking this map; the Sprig
originals are still provided here so the base map is complete.
"""

from __future__ import annotations

import base64
from typing import Any

from steersman.golang.fmt import type_name
from steersman.golang.gostr import from_bytes, to_bytes
from steersman.golang.jsonout import JSONError, marshal, unmarshal_with_error
from steersman.golang.types import GoFunc, TemplateFuncError

from ._values import deep_equal, empty, is_nil, kind_of


def default(d: Any, *given: Any) -> Any:
    if not given or empty(given[0]):
        return d
    return given[0]


def coalesce(*v: Any) -> Any:
    for x in v:
        if not empty(x):
            return x
    return None


# --- JSON ------------------------------------------------------------------------------------


def _marshal_or_raise(v: Any, html: bool, indent: str | None) -> str:
    try:
        return marshal(v, escape_html=html, indent=indent)
    except JSONError as e:
        raise TemplateFuncError(str(e)) from None


def _quiet(v: Any, html: bool, indent: str | None) -> str:
    try:
        return marshal(v, escape_html=html, indent=indent)
    except JSONError:
        return ""


def to_raw_json(v: Any) -> str:
    # Encoder.Encode with SetEscapeHTML(false), trailing newline trimmed; panics on error.
    return _marshal_or_raise(v, False, None)


def json_decode(text: str) -> Any:
    """Sprig's mustFromJson."""
    value, problem = unmarshal_with_error(text)
    if problem is not None:
        raise TemplateFuncError(problem)
    return value


def from_json(text: str) -> Any:
    return unmarshal_with_error(text)[0]


# --- base64 / base32 ---------------------------------------------------------------------------

_B64 = {
    c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
}


def _corrupt(at: int) -> TemplateFuncError:
    return TemplateFuncError(f"illegal base64 data at input byte {at}")


def b64_decode(s: str) -> bytes:
    """`base64.StdEncoding.DecodeString`: padded, CR/LF ignored, Go's error offsets."""
    src = to_bytes(s)
    n = len(src)
    si = 0
    out = bytearray()
    while True:
        quantum = [0, 0, 0, 0]
        j = 0
        size = 4
        while j < 4:
            if si == n:
                if j == 0:
                    return bytes(out)
                raise _corrupt(si - j)
            c = src[si]
            si += 1
            if c in (0x0A, 0x0D):
                continue
            if c == 0x3D:  # '='
                if j < 2:
                    raise _corrupt(si - 1)
                if j == 2:
                    while si < n and src[si] in (0x0A, 0x0D):
                        si += 1
                    if si == n:
                        raise _corrupt(n)
                    if src[si] != 0x3D:
                        raise _corrupt(si - 1)
                    si += 1
                while si < n and src[si] in (0x0A, 0x0D):
                    si += 1
                if si < n:
                    raise _corrupt(si)
                size = j
                break
            v = _B64.get(c)
            if v is None:
                raise _corrupt(si - 1)
            quantum[j] = v
            j += 1
        val = quantum[0] << 18 | quantum[1] << 12 | quantum[2] << 6 | quantum[3]
        out += val.to_bytes(3, "big")[: size - 1]
        if size < 4:
            return bytes(out)


def b64dec(s: str) -> str:
    try:
        return from_bytes(b64_decode(s))
    except TemplateFuncError as e:
        return str(e)


_B32 = {c: i for i, c in enumerate(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")}


def b32_decode(s: str) -> bytes:
    """`base32.StdEncoding.DecodeString`: CR/LF stripped first (error offsets count the
    stripped input), decoding stops at the first complete padding."""
    src = to_bytes(s).replace(b"\r", b"").replace(b"\n", b"")
    olen = len(src)
    out = bytearray()
    i = 0
    end = False
    while i < olen and not end:
        quantum = [0] * 8
        size = 8
        j = 0
        while j < 8:
            if i == olen:
                raise TemplateFuncError(f"illegal base32 data at input byte {olen - j}")
            c = src[i]
            i += 1
            rest = olen - i
            if c == 0x3D and j >= 2 and rest < 8:
                if rest + j < 7:
                    raise TemplateFuncError(f"illegal base32 data at input byte {olen}")
                for k in range(7 - j):
                    if rest > k and src[i + k] != 0x3D:
                        raise TemplateFuncError(f"illegal base32 data at input byte {i + k - 1}")
                size, end = j, True
                if size in (1, 3, 6):
                    raise TemplateFuncError(f"illegal base32 data at input byte {i - 1}")
                break
            v = _B32.get(c)
            if v is None:
                raise TemplateFuncError(f"illegal base32 data at input byte {i - 1}")
            quantum[j] = v
            j += 1
        value = 0
        for q in quantum:
            value = value << 5 | q
        out += value.to_bytes(5, "big")[: {8: 5, 7: 4, 5: 3, 4: 2, 2: 1}[size]]
    return bytes(out)


def b32dec(s: str) -> str:
    try:
        return from_bytes(b32_decode(s))
    except TemplateFuncError as e:
        return str(e)


def defaults_funcs() -> dict[str, GoFunc]:
    a1 = ("interface {}",)
    return {
        "default": GoFunc(default, a1, "interface {}", "interface {}"),
        "empty": GoFunc(empty, a1, result="bool"),
        "coalesce": GoFunc(coalesce, (), "interface {}", "interface {}"),
        "all": GoFunc(lambda *v: all(not empty(x) for x in v), (), "interface {}", "bool"),
        "any": GoFunc(lambda *v: any(not empty(x) for x in v), (), "interface {}", "bool"),
        "ternary": GoFunc(
            lambda vt, vf, v: vt if v else vf, ("interface {}", "interface {}", "bool")
        ),
        "fail": GoFunc(_fail, ("string",), result="string", can_error=True),
        "fromJson": GoFunc(from_json, ("string",)),
        "mustFromJson": GoFunc(json_decode, ("string",), can_error=True),
        "toJson": GoFunc(lambda v: _quiet(v, True, None), a1, result="string"),
        "mustToJson": GoFunc(
            lambda v: _marshal_or_raise(v, True, None), a1, result="string", can_error=True
        ),
        "toPrettyJson": GoFunc(lambda v: _quiet(v, True, "  "), a1, result="string"),
        "mustToPrettyJson": GoFunc(
            lambda v: _marshal_or_raise(v, True, "  "), a1, result="string", can_error=True
        ),
        "toRawJson": GoFunc(to_raw_json, a1, result="string"),
        "mustToRawJson": GoFunc(to_raw_json, a1, result="string", can_error=True),
        "typeOf": GoFunc(type_name, a1, result="string"),
        "typeIs": GoFunc(lambda t, v: t == type_name(v), ("string", "interface {}"), result="bool"),
        "typeIsLike": GoFunc(
            lambda t, v: type_name(v) in (t, "*" + t), ("string", "interface {}"), result="bool"
        ),
        "kindOf": GoFunc(kind_of, a1, result="string"),
        "kindIs": GoFunc(lambda k, v: k == kind_of(v), ("string", "interface {}"), result="bool"),
        "deepEqual": GoFunc(deep_equal, ("interface {}", "interface {}"), result="bool"),
        "b64enc": GoFunc(
            lambda s: base64.b64encode(to_bytes(s)).decode(), ("string",), result="string"
        ),
        "b64dec": GoFunc(b64dec, ("string",), result="string"),
        "b32enc": GoFunc(
            lambda s: base64.b32encode(to_bytes(s)).decode(), ("string",), result="string"
        ),
        "b32dec": GoFunc(b32dec, ("string",), result="string"),
    }


def _fail(msg: str) -> str:
    raise TemplateFuncError(msg)


__all__ = ["defaults_funcs", "is_nil"]
