"""text/template's builtin functions (funcs.go): comparisons, len, index, slice, print*, escapers.

Builtins that take reflect.Value in Go receive raw executor values here, including NO_VALUE and
None (see values.py); `and`, `or` and `call` are evaluated by the executor itself.
"""

from __future__ import annotations

from typing import Any

from steersman.golang.fmt import go_sprint, go_sprintf, go_sprintln, type_name
from steersman.golang.gostr import byte_len, from_bytes, to_bytes
from steersman.golang.reflect import is_true, reflect_kind
from steersman.golang.types import (
    NO_VALUE,
    GoFunc,
    GoInt64,
    GoStringMap,
    GoUint64,
    TemplateFuncError,
)

_RV = "reflect.Value"


def _ind(v: Any) -> Any:
    """indirectInterface: a nil interface becomes the invalid value."""
    return NO_VALUE if v is None else v


def _basic_kind(v: Any) -> str:
    t = type(v)
    if t is str:
        return "string"
    if t is int or t is GoInt64 or t is GoUint64:
        return "int"  # Go compares signed and unsigned integers by value
    if t is float:
        return "float"
    if t is bool:
        return "bool"
    if t is complex:
        return "complex"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    return ""


def _is_nil(v: Any) -> bool:
    return v is NO_VALUE or v is None


def _comparable(v: Any) -> bool:
    return not isinstance(v, list | tuple | dict | bytes)


def eq(arg1: Any, *arg2: Any) -> bool:
    a1 = _ind(arg1)
    if not arg2:
        raise TemplateFuncError("missing argument for comparison")
    k1 = _basic_kind(a1)
    for arg in arg2:
        a = _ind(arg)
        k2 = _basic_kind(a)
        truth = False
        if k1 != k2:
            if a1 is not NO_VALUE and a is not NO_VALUE:
                raise TemplateFuncError(
                    f"incompatible types for comparison: {type_name(a1)} and {type_name(a)}"
                )
        elif k1:
            truth = a1 == a
        else:
            rk1, rk2 = reflect_kind(a1), reflect_kind(a)
            if rk1 != rk2 and rk1 != "invalid" and rk2 != "invalid":
                raise TemplateFuncError(
                    go_sprintf(
                        "non-comparable types %s: %v, %s: %v", a1, type_name(a1), type_name(a), a
                    )
                )
            if _is_nil(a1) or _is_nil(a):
                truth = _is_nil(a) == _is_nil(a1)
            else:
                if not _comparable(a):
                    raise TemplateFuncError(
                        go_sprintf("non-comparable type %s: %v", a, type_name(a))
                    )
                truth = a1 is a or (type(a1) is type(a) and a1 == a)
        if truth:
            return True
    return False


def ne(arg1: Any, arg2: Any) -> bool:
    return not eq(arg1, arg2)


def lt(arg1: Any, arg2: Any) -> bool:
    a1 = _ind(arg1)
    k1 = _basic_kind(a1)
    if not k1:
        raise TemplateFuncError("invalid type for comparison")
    a2 = _ind(arg2)
    k2 = _basic_kind(a2)
    if not k2:
        raise TemplateFuncError("invalid type for comparison")
    if k1 != k2:
        raise TemplateFuncError(
            f"incompatible types for comparison: {type_name(a1)} and {type_name(a2)}"
        )
    if k1 == "bool" or k1 == "complex":
        raise TemplateFuncError("invalid type for comparison")
    if k1 == "string":
        # Go compares strings bytewise; code-point order is the same as UTF-8 byte order.
        return a1 < a2  # type: ignore[no-any-return]
    return a1 < a2  # type: ignore[no-any-return]


def le(arg1: Any, arg2: Any) -> bool:
    return lt(arg1, arg2) or eq(arg1, arg2)


def gt(arg1: Any, arg2: Any) -> bool:
    return not le(arg1, arg2)


def ge(arg1: Any, arg2: Any) -> bool:
    return not lt(arg1, arg2)


