"""Sprig dict functions (dict.go) with dario.cat/mergo v1.0.1 merge rules and copystructure.

`set`, `unset`, `merge` and `mergeOverwrite` mutate their first argument in place, and merged
sub-maps are shared (aliased) with the source, exactly as in Go, because charts rely on it.
`keys`/`values` iterate a Go map, whose order is random; we use sorted key order so renders are
stable (charts pipe `keys` through `sortAlpha` anyway).
"""

from __future__ import annotations

from typing import Any

from steersman.golang.fmt import type_name
from steersman.golang.types import (
    NO_VALUE,
    GoFunc,
    GoNamedMap,
    GoStringSlice,
    GoStruct,
    TemplateFuncError,
)

from ._text import strval
from ._values import empty, is_nil


def _map(d: Any) -> dict[str, Any]:
    return {} if is_nil(d) else d  # a nil map argument reads as empty


# --- a named map returned as map[string]interface {} ----------------------------------------
#
# `set .Values "k" 1` returns .Values itself, but typed as the function's map[string]interface {}
# result: Go sees one map under two types. Python cannot give one dict two classes, so the
# unnamed side is a twin dict kept identical by every Sprig mutator (templates can change maps
# only through Sprig), and nested maps are the very same objects in both.

_TWIN = "_sprig_unnamed_twin"


class UnnamedMap(GoNamedMap):
    """A named map (e.g. common.Values) as a map[string]interface {}: no methods, and
    kept in step with the named map it came from."""


def as_unnamed_map(d: Any) -> Any:
    """`d` as a Go map[string]interface {} result."""
    if type(d) is dict or type(d) is UnnamedMap or not isinstance(d, GoNamedMap):
        return d
    twin = getattr(d, _TWIN, None)
    if twin is None:
        twin = UnnamedMap(d)
        setattr(d, _TWIN, twin)
        setattr(twin, _TWIN, d)
    return twin


def _twin(d: dict[str, Any]) -> dict[str, Any] | None:
    return None if type(d) is dict else getattr(d, _TWIN, None)


def _sync(d: dict[str, Any]) -> None:
    """After a mutation of `d`, make its twin (if any) hold the same entries again."""
    twin = _twin(d)
    if twin is not None:
        twin.clear()
        twin.update(d)


