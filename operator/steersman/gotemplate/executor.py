"""Executes parse trees, following text/template/exec.go: the statement level (walk).

Each tree is compiled once into nested closures (one per node, see evaluate.py for expressions),
so execution does no per-node type dispatch.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from steersman.golang.fmt import format_value, go_quote, type_name
from steersman.golang.reflect import is_true
from steersman.golang.types import NO_VALUE, GoFunc, GoInt64, GoStringMap, GoStruct, GoUint64

from .evaluate import compile_pipeline
from .nodes import (
    ActionNode,
    BreakNode,
    CommentNode,
    ContinueNode,
    IfNode,
    ListNode,
    Node,
    RangeNode,
    TemplateNode,
    TextNode,
    WithNode,
)
from .parser import Tree
from .state import BREAK, CONTINUE, MAX_EXEC_DEPTH, Break, Continue, ExecState

Walk = Callable[[ExecState, Any], None]


def run_tree(s: ExecState, tree: Tree, dot: Any) -> None:
    fn = tree.compiled
    if fn is None:
        fn = tree.compiled = _compile_list(tree.root)
    fn(s, dot)


def _compile_list(lst: ListNode) -> Walk:
    fns = [f for f in (_compile_node(n) for n in lst.nodes) if f is not None]
    if len(fns) == 1:
        return fns[0]

    def walk_list(s: ExecState, dot: Any) -> None:
        for f in fns:
            f(s, dot)

    return walk_list


def _lazy_list(lst: ListNode) -> Walk:
    """`lst` compiled on its first run: charts wrap whole files and features in branches that
    most value sets never take, and compiling those would cost more than running the rest."""
    compiled: Walk | None = None

    def walk_lazy(s: ExecState, dot: Any) -> None:
        nonlocal compiled
        if compiled is None:
            compiled = _compile_list(lst)
        compiled(s, dot)

    return walk_lazy


def _compile_node(n: Node) -> Walk | None:
    if isinstance(n, TextNode):
        text = n.text

        def walk_text(s: ExecState, dot: Any) -> None:
            s.out.append(text)

        return walk_text
    if isinstance(n, ActionNode):
        return _compile_action(n)
    if isinstance(n, IfNode | WithNode):
        return _compile_if_with(n)
    if isinstance(n, RangeNode):
        return _compile_range(n)
    if isinstance(n, TemplateNode):
        return _compile_template(n)
    if isinstance(n, BreakNode):

        def walk_break(s: ExecState, dot: Any) -> None:
            raise BREAK

        return walk_break
    if isinstance(n, ContinueNode):

        def walk_continue(s: ExecState, dot: Any) -> None:
            raise CONTINUE

        return walk_continue
    if isinstance(n, CommentNode):
        return None
    raise TypeError(f"unknown node: {n}")


def print_value(s: ExecState, node: Node, v: Any) -> str:
    if v is NO_VALUE or v is None:
        return "<no value>"
    if type(v) is str:
        return v
    if isinstance(v, GoFunc):
        s.node = node
        raise s.error(f"can't print {node} of type {type_name(v)}")
    if isinstance(v, GoStruct):
        text = v.go_addressable_string()  # printValue takes the address for a *T String()
        if text is not None:
            return text
        if v.go_type.startswith("*"):
            # printableValue dereferences a pointer before fmt sees it: {..} rather than &{..}.
            return format_value(v)[1:]
    return format_value(v)


def _compile_action(n: ActionNode) -> Walk:
    pipe = compile_pipeline(n.pipe)
    if n.pipe.decl:

        def walk_decl(s: ExecState, dot: Any) -> None:
            s.node = n
            pipe(s, dot)

        return walk_decl

    def walk_action(s: ExecState, dot: Any) -> None:
        s.node = n
        v = pipe(s, dot)
        if type(v) is str:
            s.out.append(v)
        else:
            s.out.append(print_value(s, n, v))

    return walk_action


def _compile_if_with(n: IfNode | WithNode) -> Walk:
    pipe = compile_pipeline(n.pipe)
    body = _lazy_list(n.list)
    else_body = _lazy_list(n.else_list) if n.else_list is not None else None
    is_with = isinstance(n, WithNode)

    def walk_if(s: ExecState, dot: Any) -> None:
        s.node = n
        mark = len(s.vars)
        val = pipe(s, dot)
        if is_true(val):
            if is_with:
                boxed = s.dot_boxed
                s.dot_boxed = False
                body(s, val)
                s.dot_boxed = boxed
            else:
                body(s, dot)
        elif else_body is not None:
            else_body(s, dot)
        del s.vars[mark:]

    return walk_if


def _range_items(s: ExecState, val: Any, nvars: int) -> tuple[list[tuple[Any, Any]], bool] | None:
    """(index, element) pairs and whether elements are interface-boxed; None = nothing."""
    t = type(val)
    if t is list or t is tuple:
        return list(enumerate(val)), True
    if t is dict or isinstance(val, dict):
        keys = sorted(val)
        boxed = not isinstance(val, GoStringMap)
        return [(k, val[k]) for k in keys], boxed
    if isinstance(val, list | tuple | bytes):
        return list(enumerate(val)), False
    if isinstance(val, int) and not isinstance(val, bool):
        if nvars > 1:
            raise s.error(f"can't use {format_value(val)} to iterate over more than one variable")
        mk: type[int] = type(val) if isinstance(val, GoInt64 | GoUint64) else int
        return [(NO_VALUE, mk(i)) for i in range(int(val))], False
    if val is NO_VALUE or val is None:
        return None
    raise s.error(f"range can't iterate over {format_value(val)}")


def _compile_range(n: RangeNode) -> Walk:
    pipe = compile_pipeline(n.pipe)
    body = _compile_list(n.list)
    else_body = _lazy_list(n.else_list) if n.else_list is not None else None
    decl = [v.ident[0] for v in n.pipe.decl]
    nvars = len(decl)
    is_assign = n.pipe.is_assign

    def walk_range(s: ExecState, dot: Any) -> None:
        s.node = n
        mark0 = len(s.vars)
        val = pipe(s, dot)
        mark = len(s.vars)
        got = _range_items(s, val, nvars)
        ran = False
        if got is not None and got[0]:
            items, boxed = got
            saved_boxed = s.dot_boxed
            vars_ = s.vars
            try:
                for idx, elem in items:
                    if nvars:
                        if is_assign:
                            if nvars > 1:
                                s.var(decl[0])[1:] = (idx, False)
                                s.var(decl[1])[1:] = (elem, boxed)
                            else:
                                s.var(decl[0])[1:] = (elem, boxed)
                        else:
                            top = vars_[-1]
                            top[1] = elem
                            top[2] = boxed
                            if nvars > 1:
                                second = vars_[-2]
                                second[1] = idx
                                second[2] = False
                    s.dot_boxed = boxed
                    try:  # noqa: SIM105 (contextlib.suppress is slower here)
                        body(s, elem)
                    except Continue:
                        pass
                    del vars_[mark:]
            except Break:
                pass
            s.dot_boxed = saved_boxed
            ran = True
        if not ran and else_body is not None:
            else_body(s, dot)
        del s.vars[mark0:]

    return walk_range


def _compile_template(n: TemplateNode) -> Walk:
    pipe = compile_pipeline(n.pipe) if n.pipe is not None else None
    name = n.name

    def walk_template(s: ExecState, dot: Any) -> None:
        s.node = n
        tree = s.lookup(name)
        if tree is None:
            raise s.error(f"template {go_quote(name)} not defined")
        if s.depth >= MAX_EXEC_DEPTH:
            raise s.error(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})")
        new_dot = pipe(s, dot) if pipe is not None else NO_VALUE
        saved = (s.tmpl_name, s.vars, s.dot_boxed, s.node)
        s.tmpl_name = tree.name
        s.vars = [["$", new_dot, False]]
        s.dot_boxed = False
        s.depth += 1
        try:
            run_tree(s, tree, new_dot)
        except RecursionError:
            s.tmpl_name, s.vars, s.dot_boxed, _ = saved
            s.node = n
            raise s.error(f"exceeded maximum template depth ({MAX_EXEC_DEPTH})") from None
        s.depth -= 1
        s.tmpl_name, s.vars, s.dot_boxed, s.node = saved

    return walk_template


__all__ = ["MAX_EXEC_DEPTH", "ExecState", "run_tree"]
