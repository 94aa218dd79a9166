"""Per-execution state of the template executor (Go's `state` in exec.go)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from steersman.golang.fmt import go_quote
from steersman.golang.types import GoFunc

from .errors import TemplateExecError
from .nodes import Node
from .parser import Tree

MAX_EXEC_DEPTH = 100000
MISSING: Any = object()  # "no value piped in" (Go's missingVal)


class Break(Exception):
    pass


class Continue(Exception):
    pass


BREAK = Break()
CONTINUE = Continue()


class ExecState:
    """Per-execution state (Go's `state`): output, variables, current node and template."""

    __slots__ = (
        "builtins",
        "depth",
        "dot_boxed",
        "funcs",
        "lookup",
        "missingkey",
        "node",
        "out",
        "tmpl_name",
        "vars",
    )

    def __init__(
        self,
        funcs: Mapping[str, GoFunc],
        builtins: Mapping[str, GoFunc],
        lookup: Callable[[str], Tree | None],
        missingkey: str,
        tmpl_name: str,
        data: Any,
    ) -> None:
        self.funcs = funcs
        self.builtins = builtins
        self.lookup = lookup
        self.missingkey = missingkey
        self.tmpl_name = tmpl_name
        self.node: Node | None = None
        self.out: list[str] = []
        self.vars: list[list[Any]] = [["$", data, False]]
        self.depth = 0
        # Whether dot came out of an interface slot ([]interface{} / map element): Go then
        # names its type "interface {}" in `can't evaluate field` errors.
        self.dot_boxed = False

    def error(self, msg: str) -> TemplateExecError:
        node = self.node
        if node is None:
            return TemplateExecError(f"template: {self.tmpl_name}: {msg}")
        loc = node.src.location(node.pos)
        return TemplateExecError(
            f"template: {loc}: executing {go_quote(self.tmpl_name)} at <{node}>: {msg}"
        )

    def var(self, name: str) -> list[Any]:
        for v in reversed(self.vars):
            if v[0] == name:
                slot: list[Any] = v
                return slot
        raise self.error(f"undefined variable: {name}")