def dict_(*v: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for i in range(0, len(v), 2):
        out[strval(v[i])] = v[i + 1] if i + 1 < len(v) else ""
    return out


def get(d: Any, key: str) -> Any:
    return _map(d).get(key, "")


def set_(d: Any, key: str, value: Any) -> Any:
    if is_nil(d):
        raise TemplateFuncError("assignment to entry in nil map")
    d[key] = value
    twin = _twin(d)
    if twin is not None:
        twin[key] = value
    return as_unnamed_map(d)


def unset(d: Any, key: str) -> Any:
    if is_nil(d):
        return {}
    d.pop(key, None)
    twin = _twin(d)
    if twin is not None:
        twin.pop(key, None)
    return as_unnamed_map(d)


def pluck(key: str, *dicts: Any) -> list[Any]:
    return [d[key] for d in dicts if not is_nil(d) and key in d]


def _sorted_keys(d: dict[str, Any]) -> list[str]:
    return sorted(d, key=lambda k: k.encode("utf-8", "surrogatepass"))


def keys(*dicts: Any) -> GoStringSlice:
    out = GoStringSlice()
    for d in dicts:
        if not is_nil(d):
            out.extend(_sorted_keys(d))
    return out


def values(d: Any) -> list[Any]:
    d = _map(d)
    return [d[k] for k in _sorted_keys(d)]


def pick(d: Any, *names: str) -> dict[str, Any]:
    d = _map(d)
    return {k: d[k] for k in names if k in d}


def omit(d: Any, *names: str) -> dict[str, Any]:
    drop = set(names)
    return {k: v for k, v in _map(d).items() if k not in drop}


# --- mergo -------------------------------------------------------------------------------


def _is_map(v: Any) -> bool:
    return isinstance(v, dict)


def _merge_map(dst: dict[str, Any], src: dict[str, Any], overwrite: bool) -> None:
    """mergo's deepMerge for two map[string]interface{} values (keys walked in src order)."""
    for key, s in src.items():
        present = key in dst
        d = dst.get(key)
        if is_nil(s):
            if overwrite:
                dst[key] = None
            continue
        is_slice = isinstance(s, list | tuple | bytes)
        if _is_map(s) and isinstance(d, dict):
            _merge_map(d, s, overwrite)
        elif is_slice and (overwrite or len(dst) == 0 or not present or is_nil(d)):
            # mergo stores the slice (or keeps dst's) before the generic rule below.
            dst[key] = s
        if present and not empty(d):
            if isinstance(s, list | tuple | bytes):
                continue
            if _is_map(s) and _is_map(d):
                continue
        if overwrite or not present or empty(d):
            dst[key] = s
    if type(dst) is not dict:
        _sync(dst)


def _merge_all(dst: Any, srcs: tuple[Any, ...], overwrite: bool) -> dict[str, Any]:
    out = _map(dst)
    for src in srcs:
        if not is_nil(src):
            _merge_map(out, src, overwrite)
    return as_unnamed_map(out)  # type: ignore[no-any-return]


def merge(dst: Any, *srcs: Any) -> Any:
    return _merge_all(dst, srcs, overwrite=False)


def merge_overwrite(dst: Any, *srcs: Any) -> Any:
    return _merge_all(dst, srcs, overwrite=True)


# --- copystructure and dig -------------------------------------------------------------------


def deep_copy(v: Any) -> Any:
    """copystructure.Copy: new maps and slices of the same Go types, scalars shared.

    Only a nil argument itself fails (reflect on the zero Value); nil elements copy as nil.
    """
    if is_nil(v):
        raise TemplateFuncError("reflect: call of reflect.Value.Type on zero Value")
    return _copy(v)


def _copy(v: Any) -> Any:
    if isinstance(v, dict):
        out = type(v)()
        for k, x in v.items():
            out[k] = _copy(x)
        return out
    if isinstance(v, list):
        return type(v)(_copy(x) for x in v)
    if isinstance(v, tuple):
        return [_copy(x) for x in v]
    if isinstance(v, GoStruct):
        # Structs with unexported state (semver.Version) copy differently: they say how.
        copier = getattr(v, "go_deep_copy", None)
        if copier is not None:
            return copier()
    return v


def _assert_map(v: Any) -> dict[str, Any]:
    # A Go type assertion to exactly map[string]interface{}: named maps and nil fail.
    if type(v) is dict or type(v) is UnnamedMap:
        return v
    raise TemplateFuncError(
        f"interface conversion: interface {{}} is {_held_type(v)}, not map[string]interface {{}}"
    )


def _held_type(v: Any) -> str:
    # A failed type assertion names a nil interface "nil", where %T would print "<nil>".
    return "nil" if v is None or v is NO_VALUE else type_name(v)


def dig(*ps: Any) -> Any:
    if len(ps) < 3:
        raise TemplateFuncError("dig needs at least three arguments")
    d = _assert_map(ps[-1])
    default = ps[-2]
    path: list[str] = []
    for p in ps[:-2]:
        if not isinstance(p, str):
            raise TemplateFuncError(
                f"interface conversion: interface {{}} is {_held_type(p)}, not string"
            )
        path.append(p)
    for i, k in enumerate(path):
        if k not in d:
            return default
        step = d[k]
        if i == len(path) - 1:
            return step
        d = _assert_map(step)
    return default


def dict_funcs() -> dict[str, GoFunc]:
    m = "map[string]interface {}"
    return {
        "dict": GoFunc(dict_, (), "interface {}", m),
        "get": GoFunc(get, (m, "string"), result="interface {}"),
        "set": GoFunc(set_, (m, "string", "interface {}"), result=m),
        "unset": GoFunc(unset, (m, "string"), result=m),
        "hasKey": GoFunc(lambda d, k: not is_nil(d) and k in d, (m, "string"), result="bool"),
        "pluck": GoFunc(pluck, ("string",), m, "[]interface {}"),
        "keys": GoFunc(keys, (), m, "[]string"),
        "pick": GoFunc(pick, (m,), "string", m),
        "omit": GoFunc(omit, (m,), "string", m),
        "merge": GoFunc(merge, (m,), m, "interface {}"),
        "mergeOverwrite": GoFunc(merge_overwrite, (m,), m, "interface {}"),
        "mustMerge": GoFunc(merge, (m,), m, "interface {}", can_error=True),
        "mustMergeOverwrite": GoFunc(merge_overwrite, (m,), m, "interface {}", can_error=True),
        "values": GoFunc(values, (m,), result="[]interface {}"),
        "deepCopy": GoFunc(deep_copy, ("interface {}",), result="interface {}"),
        "mustDeepCopy": GoFunc(deep_copy, ("interface {}",), result="interface {}", can_error=True),
        "dig": GoFunc(dig, (), "interface {}", "interface {}", can_error=True),
    }
