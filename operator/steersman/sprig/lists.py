"""Sprig list functions (list.go) and their must* variants.

Every list function accepts any Go slice kind ([]interface{}, []string, []int, []byte) and,
except `slice`, returns a fresh []interface{}. A non-slice is the error `Cannot <op> on type
<kind>`; the plain variants panic with it, which text/template reports the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from steersman.golang.types import GoFunc, GoSliceOfSlices, TemplateFuncError

from ._values import deep_equal, empty, is_list_kind, is_nil, kind_of, require_list, to_int


def push(lst: Any, v: Any) -> list[Any]:
    return [*require_list(lst, "Cannot push on type"), v]


def prepend(lst: Any, v: Any) -> list[Any]:
    return [v, *require_list(lst, "Cannot prepend on type")]


def chunk(size: int, lst: Any) -> GoSliceOfSlices:
    """Sprig's chunk arithmetic, float division included: a size that makes the chunk count or
    a chunk length negative is Go's makeslice panic, others (even negative sizes) give a result.
    """
    items = require_list(lst, "Cannot chunk type")
    n = len(items)
    if size == 0:
        # float64 division by zero is ±Inf or NaN, and int() of those is MinInt64 on amd64.
        raise TemplateFuncError(_MAKESLICE)
    count = math.floor((n - 1) / size) + 1
    if count < 0:
        raise TemplateFuncError(_MAKESLICE)
    out = GoSliceOfSlices()
    for i in range(count):
        length = size
        if i == count - 1:
            length = int(math.fmod(n, size)) or size
        if length < 0:
            raise TemplateFuncError(_MAKESLICE)
        out.append(items[i * size : i * size + length])
    return out


_MAKESLICE = "runtime error: makeslice: len out of range"


def first(lst: Any) -> Any:
    items = require_list(lst, "Cannot find first on type")
    return items[0] if items else None


def last(lst: Any) -> Any:
    items = require_list(lst, "Cannot find last on type")
    return items[-1] if items else None


def rest(lst: Any) -> list[Any]:
    # An empty input gives Go's nil []interface{}, which prints and ranges like [].
    return require_list(lst, "Cannot find rest on type")[1:]


def initial(lst: Any) -> list[Any]:
    return require_list(lst, "Cannot find initial on type")[:-1]


def reverse(lst: Any) -> list[Any]:
    return require_list(lst, "Cannot find reverse on type")[::-1]


def compact(lst: Any) -> list[Any]:
    return [x for x in require_list(lst, "Cannot compact on type") if not empty(x)]


def _contains(haystack: list[Any], needle: Any) -> bool:
    return any(deep_equal(needle, h) for h in haystack)


def uniq(lst: Any) -> list[Any]:
    out: list[Any] = []
    for x in require_list(lst, "Cannot find uniq on type"):
        if not _contains(out, x):
            out.append(x)
    return out


def without(lst: Any, *omit: Any) -> list[Any]:
    drop = list(omit)
    return [x for x in require_list(lst, "Cannot find without on type") if not _contains(drop, x)]


def has(needle: Any, haystack: Any) -> bool:
    if is_nil(haystack):
        return False
    return _contains(require_list(haystack, "Cannot find has on type"), needle)


def slice_(lst: Any, *indices: Any) -> Any:
    """`slice list [start [end]]`: keeps the input's slice type; an empty input gives nil."""
    if is_nil(lst) or not is_list_kind(lst):
        require_list(lst, "list should be type of slice or array but")
    n = len(lst)
    if n == 0:
        return None
    start = to_int(indices[0]) if indices else 0
    end = to_int(indices[1]) if len(indices) >= 2 else n
    if start < 0 or end < start or end > n:
        raise TemplateFuncError("reflect.Value.Slice: slice index out of bounds")
    part = lst[start:end]
    if isinstance(lst, bytes):
        return part
    return type(lst)(part) if type(lst) is not tuple else list(part)


def concat(*lists: Any) -> list[Any]:
    out: list[Any] = []
    for lst in lists:
        if is_nil(lst):
            require_list(lst, "")
        if not is_list_kind(lst):
            raise TemplateFuncError(f"Cannot concat type {kind_of(lst)} as list")
        out.extend(require_list(lst, ""))
    return out


def _pair(
    name: str,
    fn: Callable[..., Any],
    params: tuple[str, ...],
    result: str,
    variadic: str | None = None,
) -> dict[str, GoFunc]:
    """The panicking function and its must* twin (same body, reported as an error)."""
    must = "must" + name[0].upper() + name[1:]
    return {
        name: GoFunc(fn, params, variadic, result),
        must: GoFunc(fn, params, variadic, result, can_error=True),
    }


def list_funcs() -> dict[str, GoFunc]:
    any1 = ("interface {}",)
    any2 = ("interface {}", "interface {}")
    lst = "[]interface {}"
    funcs: dict[str, GoFunc] = {
        "list": GoFunc(lambda *v: list(v), (), "interface {}", lst),
        "tuple": GoFunc(lambda *v: list(v), (), "interface {}", lst),
        "append": GoFunc(push, any2, result=lst),
        "push": GoFunc(push, any2, result=lst),
        "mustAppend": GoFunc(push, any2, result=lst, can_error=True),
        "mustPush": GoFunc(push, any2, result=lst, can_error=True),
        "concat": GoFunc(concat, (), "interface {}", "interface {}"),
    }
    funcs |= _pair("prepend", prepend, any2, lst)
    funcs |= _pair("first", first, any1, "interface {}")
    funcs |= _pair("last", last, any1, "interface {}")
    funcs |= _pair("rest", rest, any1, lst)
    funcs |= _pair("initial", initial, any1, lst)
    funcs |= _pair("reverse", reverse, any1, lst)
    funcs |= _pair("uniq", uniq, any1, lst)
    funcs |= _pair("compact", compact, any1, lst)
    funcs |= _pair("without", without, any1, lst, "interface {}")
    funcs |= _pair("has", has, any2, "bool")
    funcs |= _pair("slice", slice_, any1, "interface {}", "interface {}")
    funcs |= _pair("chunk", chunk, ("int", "interface {}"), "[][]interface {}")
    return funcs