def length(item: Any) -> int:
    if item is None:
        raise TemplateFuncError("len of nil pointer")
    if item is NO_VALUE:
        raise TemplateFuncError("reflect: call of reflect.Value.Type on zero Value")
    if isinstance(item, str):
        return byte_len(item)
    if isinstance(item, list | tuple | dict | bytes):
        return len(item)
    raise TemplateFuncError(f"len of type {type_name(item).removeprefix('*')}")


def _index_arg(index: Any, cap: int) -> int:
    if isinstance(index, int) and not isinstance(index, bool):
        x = int(index)
    elif index is NO_VALUE:
        raise TemplateFuncError("cannot index slice/array with nil")
    else:
        raise TemplateFuncError(f"cannot index slice/array with type {type_name(index)}")
    if x < 0 or x > cap:
        raise TemplateFuncError(f"index out of range: {x}")
    return x


def index(item: Any, *indexes: Any) -> Any:
    item = _ind(item)
    if item is NO_VALUE:
        raise TemplateFuncError("index of untyped nil")
    for idx in indexes:
        idx = _ind(idx)
        if item is None:
            raise TemplateFuncError("index of nil pointer")
        if isinstance(item, str):
            data = to_bytes(item)
            x = _index_arg(idx, len(data))
            if x == len(data):
                raise TemplateFuncError("reflect: string index out of range")
            item = data[x]
        elif isinstance(item, list | tuple | bytes):
            x = _index_arg(idx, len(item))
            if x == len(item):
                raise TemplateFuncError("reflect: slice index out of range")
            item = item[x]
        elif isinstance(item, dict):
            if idx is NO_VALUE:
                raise TemplateFuncError("value is nil; should be of type string")
            if not isinstance(idx, str):
                raise TemplateFuncError(f"value has type {type_name(idx)}; should be string")
            zero = "" if isinstance(item, GoStringMap) else None
            item = item.get(idx, zero)
        else:
            elem_type = type_name(item).removeprefix("*")  # index dereferences pointers
            raise TemplateFuncError(f"can't index item of type {elem_type}")
    return item


def slice_(item: Any, *indexes: Any) -> Any:
    item = _ind(item)
    if item is NO_VALUE:
        raise TemplateFuncError("slice of untyped nil")
    if len(indexes) > 3:
        raise TemplateFuncError(f"too many slice indexes: {len(indexes)}")
    data: Any
    if isinstance(item, str):
        if len(indexes) == 3:
            raise TemplateFuncError("cannot 3-index slice a string")
        data = item if item.isascii() else to_bytes(item)
    elif isinstance(item, list | tuple | bytes):
        data = item
    else:
        raise TemplateFuncError(f"can't slice item of type {type_name(item)}")
    cap = len(data)
    idx = [0, cap, cap]
    for i, index_ in enumerate(indexes):
        idx[i] = _index_arg(_ind(index_), cap)
    if idx[0] > idx[1]:
        raise TemplateFuncError(f"invalid slice index: {idx[0]} > {idx[1]}")
    if len(indexes) == 3 and idx[1] > idx[2]:
        raise TemplateFuncError(f"invalid slice index: {idx[1]} > {idx[2]}")
    part = data[idx[0] : idx[1]]
    if isinstance(item, str):
        return part if isinstance(part, str) else from_bytes(part)
    if type(item) is tuple:
        return list(part)
    if type(part) is not type(item):
        return type(item)(part)
    return part


def not_(arg: Any) -> bool:
    return not is_true(arg)


def _eval_args(args: tuple[Any, ...]) -> str:
    if len(args) == 1 and isinstance(args[0], str):
        return args[0]
    return go_sprint(*("<no value>" if a is None or a is NO_VALUE else a for a in args))


def html_escaper(*args: Any) -> str:
    s = _eval_args(args)
    if not any(c in s for c in "'\"&<>\0"):
        return s
    return (
        s.replace("&", "&amp;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\0", "\ufffd")
    )


_JS_ESCAPES = {
    "\\": "\\\\",
    "'": "\\'",
    '"': '\\"',
    "<": "\\u003C",
    ">": "\\u003E",
    "&": "\\u0026",
    "=": "\\u003D",
}


