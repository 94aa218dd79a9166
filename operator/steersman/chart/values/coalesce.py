"""Values: user value sources merged in Helm's order, and coalescing with chart defaults.

`merge_user_values` is pkg/cli/values Options.MergeValues: -f files (each may hold several YAML
documents), then --set-json, --set, --set-string, --set-file, --set-literal, each category in
its own order whatever the command line order. `coalesce_values` is CoalesceValues: user values
over chart defaults (a user null deletes a default, maps merge, lists and scalars replace),
subchart sections scoped by name, and `global` copied down into every subchart.
The Go code mutates and shares maps in particular ways (globals are copied one level deep);
this module performs the same operations in the same order so that the quirks carry over.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from steersman.chart.helmlog import printf
from steersman.chart.loader import load_values, merge_maps
from steersman.chart.model import Chart, ChartError
from steersman.chart.values import strvals
from steersman.errors import SteersmanError
from steersman.golang import osfile
from steersman.golang.fmt import go_sprintf
from steersman.golang.jsonout import JSONError, unmarshal
from steersman.golang.osfile import errno_text

log = logging.getLogger(__name__)

GLOBAL_KEY = "global"

Values = dict[str, Any]


class ValuesError(SteersmanError, ValueError):
    """User values that Helm would refuse; the message is Helm's."""


@dataclass
class ValueOptions:
    """The value flags of helm install/upgrade/template."""

    value_files: list[str] = field(default_factory=list)  # -f/--values
    values: list[str] = field(default_factory=list)  # --set
    string_values: list[str] = field(default_factory=list)  # --set-string
    file_values: list[str] = field(default_factory=list)  # --set-file
    json_values: list[str] = field(default_factory=list)  # --set-json
    literal_values: list[str] = field(default_factory=list)  # --set-literal


class ValueSourceError(SteersmanError):
    """A -f or --set-file source that could not be read; the text is helm's whole error."""


def read_local_file(path: str) -> bytes:
    """os.ReadFile, with its error text (`open P: ...`, `read DIR: is a directory`)."""
    try:
        return osfile.read_file(path)
    except osfile.PathError as exc:
        raise ValueSourceError(str(exc)) from None


def merge_user_values(
    opts: ValueOptions,
    read_file: Callable[[str], bytes] = read_local_file,
    helm_major: int = 4,
) -> Values:
    """Helm's MergeValues. `read_file` fetches -f and --set-file sources (blocking I/O),
    raising ValueSourceError.

    helm_major 3 follows Helm v3: -f files hold one YAML document, --set-json has no
    whole-object form, and an unterminated `[` index is an error.
    """
    base: Values = {}
    v3 = helm_major < 4
    for path in opts.value_files:
        try:
            raw = read_file(path)
        except ValueSourceError as exc:
            raise ValuesError(str(exc)) from None
        except OSError as exc:  # a caller's own reader
            raise ValuesError(f"open {path}: {errno_text(exc)}") from None
        try:
            current = load_values(raw, helm_major)
        except ChartError as exc:
            raise ValuesError(f"failed to parse {path}: {exc}") from None
        base = merge_maps(base, current)
    for value in opts.json_values:
        trimmed = value.strip()
        if trimmed.startswith("{") and not v3:
            try:
                parsed = unmarshal(trimmed)
            except JSONError:
                parsed = None
            if not isinstance(parsed, dict):
                raise ValuesError(f"failed parsing --set-json data JSON: {value}")
            base = merge_maps(base, parsed)
        else:
            try:
                strvals.parse_json(value, base, helm_major)
            except strvals.StrvalsError:
                raise ValuesError(f"failed parsing --set-json data {value}") from None
    _apply(opts.values, lambda v: strvals.parse_into(v, base, helm_major), "--set")
    _apply(
        opts.string_values,
        lambda v: strvals.parse_into_string(v, base, helm_major),
        "--set-string",
    )

    def file_reader(path: str) -> Any:
        try:
            return read_file(path).decode("utf-8", "surrogateescape")
        except ValueSourceError as exc:
            raise strvals.StrvalsError(str(exc)) from None
        except OSError as exc:
            raise strvals.StrvalsError(f"open {path}: {errno_text(exc)}") from None

    _apply(
        opts.file_values,
        lambda v: strvals.parse_into_file(v, base, file_reader, helm_major),
        "--set-file",
    )
    _apply(
        opts.literal_values,
        lambda v: strvals.parse_literal_into(v, base, helm_major),
        "--set-literal",
    )
    return base


def _apply(items: Sequence[str], parse: Callable[[str], None], flag: str) -> None:
    for value in items:
        try:
            parse(value)
        except strvals.StrvalsError as exc:
            raise ValuesError(f"failed parsing {flag} data: {exc}") from None


# --- coalescing (pkg/chart/common/util/coalesce.go) -----------------------------------------


def deep_copy(v: Any) -> Any:
    """Copy the maps and lists of a values tree (scalars are immutable and shared)."""
    if isinstance(v, dict):
        return {k: deep_copy(x) if isinstance(x, (dict, list)) else x for k, x in v.items()}
    if isinstance(v, list):
        return [deep_copy(x) if isinstance(x, (dict, list)) else x for x in v]
    return v


def _concat(a: str, b: str) -> str:
    return b if not a else f"{a}.{b}"


def is_table(v: Any) -> bool:
    return isinstance(v, dict)


def coalesce_values(chart: Chart, user: Values | None) -> Values:
    """CoalesceValues: the values templates see (chart defaults under user values)."""
    return _coalesce(chart, deep_copy(user) if user else {}, "", merge=False)


def merge_values(chart: Chart, user: Values | None) -> Values:
    """MergeValues: like coalesce_values but nulls are kept rather than deleting keys."""
    return _coalesce(chart, deep_copy(user) if user else {}, "", merge=True)


