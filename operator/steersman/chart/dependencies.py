"""Dependency processing before rendering: aliases, tags, conditions, import-values.

Helm v4's ProcessDependencies (pkg/chart/v2/util/dependencies.go), done the same way:

- every Chart.yaml dependency is matched to a loaded subchart by name and semver range; an
  aliased one becomes a copy of that subchart renamed to the alias;
- `tags`: a dependency is disabled when one of its tags is false and none is true;
- `condition`: comma-separated value paths (relative to the chart's place in the tree); the
  first that holds a bool decides;
- disabled subcharts are dropped (with their templates, values sections and CRDs);
- `import-values`: `name` imports `exports.name` of the child into the parent's root,
  `{child: a.b, parent: x.y}` imports a table; imported values rank below the parent's own.

These functions mutate the chart tree (as Helm does on the chart it just loaded), so render a
`copy_chart` of a cached chart.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

from steersman.chart.helmlog import warn
from steersman.chart.model import Chart, Dependency, Metadata
from steersman.chart.values.coalesce import (
    NoTableError,
    NoValueError,
    Values,
    coalesce_values,
    deep_copy,
    merge_tables,
    merge_values,
    path_value,
    table,
)
from steersman.golang.fmt import format_value, go_quote
from steersman.golang.semver import Constraints, SemverError, Version

log = logging.getLogger(__name__)


def is_compatible_range(constraint: str, version: str) -> bool:
    """Helm's IsCompatibleRange: version satisfies the semver constraint (False on errors)."""
    try:
        v = Version.parse(version)
        return Constraints.parse(constraint).check(v)
    except SemverError:
        return False


def _copy_metadata(md: Metadata) -> Metadata:
    deps = [replace(d) if d is not None else None for d in md.dependencies]
    return replace(md, dependencies=deps)


def copy_chart(chart: Chart) -> Chart:
    """A copy whose metadata, values and subchart tree can be mutated; file bytes are shared."""
    out = replace(
        chart,
        metadata=_copy_metadata(chart.metadata),
        values=deep_copy(chart.values) if chart.values is not None else None,
        templates=list(chart.templates),
        files=list(chart.files),
        dependencies=[],
        parent=None,
    )
    out.set_dependencies([copy_chart(sub) for sub in chart.dependencies])
    return out


def _alias_dependency(charts: list[Chart], dep: Dependency) -> Chart | None:
    for c in charts:
        if c.name != dep.name or not is_compatible_range(dep.version, c.metadata.version):
            continue
        out = replace(c, metadata=_copy_metadata(c.metadata), dependencies=[], parent=None)
        out.set_dependencies([replace(sub) for sub in c.dependencies])
        if dep.alias:
            out.metadata.name = dep.alias
        return out
    return None


def _process_tags(reqs: list[Dependency], cvals: Values) -> None:
    try:
        tags = table(cvals, "tags")
    except NoTableError:
        return
    for r in reqs:
        has_true = has_false = False
        for k in r.tags:
            if k in tags:
                b = tags[k]
                if isinstance(b, bool):
                    has_true, has_false = has_true or b, has_false or not b
                else:
                    warn(log, "returned non-bool value", ("tag", k), ("chart", r.name))
        if not has_true and has_false:
            r.enabled = False
        else:
            r.enabled = True


def _process_conditions(reqs: list[Dependency], cvals: Values, cpath: str) -> None:
    for r in reqs:
        for cond in r.condition.strip().split(","):
            if not cond:
                continue
            try:
                value = path_value(cvals, cpath + cond)
            except NoValueError:
                continue
            if isinstance(value, bool):
                r.enabled = value
                break
            warn(log, "returned non-bool value", ("path", cond), ("chart", r.name))


def _process_enabled(chart: Chart, values: Values, path: str) -> None:
    reqs = [r for r in chart.metadata.dependencies if r is not None]
    if not chart.metadata.dependencies and not chart.metadata.dependencies_declared:
        return
    kept: list[Chart] = [
        existing
        for existing in chart.dependencies
        if not any(
            existing.name == req.name
            and is_compatible_range(req.version, existing.metadata.version)
            for req in reqs
        )
    ]
    for req in reqs:
        aliased = _alias_dependency(chart.dependencies, req)
        if aliased is not None:
            kept.append(aliased)
        if req.alias:
            req.name = req.alias
    chart.set_dependencies(kept)
    for req in reqs:
        req.enabled = True
    cvals = coalesce_values(chart, values)
    _process_tags(reqs, cvals)
    _process_conditions(reqs, cvals, path)
    disabled = {r.name for r in reqs if not r.enabled}
    remaining = [c for c in chart.dependencies if c.metadata.name not in disabled]
    remaining_reqs = [r for r in chart.metadata.dependencies if r is None or r.name not in disabled]
    for sub in remaining:
        _process_enabled(sub, cvals, path + sub.metadata.name + ".")
    chart.metadata.dependencies = remaining_reqs
    # Go rebuilds the slice with append(nil, ...): an empty result is nil again.
    chart.metadata.dependencies_declared = bool(remaining_reqs)
    chart.set_dependencies(remaining)


def _path_to_map(path: str, data: Values) -> Values:
    if path == ".":
        return data
    out: Values = data
    for part in reversed(path.split(".")):
        out = {part: out}
    return out


def _process_import_values(chart: Chart) -> None:
    if not chart.metadata.dependencies:
        return
    cvals = merge_values(chart, None)
    imported: Values = {}
    for r in chart.metadata.dependencies:
        if r is None:
            continue
        converted: list[Any] = []
        for iv in r.import_values:
            if isinstance(iv, dict):
                child, parent = format_value(iv.get("child")), format_value(iv.get("parent"))
                converted.append({"child": child, "parent": parent})
                try:
                    vv = table(cvals, f"{r.name}.{child}")
                except NoTableError as exc:
                    warn(
                        log,
                        "ImportValues missing table from chart",
                        ("chart", r.name),
                        ("error", _no_table_text(exc)),
                    )
                    continue
                imported = merge_tables(imported, _path_to_map(parent, vv)) or {}
            elif isinstance(iv, str):
                child = "exports." + iv
                converted.append({"child": child, "parent": "."})
                try:
                    vm = table(cvals, f"{r.name}.{child}")
                except NoTableError as exc:
                    warn(log, "ImportValues missing table", ("error", _no_table_text(exc)))
                    continue
                imported = merge_tables(imported, vm) or {}
        r.import_values = converted
    chart.values = merge_tables(deep_copy(cvals), imported)


def _process_import_values_tree(chart: Chart) -> None:
    for sub in chart.dependencies:
        _process_import_values_tree(sub)
    _process_import_values(chart)


def process_dependencies(chart: Chart, user_values: Values) -> None:
    """Helm v4's ProcessDependencies: enable/disable subcharts, then import values (in place)."""
    _process_enabled(chart, user_values, "")
    _process_import_values_tree(chart)


def _no_table_text(exc: NoTableError) -> str:
    """common.ErrNoTable's text."""
    return f"{go_quote(str(exc.args[0]))} is not a table"
