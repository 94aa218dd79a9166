"""Executes parse trees, following text/template/exec.go.

Each tree is compiled once into nested closures (one per node), so execution does no per-node
type dispatch. `ExecState.node` is updated at the same points where Go calls `s.at(node)`, so
error locations and contexts (`executing "x" at <.a.b>`) come out as Go's.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .builtins import call_function
from .errors import TemplateExecError
from .fmt import format_value, go_quote, go_sprintf, type_name
from .nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    CommentNode,
    ContinueNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
    WithNode,
)
from .parser import Tree
from .types import (
    NO_VALUE,
    GoFunc,
    GoInt64,
    GoNamedMap,
    GoStringMap,
    GoStruct,
    GoUint64,
    TemplateFuncError,
)
from .values import FLOAT_TYPES, INT_TYPES, UINT_TYPES, can_be_nil, is_true, type_mismatch

MAX_EXEC_DEPTH = 100000
_MISSING: Any = object()  # "no value piped in" (Go's missingVal)
_ABSENT: Any = object()

Walk = Callable[["ExecState", Any], None]
Eval = Callable[["ExecState", Any], Any]
Cmd = Callable[["ExecState", Any, Any], Any]


class _Break(Exception):
    pass


class _Continue(Exception):
    pass


_BREAK = _Break()
_CONTINUE = _Continue()


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


def run_tree(s: ExecState, tree: Tree, dot: Any) -> None:
    fn = tree.compiled
    if fn is None:
        fn = tree.compiled = _compile_list(tree.root)
    fn(s, dot)


# ---------------------------------------------------------------- walking (statements)


def _compile_list(lst: ListNode) -> Walk:
    fns = [f for f in (_compile_node(n) for n in lst.nodes) if f is not None]
    if len(fns) == 1:
        return fns[0]

    def walk_list(s: ExecState, dot: Any) -> None:
        for f in fns:
            f(s, dot)

    return walk_list


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
            raise _BREAK

        return walk_break
    if isinstance(n, ContinueNode):

        def walk_continue(s: ExecState, dot: Any) -> None:
            raise _CONTINUE

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
    return format_value(v)


def _compile_action(n: ActionNode) -> Walk:
    pipe = _compile_pipeline(n.pipe)
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
    pipe = _compile_pipeline(n.pipe)
    body = _compile_list(n.list)
    else_body = _compile_list(n.else_list) if n.else_list is not None else None
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
    pipe = _compile_pipeline(n.pipe)
    body = _compile_list(n.list)
    else_body = _compile_list(n.else_list) if n.else_list is not None else None
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
                    except _Continue:
                        pass
                    del vars_[mark:]
            except _Break:
                pass
            s.dot_boxed = saved_boxed
            ran = True
        if not ran and else_body is not None:
            else_body(s, dot)
        del s.vars[mark0:]

    return walk_range


def _compile_template(n: TemplateNode) -> Walk:
    pipe = _compile_pipeline(n.pipe) if n.pipe is not None else None
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


# ---------------------------------------------------------------- evaluation (expressions)


def _compile_pipeline(pipe: PipeNode) -> Eval:
    cmds = [_compile_command(c) for c in pipe.cmds]
    decl = [v.ident[0] for v in pipe.decl]
    is_assign = pipe.is_assign
    if len(cmds) == 1 and not decl:
        cmd = cmds[0]

        def eval_single(s: ExecState, dot: Any) -> Any:
            s.node = pipe
            v = cmd(s, dot, _MISSING)
            return NO_VALUE if v is None else v

        return eval_single

    def eval_pipeline(s: ExecState, dot: Any) -> Any:
        s.node = pipe
        v = _MISSING
        for c in cmds:
            v = c(s, dot, v)
            if v is None:
                v = NO_VALUE
        for name in decl:
            if is_assign:
                slot = s.var(name)
                slot[1] = v
                slot[2] = False
            else:
                s.vars.append([name, v, False])
        return v

    return eval_pipeline


def _not_a_function(s: ExecState, args: list[Node], final: Any) -> None:
    if len(args) > 1 or final is not _MISSING:
        raise s.error(f"can't give argument to non-function {args[0]}")


def _compile_command(cmd: CommandNode) -> Cmd:
    first = cmd.args[0]
    args = cmd.args
    if isinstance(first, FieldNode):
        idents = first.ident

        def eval_field_cmd(s: ExecState, dot: Any, final: Any) -> Any:
            s.node = first
            return _field_chain(s, dot, dot, s.dot_boxed, first, idents, args, final)

        return eval_field_cmd
    if isinstance(first, ChainNode):
        return _compile_chain(first, args)
    if isinstance(first, IdentifierNode):
        name = first.ident
        arg_evals = [_compile_arg(a) for a in args[1:]]

        def eval_func_cmd(s: ExecState, dot: Any, final: Any) -> Any:
            s.node = first
            return _call_function(s, dot, name, cmd, args, arg_evals, final)

        return eval_func_cmd
    if isinstance(first, PipeNode):
        inner = _compile_pipeline(first)

        def eval_paren_cmd(s: ExecState, dot: Any, final: Any) -> Any:
            _not_a_function(s, args, final)
            return inner(s, dot)

        return eval_paren_cmd
    if isinstance(first, VariableNode):
        return _compile_variable(first, args)
    const = _MISSING
    if isinstance(first, BoolNode):
        const = first.true
    elif isinstance(first, StringNode):
        const = first.text

    def eval_literal_cmd(s: ExecState, dot: Any, final: Any) -> Any:
        s.node = first
        _not_a_function(s, args, final)
        if const is not _MISSING:
            return const
        if isinstance(first, DotNode):
            return dot
        if isinstance(first, NilNode):
            raise s.error("nil is not a command")
        if isinstance(first, NumberNode):
            return ideal_constant(s, first)
        raise s.error(f"can't evaluate command {go_quote(str(first))}")

    return eval_literal_cmd


def _compile_chain(chain: ChainNode, args: list[Node] | None) -> Cmd:
    base = _compile_arg(chain.node)
    fields = chain.field

    def eval_chain(s: ExecState, dot: Any, final: Any) -> Any:
        s.node = chain
        if isinstance(chain.node, NilNode):
            raise s.error(f"indirection through explicit nil in {chain}")
        recv = base(s, dot, "")
        return _field_chain(s, dot, recv, False, chain, fields, args, final)

    return eval_chain


def _compile_variable(var: VariableNode, args: list[Node] | None) -> Cmd:
    name = var.ident[0]
    fields = var.ident[1:]

    def eval_variable(s: ExecState, dot: Any, final: Any) -> Any:
        s.node = var
        slot = s.var(name)
        if not fields:
            if args is not None:
                _not_a_function(s, args, final)
            return slot[1]
        return _field_chain(s, dot, slot[1], slot[2], var, fields, args, final)

    return eval_variable


def _field_chain(
    s: ExecState,
    dot: Any,
    recv: Any,
    boxed: bool,
    node: Node,
    idents: list[str],
    args: list[Node] | None,
    final: Any,
) -> Any:
    last = len(idents) - 1
    for i in range(last):
        recv, boxed = _eval_field(s, dot, idents[i], node, None, _MISSING, recv, boxed)
    return _eval_field(s, dot, idents[last], node, args, final, recv, boxed)[0]


def _eval_field(
    s: ExecState,
    dot: Any,
    name: str,
    node: Node,
    args: list[Node] | None,
    final: Any,
    recv: Any,
    boxed: bool,
) -> tuple[Any, bool]:
    t = type(recv)
    if t is dict:
        if final is not _MISSING or (args is not None and len(args) > 1):
            raise s.error(f"{name} is not a method but has arguments")
        v = recv.get(name, _ABSENT)
        if v is _ABSENT:
            return _missing_key(s, recv, name), True
        return v, True
    if recv is NO_VALUE:
        if s.missingkey == "error":
            raise s.error(f"nil data; no entry for key {go_quote(name)}")
        return NO_VALUE, False
    if recv is None:
        raise s.error(f"nil pointer evaluating interface {{}}.{name}")
    has_args = final is not _MISSING or (args is not None and len(args) > 1)
    if isinstance(recv, GoStruct | GoNamedMap):
        method = recv.go_method(name)
        if method is not None:
            v = _eval_call(s, dot, method, False, node, name, args, final)
            return v, method.result == "interface {}"
        if isinstance(recv, GoStruct):
            found, v = recv.go_field(name)
            if found:
                if has_args:
                    raise s.error(f"{name} has arguments but cannot be invoked as function")
                return v, v is None
    if isinstance(recv, dict):
        if has_args:
            raise s.error(f"{name} is not a method but has arguments")
        v = recv.get(name, _ABSENT)
        if v is _ABSENT:
            return _missing_key(s, recv, name), not isinstance(recv, GoStringMap)
        return v, not isinstance(recv, GoStringMap)
    typ = "interface {}" if boxed else type_name(recv)
    raise s.error(f"can't evaluate field {name} in type {typ}")


def _missing_key(s: ExecState, recv: dict[str, Any], name: str) -> Any:
    mode = s.missingkey
    if mode == "zero":
        if isinstance(recv, GoStringMap):
            return ""
        return getattr(recv, "go_zero", None)
    if mode == "error":
        raise s.error(f"map has no entry for key {go_quote(name)}")
    return NO_VALUE


def ideal_constant(s: ExecState, n: NumberNode) -> Any:
    s.node = n
    text = n.text
    if n.is_complex:
        return n.complex128
    is_hex_int = (
        len(text) > 2 and text[0] == "0" and text[1] in "xX" and not ("p" in text or "P" in text)
    )
    if n.is_float and not is_hex_int and not n.is_char and any(c in text for c in ".eEpP"):
        return n.float64
    if n.is_int:
        return n.int64
    if n.is_uint:
        raise s.error(f"{text} overflows int")
    return NO_VALUE


# ---------------------------------------------------------------- calls and arguments

ArgEval = Callable[[ExecState, Any, str], Any]


def _compile_arg(n: Node) -> ArgEval:
    """Evaluate an argument node against a parameter type (Go's evalArg)."""
    if isinstance(n, DotNode):

        def arg_dot(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, dot, ptype)

        return arg_dot
    if isinstance(n, FieldNode):
        single: list[Node] = [n]
        idents = n.ident

        def arg_field(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            v = _field_chain(s, dot, dot, s.dot_boxed, n, idents, single, _MISSING)
            return validate_type(s, v, ptype)

        return arg_field
    if isinstance(n, VariableNode):
        var = _compile_variable(n, None)

        def arg_var(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, var(s, dot, _MISSING), ptype)

        return arg_var
    if isinstance(n, PipeNode):
        pipe = _compile_pipeline(n)

        def arg_pipe(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, pipe(s, dot), ptype)

        return arg_pipe
    if isinstance(n, IdentifierNode):
        name = n.ident

        def arg_func(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, _call_function(s, dot, name, n, None, [], _MISSING), ptype)

        return arg_func
    if isinstance(n, ChainNode):
        chain = _compile_chain(n, None)

        def arg_chain(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, chain(s, dot, _MISSING), ptype)

        return arg_chain

    def arg_literal(s: ExecState, dot: Any, ptype: str) -> Any:
        s.node = n
        return _literal_arg(s, n, ptype)

    return arg_literal


def _literal_arg(s: ExecState, n: Node, ptype: str) -> Any:
    if isinstance(n, NilNode):
        if can_be_nil(ptype):
            return NO_VALUE if ptype == "reflect.Value" else None
        raise s.error(f"cannot assign nil to {ptype}")
    if ptype == "interface {}" or ptype == "reflect.Value":
        if isinstance(n, BoolNode):
            return n.true
        if isinstance(n, StringNode):
            return n.text
        if isinstance(n, NumberNode):
            return ideal_constant(s, n)
        raise s.error(f"can't handle assignment of {n} to empty interface argument")
    if ptype == "bool":
        if isinstance(n, BoolNode):
            return n.true
        raise s.error(f"expected bool; found {n}")
    if ptype == "string":
        if isinstance(n, StringNode):
            return n.text
        raise s.error(f"expected string; found {n}")
    if ptype in INT_TYPES:
        if isinstance(n, NumberNode) and n.is_int:
            return GoInt64(n.int64) if ptype == "int64" else n.int64
        raise s.error(f"expected integer; found {n}")
    if ptype in FLOAT_TYPES:
        if isinstance(n, NumberNode) and n.is_float:
            return n.float64
        raise s.error(f"expected float; found {n}")
    if ptype == "complex128":
        if isinstance(n, NumberNode) and n.is_complex:
            return n.complex128
        raise s.error(f"expected complex; found {n}")
    if ptype in UINT_TYPES:
        if isinstance(n, NumberNode) and n.is_uint:
            return GoUint64(n.uint64) if ptype == "uint64" else n.uint64
        raise s.error(f"expected unsigned integer; found {n}")
    raise s.error(f"can't handle {n} for arg of type {ptype}")


def validate_type(s: ExecState, v: Any, ptype: str) -> Any:
    """Go's validateType; ptype "" means no static type (a chain's receiver): pass as is."""
    if ptype == "interface {}":
        return None if v is NO_VALUE else v
    if ptype == "reflect.Value" or ptype == "":
        return v
    err = type_mismatch(v, ptype)
    if err is not None:
        raise s.error(err)
    if v is NO_VALUE:
        return None
    if type(v) is tuple:
        return list(v)
    return v


def _call_function(
    s: ExecState,
    dot: Any,
    name: str,
    node: Node,
    args: list[Node] | None,
    arg_evals: list[ArgEval],
    final: Any,
) -> Any:
    fn = s.funcs.get(name)
    builtin = False
    if fn is None:
        fn = s.builtins.get(name)
        builtin = True
        if fn is None:
            raise s.error(f"{go_quote(name)} is not a defined function")
    return _eval_call(s, dot, fn, builtin, node, name, args, final, arg_evals)


def _eval_call(
    s: ExecState,
    dot: Any,
    fn: GoFunc,
    builtin: bool,
    node: Node,
    name: str,
    args: list[Node] | None,
    final: Any,
    arg_evals: list[ArgEval] | None = None,
) -> Any:
    arg_nodes = args[1:] if args else []
    if arg_evals is None:
        arg_evals = [_compile_arg(a) for a in arg_nodes]
    num_in = len(arg_nodes) + (final is not _MISSING)
    params = fn.params
    variadic = fn.variadic
    if variadic is not None:
        num_fixed = len(params)
        if num_in < num_fixed:
            raise s.error(
                f"wrong number of args for {name}: want at least {num_fixed} got {len(arg_nodes)}"
            )
    else:
        num_fixed = len(arg_nodes)
        if num_in != len(params):
            raise s.error(f"wrong number of args for {name}: want {len(params)} got {num_in}")

    if builtin and (name == "and" or name == "or"):
        want = name == "or"
        v: Any = NO_VALUE
        for ev in arg_evals:
            v = ev(s, dot, "reflect.Value")
            if is_true(v) == want:
                return v
        if final is not _MISSING:
            v = final
        return v

    argv: list[Any] = []
    i = 0
    n_args = len(arg_evals)
    while i < num_fixed and i < n_args:
        argv.append(arg_evals[i](s, dot, params[i]))
        i += 1
    if variadic is not None:
        while i < n_args:
            argv.append(arg_evals[i](s, dot, variadic))
            i += 1
    if final is not _MISSING:
        if variadic is None:
            ptype = params[-1]
        elif num_in - 1 < num_fixed:
            ptype = params[num_in - 1]
        else:
            ptype = variadic
        argv.append(validate_type(s, final, ptype))

    try:
        if builtin and name == "call":
            callee = str(arg_nodes[0]) if arg_nodes else format_value(final)
            return call_function(callee, argv[0], tuple(argv[1:]))
        return fn.fn(*argv)
    except TemplateFuncError as e:
        s.node = node
        raise s.error(f"error calling {name}: {e}") from None
    except (RecursionError, _Break, _Continue):
        raise
    except Exception as e:  # Go recovers panics in called functions the same way
        s.node = node
        raise s.error(f"error calling {name}: {e}") from None


__all__ = ["MAX_EXEC_DEPTH", "ExecState", "go_sprintf", "run_tree"]