def js_escaper(*args: Any) -> str:
    s = _eval_args(args)
    out: list[str] = []
    for c in s:
        esc = _JS_ESCAPES.get(c)
        if esc is not None:
            out.append(esc)
        elif c < " ":
            out.append(f"\\u00{ord(c):02X}")
        elif ord(c) >= 0x80 and not c.isprintable() and not 0xDC80 <= ord(c) <= 0xDCFF:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return "".join(out)


_URL_SAFE = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~")


def urlquery_escaper(*args: Any) -> str:
    out: list[str] = []
    for b in to_bytes(_eval_args(args)):
        if b in _URL_SAFE:
            out.append(chr(b))
        elif b == 0x20:
            out.append("+")
        else:
            out.append(f"%{b:02X}")
    return "".join(out)


def _unreachable(*args: Any) -> Any:
    raise TemplateFuncError("unreachable")


BUILTINS: dict[str, GoFunc] = {
    "and": GoFunc(_unreachable, (_RV,), _RV, _RV),
    "or": GoFunc(_unreachable, (_RV,), _RV, _RV),
    "call": GoFunc(_unreachable, (_RV,), _RV, _RV, True),
    "not": GoFunc(not_, (_RV,), None, "bool"),
    "eq": GoFunc(eq, (_RV,), _RV, "bool", True),
    "ne": GoFunc(ne, (_RV, _RV), None, "bool", True),
    "lt": GoFunc(lt, (_RV, _RV), None, "bool", True),
    "le": GoFunc(le, (_RV, _RV), None, "bool", True),
    "gt": GoFunc(gt, (_RV, _RV), None, "bool", True),
    "ge": GoFunc(ge, (_RV, _RV), None, "bool", True),
    "len": GoFunc(length, (_RV,), None, "int", True),
    "index": GoFunc(index, (_RV,), _RV, _RV, True),
    "slice": GoFunc(slice_, (_RV,), _RV, _RV, True),
    "print": GoFunc(go_sprint, (), "interface {}", "string"),
    "printf": GoFunc(go_sprintf, ("string",), "interface {}", "string"),
    "println": GoFunc(go_sprintln, (), "interface {}", "string"),
    "html": GoFunc(html_escaper, (), "interface {}", "string"),
    "js": GoFunc(js_escaper, (), "interface {}", "string"),
    "urlquery": GoFunc(urlquery_escaper, (), "interface {}", "string"),
}


def call_function(callee: str, fn: Any, args: tuple[Any, ...]) -> Any:
    """The `call` builtin: check `fn`'s signature against `args` like Go's call/prepareArg."""
    fn = _ind(fn)
    if fn is NO_VALUE:
        raise TemplateFuncError("call of nil")
    if not isinstance(fn, GoFunc):
        raise TemplateFuncError(f"non-function {callee} of type {type_name(fn)}")
    n_in = len(fn.params)
    if fn.variadic is not None:
        if len(args) < n_in:
            raise TemplateFuncError(
                f"wrong number of args for {callee}: got {len(args)} want at least {n_in}"
            )
    elif len(args) != n_in:
        raise TemplateFuncError(f"wrong number of args for {callee}: got {len(args)} want {n_in}")
    from steersman.golang.reflect import assignable, can_be_nil

    argv: list[Any] = []
    for i, arg in enumerate(args):
        arg = _ind(arg)
        ptype = fn.params[i] if i < n_in else (fn.variadic or "interface {}")
        if arg is NO_VALUE:
            if not can_be_nil(ptype):
                raise TemplateFuncError(f"arg {i}: value is nil; should be of type {ptype}")
            argv.append(NO_VALUE if ptype == _RV else None)
            continue
        if assignable(arg, ptype):
            argv.append(arg)
        elif isinstance(arg, int) and not isinstance(arg, bool) and ptype in ("int", "int64"):
            argv.append(GoInt64(arg) if ptype == "int64" else int(arg))
        else:
            raise TemplateFuncError(f"arg {i}: value has type {type_name(arg)}; should be {ptype}")
    return fn.fn(*argv)


__all__ = ["BUILTINS", "call_function"]