def _coalesce(chart: Chart, dest: Values, prefix: str, merge: bool) -> Values:
    _coalesce_chart_values(chart, dest, prefix, merge)
    return _coalesce_deps(chart, dest, prefix, merge)


def _coalesce_deps(chart: Chart, dest: Values, prefix: str, merge: bool) -> Values:
    for sub in chart.dependencies:
        name = sub.name
        if name not in dest:
            dest[name] = {}
        elif not is_table(dest[name]):
            raise ValuesError(f"type mismatch on {name}: {go_sprintf('%t', dest[name])}")
        sub_values = dest[name]
        sub_prefix = _concat(prefix, chart.name)
        _coalesce_globals(sub_values, dest, sub_prefix)
        dest[name] = _coalesce(sub, sub_values, sub_prefix, merge)
    return dest


def _coalesce_globals(dest: Values, src: Values, prefix: str) -> None:
    if GLOBAL_KEY not in dest:
        dg: Values = {}
    elif is_table(dest[GLOBAL_KEY]):
        dg = dest[GLOBAL_KEY]
    else:
        printf(log, "warning: skipping globals because destination %s is not a table.", GLOBAL_KEY)
        return
    if GLOBAL_KEY not in src:
        sg: Values = {}
    elif is_table(src[GLOBAL_KEY]):
        sg = src[GLOBAL_KEY]
    else:
        printf(log, "warning: skipping globals because source %s is not a table.", GLOBAL_KEY)
        return
    for key, val in sg.items():
        if is_table(val):
            vv = dict(val)  # one level deep, as Go's copyMap: nested maps stay shared
            if key not in dg:
                dg[key] = vv
            elif not is_table(dg[key]):
                printf(log, "Conflict: cannot merge map onto non-map for %q. Skipping.", key)
            else:
                _coalesce_tables(vv, dg[key], _concat(prefix, key), merge=True)
                dg[key] = vv
        elif key in dg and is_table(dg[key]):
            printf(log, "key %s is table. Skipping", key)
        else:
            dg[key] = val
    dest[GLOBAL_KEY] = dg


def _child_chart_merge(chart: Chart, key: str, merge: bool) -> bool:
    return True if any(sub.name == key for sub in chart.dependencies) else merge


def _coalesce_chart_values(chart: Chart, v: Values, prefix: str, merge: bool) -> None:
    sub_prefix = _concat(prefix, chart.name)
    defaults = deep_copy(chart.values) if chart.values else {}
    for key, val in defaults.items():
        if key in v:
            value = v[key]
            if value is None and not merge:
                del v[key]
            elif is_table(value):
                if not is_table(val):
                    if val is not None:
                        printf(
                            log, "warning: skipped value for %s.%s: Not a table.", sub_prefix, key
                        )
                else:
                    _coalesce_tables(
                        value,
                        val,
                        _concat(sub_prefix, key),
                        _child_chart_merge(chart, key, merge),
                    )
        else:
            v[key] = val


def coalesce_tables(dst: Values | None, src: Values | None) -> Values | None:
    """CoalesceTables: dst authoritative, src fills in; nulls in dst delete src keys."""
    result: Values | None = _coalesce_tables(dst, src, "", merge=False)
    return result


def merge_tables(dst: Values | None, src: Values | None) -> Values | None:
    """MergeTables: like coalesce_tables but nulls are kept."""
    result: Values | None = _coalesce_tables(dst, src, "", merge=True)
    return result


def _coalesce_tables(dst: Any, src: Any, prefix: str, merge: bool) -> Any:
    if src is None:
        return dst
    if dst is None:
        return src
    src_non_nil = {k for k, v in src.items() if v is not None}
    for key, val in dst.items():
        if val is None:
            src[key] = None
    for key, val in src.items():
        full_key = _concat(prefix, key)
        present = key in dst
        dv = dst.get(key)
        if present and not merge and dv is None and key in src_non_nil:
            del dst[key]
        elif not present:
            dst[key] = val
        elif is_table(val):
            if is_table(dv):
                _coalesce_tables(dv, val, full_key, merge)
            else:
                printf(
                    log, "warning: cannot overwrite table with non table for %s (%v)", full_key, val
                )
        elif is_table(dv) and val is not None:
            printf(
                log,
                "warning: destination for %s is a table. Ignoring non-table value (%v)",
                full_key,
                val,
            )
    return dst


# --- lookups (pkg/chart/common/values.go) -----------------------------------------------------


class NoTableError(KeyError):
    pass


class NoValueError(KeyError):
    pass


def table(values: Values, name: str) -> Values:
    """Values.Table: the map at a dotted path; NoTableError when a step is missing."""
    current = values
    for part in name.split("."):
        nxt = current.get(part, _MISSING)
        if nxt is _MISSING or not is_table(nxt):
            raise NoTableError(part)
        current = nxt
    return current


def path_value(values: Values, path: str) -> Any:
    """Values.PathValue: the non-table value at a dotted path; NoValueError otherwise."""
    if not path:
        raise ValueError("YAML path cannot be empty")
    parts = path.split(".")
    key = parts[-1]
    try:
        holder = values if len(parts) == 1 else table(values, ".".join(parts[:-1]))
    except NoTableError:
        raise NoValueError(key) from None
    if key in holder and not is_table(holder[key]):
        return holder[key]
    raise NoValueError(key)


_MISSING: Any = object()


def subchart_values(parent_values: Values, name: str) -> Values:
    """The `.Values` of a subchart: its section of the parent's values, or {} (Helm's Table)."""
    try:
        return table(parent_values, name)
    except NoTableError:
        return {}
