"""Go's text/template in pure Python, modelling Go's types so output bytes match Go's.

Usage mirrors Go's template set (`template.New("gotpl").Funcs(f).Option("missingkey=zero")`):

    ts = TemplateSet(funcs)
    ts.parse("chart/templates/a.yaml", text)      # also registers its {{define}}s
    out = ts.execute("chart/templates/a.yaml", data)

Functions that need the set while executing (Helm's include/tpl) are GoFuncs closing over the
TemplateSet; they may call `execute` (re-entrant) or `clone()` + `parse` + `execute`.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Mapping
from typing import Any

from steersman.golang.types import NO_VALUE, GoFunc

from . import parsecache
from .builtins import BUILTINS
from .errors import TemplateError, TemplateExecError, TemplateParseError
from .executor import MAX_EXEC_DEPTH, ExecState, run_tree
from .nodes import is_empty_tree
from .parser import Tree, parse_detailed

# Go allows 10000 nested parentheses and deep {{template}} recursion; the recursive-descent
# parser and the executor need several Python frames per level. Python frames of pure-Python
# calls live on the heap (CPython >= 3.11), so a higher limit costs only memory when used.
_RECURSION_LIMIT = 60000


def _ensure_recursion_limit() -> None:
    if sys.getrecursionlimit() < _RECURSION_LIMIT:
        sys.setrecursionlimit(_RECURSION_LIMIT)


_MISSINGKEY_MODES = {"zero": "zero", "error": "error", "default": "invalid", "invalid": "invalid"}
_CACHE_MAX = 4096
_parse_cache: dict[tuple[str, str, str, str, frozenset[str]], dict[str, Tree]] = {}
_parse_cache_lock = threading.Lock()


def clear_parse_cache() -> None:
    """Forget every parse cached in this process (benchmarks use it to measure cold parsing;
    the disk cache, parsecache, is switched off or redirected by environment variables)."""
    with _parse_cache_lock:
        _parse_cache.clear()


def _parse_cached(
    name: str, text: str, delims: tuple[str, str], func_names: frozenset[str]
) -> dict[str, Tree]:
    key = (name, text, delims[0], delims[1], func_names)
    trees = _parse_cache.get(key)
    if trees is None:
        disk_key, trees = parsecache.load(name, text, delims, func_names)
        if trees is None:
            with parsecache.gc_paused():
                result = parse_detailed(name, text, func_names, delims[0], delims[1])
            trees = result.trees
            if disk_key is not None:
                parsecache.store(disk_key, name, result)
        with _parse_cache_lock:  # renders may run in several threads
            if len(_parse_cache) >= _CACHE_MAX:
                del _parse_cache[next(iter(_parse_cache))]
            _parse_cache[key] = trees
    return trees


class TemplateSet:
    """A set of named templates sharing functions and options (Go's *template.Template)."""

    def __init__(
        self,
        funcs: Mapping[str, GoFunc] | None = None,
        *,
        missingkey: str = "zero",
        delims: tuple[str, str] = ("{{", "}}"),
        name: str = "gotpl",
    ) -> None:
        if missingkey not in _MISSINGKEY_MODES:
            raise ValueError(f"unrecognized option: missingkey={missingkey}")
        self._funcs: dict[str, GoFunc] = dict(funcs or {})
        self._func_names = frozenset(BUILTINS) | frozenset(self._funcs)
        self._missingkey = _MISSINGKEY_MODES[missingkey]
        self._delims = (delims[0] or "{{", delims[1] or "}}")
        self._name = name
        self._templates: dict[str, Tree] = {}
        self._executing: list[str] = []

    @property
    def name(self) -> str:
        return self._name

    def add_funcs(self, funcs: Mapping[str, GoFunc]) -> None:
        """Add or replace functions (Go's Funcs); affects templates parsed afterwards."""
        self._funcs = {**self._funcs, **funcs}  # a new dict: call sites cache lookups per map
        self._func_names = frozenset(BUILTINS) | frozenset(self._funcs)

    def parse(self, name: str, text: str) -> None:
        """Parse `text` as template `name`, adding it and its {{define}}s to the set.

        A later definition replaces an earlier one unless its body is empty (Go's
        AddParseTree). Raises TemplateParseError.
        """
        _ensure_recursion_limit()
        trees = _parse_cached(name, text, self._delims, self._func_names)
        templates = self._templates
        for tname, tree in trees.items():
            if tname in templates and is_empty_tree(tree.root):
                continue
            templates[tname] = tree

    def has(self, name: str) -> bool:
        return name in self._templates

    def names(self) -> list[str]:
        return sorted(self._templates)

    def clone(self) -> TemplateSet:
        """A copy sharing parsed trees; templates parsed into it do not affect this set."""
        other = TemplateSet.__new__(TemplateSet)
        other._funcs = dict(self._funcs)
        other._func_names = self._func_names
        other._missingkey = self._missingkey
        other._delims = self._delims
        other._name = self._name
        other._templates = dict(self._templates)
        other._executing = []
        return other

    @property
    def executing(self) -> str | None:
        """Name of the innermost template whose `execute` is running, if any."""
        return self._executing[-1] if self._executing else None

    def execute(self, name: str, data: Any) -> str:
        """Run template `name` with `data` as dot and `$`; raises TemplateExecError."""
        tree = self._templates.get(name)
        if tree is None:
            raise TemplateExecError(
                f'template: no template "{name}" associated with template "{self._name}"'
            )
        _ensure_recursion_limit()
        dot = NO_VALUE if data is None else data
        state = ExecState(self._funcs, BUILTINS, self._templates.get, self._missingkey, name, dot)
        self._executing.append(name)
        try:
            run_tree(state, tree, dot)
        except RecursionError:
            raise TemplateExecError(
                f"template: {name}: exceeded maximum template depth ({MAX_EXEC_DEPTH})"
            ) from None
        finally:
            self._executing.pop()
        return "".join(state.out)


__all__ = [
    "GoFunc",
    "TemplateError",
    "TemplateExecError",
    "TemplateParseError",
    "TemplateSet",
    "clear_parse_cache",
]
