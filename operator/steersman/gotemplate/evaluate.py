"""Expression evaluation (pipelines, commands, fields, calls, arguments) from exec.go.

Each node is compiled once into a closure; `ExecState.node` is set where Go calls `s.at(node)`
so error locations and contexts match Go's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from steersman.golang.fmt import go_quote, type_name
from steersman.golang.reflect import (
    FLOAT_TYPES,
    INT_TYPES,
    UINT_TYPES,
    can_be_nil,
    is_true,
    type_mismatch,
)
from steersman.golang.types import (
    NO_VALUE,
    GoFunc,
    GoInt64,
    GoNamedMap,
    GoStringMap,
    GoStruct,
    GoUint64,
    TemplateFuncError,
)

from .builtins import call_function
from .nodes import (
    BoolNode,
    ChainNode,
    CommandNode,
    DotNode,
    FieldNode,
    IdentifierNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    StringNode,
    VariableNode,
)
from .state import MISSING, Break, Continue, ExecState

_MISSING = MISSING
_ABSENT: Any = object()
Eval = Callable[[ExecState, Any], Any]
Cmd = Callable[[ExecState, Any, Any], Any]


def compile_pipeline(pipe: PipeNode) -> Eval:
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

        method_args = [_compile_arg(a) for a in args[1:]]

        def eval_field_cmd(s: ExecState, dot: Any, final: Any) -> Any:
            s.node = first
            return _field_chain(s, dot, dot, s.dot_boxed, first, idents, args, final, method_args)

        return eval_field_cmd
    if isinstance(first, ChainNode):
        return _compile_chain(first, args)
    if isinstance(first, IdentifierNode):
        return _compile_call(first, cmd, args)
    if isinstance(first, PipeNode):
        inner = compile_pipeline(first)

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
    method_args = [_compile_arg(a) for a in args[1:]] if args else []
    base = _compile_arg(chain.node)
    fields = chain.field

    def eval_chain(s: ExecState, dot: Any, final: Any) -> Any:
        s.node = chain
        if isinstance(chain.node, NilNode):
            raise s.error(f"indirection through explicit nil in {chain}")
        recv = base(s, dot, "")
        return _field_chain(s, dot, recv, False, chain, fields, args, final, method_args)

    return eval_chain


def _compile_variable(var: VariableNode, args: list[Node] | None) -> Cmd:
    method_args = [_compile_arg(a) for a in args[1:]] if args else []
    name = var.ident[0]
    fields = var.ident[1:]

    def eval_variable(s: ExecState, dot: Any, final: Any) -> Any:
        s.node = var
        for slot in reversed(s.vars):
            if slot[0] == name:
                break
        else:
            slot = s.var(name)  # raises
        if not fields:
            if args is not None:
                _not_a_function(s, args, final)
            return slot[1]
        return _field_chain(s, dot, slot[1], slot[2], var, fields, args, final, method_args)

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
    method_args: list[ArgEval],
) -> Any:
    last = len(idents) - 1
    for i in range(last):
        # Fast path: a present key of map[string]interface {} (or a named map such as
        # chartutil.Values when the name is not one of its methods).
        t = type(recv)
        if t is dict or (t in _NAMED_MAPS and recv.go_method(idents[i]) is None):
            v = recv.get(idents[i], _ABSENT)
            if v is not _ABSENT:
                recv, boxed = v, True
                continue
        elif t not in _NAMED_MAPS and t is not GoStringMap and isinstance(recv, GoNamedMap):
            _NAMED_MAPS.add(t)
        recv, boxed = _eval_field(s, dot, idents[i], node, None, _MISSING, recv, boxed, [])
    if final is _MISSING and (args is None or len(args) <= 1):
        t = type(recv)
        if t is dict or (t in _NAMED_MAPS and recv.go_method(idents[last]) is None):
            v = recv.get(idents[last], _ABSENT)
            if v is not _ABSENT:
                return v
    return _eval_field(s, dot, idents[last], node, args, final, recv, boxed, method_args)[0]


# GoNamedMap subclasses seen so far (a set lookup is cheaper than isinstance on the hot path).
_NAMED_MAPS: set[type] = set()


def _eval_field(
    s: ExecState,
    dot: Any,
    name: str,
    node: Node,
    args: list[Node] | None,
    final: Any,
    recv: Any,
    boxed: bool,
    method_args: list[ArgEval],
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
            arg_nodes = args[1:] if args else []
            v = _eval_call(s, dot, method, False, node, name, arg_nodes, final, method_args)
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
            v = _field_chain(s, dot, dot, s.dot_boxed, n, idents, single, _MISSING, [])
            return validate_type(s, v, ptype)

        return arg_field
    if isinstance(n, VariableNode):
        var = _compile_variable(n, None)

        def arg_var(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, var(s, dot, _MISSING), ptype)

        return arg_var
    if isinstance(n, PipeNode):
        pipe = compile_pipeline(n)

        def arg_pipe(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, pipe(s, dot), ptype)

        return arg_pipe
    if isinstance(n, IdentifierNode):
        call = _compile_call(n, n, None)

        def arg_func(s: ExecState, dot: Any, ptype: str) -> Any:
            return validate_type(s, call(s, dot, _MISSING), ptype)

        return arg_func
    if isinstance(n, ChainNode):
        chain = _compile_chain(n, None)

        def arg_chain(s: ExecState, dot: Any, ptype: str) -> Any:
            s.node = n
            return validate_type(s, chain(s, dot, _MISSING), ptype)

        return arg_chain

    converted: dict[str, Any] = {}  # literal converted per parameter type

    def arg_literal(s: ExecState, dot: Any, ptype: str) -> Any:
        s.node = n
        v = converted.get(ptype, _ABSENT)
        if v is _ABSENT:
            v = converted[ptype] = _literal_arg(s, n, ptype)
        return v

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


def _compile_call(ident: IdentifierNode, node: Node, args: list[Node] | None) -> Cmd:
    """A function call command; `node` is what "error calling" reports (the whole command)."""
    name = ident.ident
    arg_nodes = args[1:] if args else []
    arg_evals = [_compile_arg(a) for a in arg_nodes]
    # The function is found at run time (sets differ); cached per function map together with
    # a plan: whether the argument count fits with/without a piped value, and parameter types.
    # The function is looked up at run time (sets differ); the plan depends only on the GoFunc,
    # so it is cached against it. One tuple, swapped atomically: trees are shared by sets that
    # may run in other threads.
    cache: list[Any] = [(None, None)]

    def eval_call(s: ExecState, dot: Any, final: Any) -> Any:
        s.node = ident
        found = s.funcs.get(name)
        builtin = found is None
        if found is None:
            found = s.builtins.get(name)
            if found is None:
                raise s.error(f"{go_quote(name)} is not a defined function")
        fn: GoFunc = found
        cached_fn, plan = cache[0]
        if cached_fn is not fn:
            special = builtin and name in ("and", "or", "call")
            plan = None if special else _call_plan(fn, arg_evals)
            cache[0] = (fn, plan)
        if plan is not None:
            ok0, ok1, typed, final_type = plan
            if final is _MISSING:
                if ok0:
                    return _invoke(s, fn, node, name, [ev(s, dot, pt) for ev, pt in typed])
            elif ok1:
                argv = [ev(s, dot, pt) for ev, pt in typed] if typed else []
                if final_type == "interface {}":
                    argv.append(None if final is NO_VALUE else final)
                else:
                    argv.append(validate_type(s, final, final_type))
                return _invoke(s, fn, node, name, argv)
        return _eval_call(s, dot, fn, builtin, node, name, arg_nodes, final, arg_evals)

    return eval_call


_Plan = tuple[bool, bool, list[tuple[ArgEval, str]], str]


def _call_plan(fn: GoFunc, arg_evals: list[ArgEval]) -> _Plan:
    """Precomputed evalCall decisions for `fn` called with these explicit arguments."""
    params, variadic = fn.params, fn.variadic
    n, np = len(arg_evals), len(params)
    if variadic is None:
        ok0, ok1 = n == np, n + 1 == np
        ptypes = list(params[:n])
        final_type = params[-1] if np else ""
    else:
        ok0, ok1 = n >= np, n + 1 >= np
        ptypes = [params[i] if i < np else variadic for i in range(n)]
        final_type = params[n] if n < np else variadic
    if len(ptypes) < n:
        ok0 = ok1 = False
    return ok0, ok1, list(zip(arg_evals, ptypes, strict=False)), final_type


def _invoke(s: ExecState, fn: GoFunc, node: Node, name: str, argv: list[Any]) -> Any:
    try:
        return fn.fn(*argv)
    except TemplateFuncError as e:
        s.node = node
        raise s.error(f"error calling {name}: {e}") from None
    except (RecursionError, Break, Continue):
        raise
    except Exception as e:  # Go recovers panics in called functions the same way
        s.node = node
        raise s.error(f"error calling {name}: {e}") from None


def _eval_call(
    s: ExecState,
    dot: Any,
    fn: GoFunc,
    builtin: bool,
    node: Node,
    name: str,
    arg_nodes: list[Node],
    final: Any,
    arg_evals: list[ArgEval] | None = None,
) -> Any:
    """Go's evalCall; `arg_nodes` are the arguments without the function's own node."""
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

    if builtin and name == "call":
        callee = str(arg_nodes[0]) if arg_nodes else _reflect_string(final)
        argv = [call_function, callee, argv[0], tuple(argv[1:])]
        return _invoke(s, GoFunc(lambda f, *a: f(*a)), node, name, argv)
    return _invoke(s, fn, node, name, argv)


def _reflect_string(v: Any) -> str:
    """Go's reflect.Value.String() (the callee name `call` reports for a piped value): a
    string as itself, anything else as `<T Value>`."""
    if isinstance(v, str):
        return v
    if v is None or v is NO_VALUE:
        return "<invalid Value>"
    return f"<{type_name(v)} Value>"
