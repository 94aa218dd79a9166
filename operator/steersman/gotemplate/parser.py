"""Recursive-descent parser for Go templates, following text/template/parse/parse.go.

Error texts and the line they report (the line of the most recently scanned token, held in the
three-token lookahead buffer) match Go, because charts surface them to users verbatim.
"""

from __future__ import annotations

from collections.abc import Container
from typing import Any, NamedTuple

from steersman.golang.fmt import go_quote
from steersman.golang.strconv import (
    SyntaxErr,
    parse_float,
    parse_int,
    parse_uint,
    unquote,
    unquote_char,
)

from . import lexer as L
from .errors import TemplateParseError
from .nodes import (
    ActionNode,
    BoolNode,
    BreakNode,
    ChainNode,
    CommandNode,
    ContinueNode,
    DotNode,
    ElseNode,
    EndNode,
    FieldNode,
    IdentifierNode,
    IfNode,
    ListNode,
    NilNode,
    Node,
    NumberNode,
    PipeNode,
    RangeNode,
    Source,
    StringNode,
    TemplateNode,
    TextNode,
    VariableNode,
    WithNode,
    is_empty_tree,
)

MAX_STACK_DEPTH = 10000
# isinstance() with tuples: an `A | B` union would be built again at every call.
_END_OR_ELSE = (EndNode, ElseNode)
_CONSTANTS = (BoolNode, DotNode, NilNode, NumberNode, StringNode)
_SPACE = L.SPACE
_TERM_STARTS = frozenset(
    {
        L.BOOL,
        L.CHAR_CONSTANT,
        L.COMPLEX,
        L.DOT,
        L.FIELD,
        L.IDENTIFIER,
        L.NUMBER,
        L.NIL,
        L.RAW_STRING,
        L.STRING,
        L.VARIABLE,
        L.LEFT_PAREN,
    }
)


class Tree:
    """One parsed template: a name and the root list of its body."""

    __slots__ = ("compiled", "name", "root", "src")

    def __init__(self, name: str, root: ListNode, src: Source) -> None:
        self.name = name
        self.root = root
        self.src = src
        # The executor's compiled form of `root`, built on first execution.
        self.compiled: Any = None


class _Items:
    """The token stream shared by a template and the {{define}}s inside it.

    It also gathers what the parse cache must know about the result: the names given to
    {{define}}/{{block}} bodies and the deepest nesting of controls and parentheses.
    """

    __slots__ = ("defined", "depth", "i", "items", "last", "max_depth")

    def __init__(self, items: list[L.Item]) -> None:
        self.items = items
        self.i = 0
        self.last = len(items) - 1  # the final EOF/ERROR item repeats forever
        self.defined: list[str] = []
        self.depth = 0
        self.max_depth = 0

    def enter(self) -> None:
        self.depth += 1
        if self.depth > self.max_depth:
            self.max_depth = self.depth

    def next_item(self) -> L.Item:
        i = self.i
        if i < self.last:
            self.i = i + 1
        return self.items[i]


class _Parser:
    def __init__(
        self,
        name: str,
        src: Source,
        items: _Items,
        funcs: Container[str],
        tree_set: dict[str, Tree],
    ) -> None:
        self.name = name
        self.src = src
        self.items = items
        self.funcs = funcs
        self.tree_set = tree_set
        self.root: ListNode | None = None
        self.token: list[L.Item] = [(L.EOF, 0, "", 0)] * 3
        self.peek_count = 0
        self.vars: list[str] = ["$"]
        self.action_line = 0
        self.range_depth = 0
        self.stack_depth = 0

    # -- token buffer

    def next(self) -> L.Item:
        if self.peek_count > 0:
            self.peek_count -= 1
        else:
            self.token[0] = self.items.next_item()
        return self.token[self.peek_count]

    def backup(self) -> None:
        self.peek_count += 1

    def backup2(self, t1: L.Item) -> None:
        self.token[1] = t1
        self.peek_count = 2

    def backup3(self, t2: L.Item, t1: L.Item) -> None:
        self.token[1] = t1
        self.token[2] = t2
        self.peek_count = 3

    def peek(self) -> L.Item:
        if self.peek_count > 0:
            return self.token[self.peek_count - 1]
        self.peek_count = 1
        stream = self.items
        i = stream.i
        if i < stream.last:
            stream.i = i + 1
        tok = self.token[0] = stream.items[i]
        return tok

    def next_non_space(self) -> L.Item:
        token = self.token
        while True:  # next(), inlined: this is the parser's hottest loop
            if self.peek_count > 0:
                self.peek_count -= 1
                tok = token[self.peek_count]
            else:
                stream = self.items
                i = stream.i
                if i < stream.last:
                    stream.i = i + 1
                tok = token[0] = stream.items[i]
            if tok[0] != _SPACE:
                return tok

    def peek_non_space(self) -> L.Item:
        tok = self.next_non_space()
        self.peek_count += 1  # backup()
        return tok

    # -- errors

    def errorf(self, msg: str) -> TemplateParseError:
        line = self.token[0][3]
        return TemplateParseError(f"template: {self.src.parse_name}:{line}: {msg}")

    def expect(self, typ: int, context: str) -> L.Item:
        tok = self.next_non_space()
        if tok[0] != typ:
            raise self.unexpected(tok, context)
        return tok

    def expect_one_of(self, t1: int, t2: int, context: str) -> L.Item:
        tok = self.next_non_space()
        if tok[0] != t1 and tok[0] != t2:
            raise self.unexpected(tok, context)
        return tok

    def unexpected(self, tok: L.Item, context: str) -> TemplateParseError:
        if tok[0] == L.ERROR:
            extra = ""
            if self.action_line != 0 and self.action_line != tok[3]:
                extra = f" in action started at {self.src.parse_name}:{self.action_line}"
                if tok[2].endswith(" action"):
                    extra = extra[len(" in action") :]
            return self.errorf(f"{L.item_str(tok)}{extra}")
        return self.errorf(f"unexpected {L.item_str(tok)} in {context}")

    # -- top level

    def sub_parser(self, name: str) -> _Parser:
        return _Parser(name, self.src, self.items, self.funcs, self.tree_set)

    def parse(self) -> None:
        self.root = ListNode(self.peek()[1], self.src)
        while self.peek()[0] != L.EOF:
            if self.peek()[0] == L.LEFT_DELIM:
                delim = self.next()
                if self.next_non_space()[0] == L.DEFINE:
                    self.sub_parser("definition").parse_definition()
                    continue
                self.backup2(delim)
            n = self.text_or_action(self.next_non_space())
            if isinstance(n, _END_OR_ELSE):
                raise self.errorf(f"unexpected {n}")
            self.root.nodes.append(n)

    def add(self) -> None:
        assert self.root is not None
        old = self.tree_set.get(self.name)
        if old is None or is_empty_tree(old.root):
            self.tree_set[self.name] = Tree(self.name, self.root, self.src)
            return
        if not is_empty_tree(self.root):
            raise self.errorf(f"template: multiple definition of template {go_quote(self.name)}")

    def unquote(self, val: str) -> str:
        try:
            return unquote(val)
        except SyntaxErr as e:
            raise self.errorf(str(e)) from None

    def parse_definition(self) -> None:
        context = "define clause"
        name = self.expect_one_of(L.STRING, L.RAW_STRING, context)
        self.name = self.unquote(name[2])
        self.items.defined.append(self.name)
        self.expect(L.RIGHT_DELIM, context)
        self.root, end = self.item_list()
        if not isinstance(end, EndNode):
            raise self.errorf(f"unexpected {end} in {context}")
        self.add()

    def item_list(self) -> tuple[ListNode, Node]:
        lst = ListNode(self.peek_non_space()[1], self.src)
        nodes = lst.nodes
        while True:
            # Go peeks the token and text_or_action takes it; taking it here is the same.
            tok = self.next_non_space()
            if tok[0] == L.EOF:
                raise self.errorf("unexpected EOF")
            n = self.text_or_action(tok)
            if isinstance(n, _END_OR_ELSE):
                return lst, n
            nodes.append(n)

    def text_or_action(self, tok: L.Item) -> Node:
        """The node starting at `tok`, the token just taken."""
        if tok[0] == L.TEXT:
            return TextNode(tok[1], self.src, tok[2])
        if tok[0] == L.LEFT_DELIM:
            self.action_line = tok[3]
            try:
                return self.action()
            finally:
                self.action_line = 0
        raise self.unexpected(tok, "input")

    def action(self) -> Node:
        tok = self.next_non_space()
        typ = tok[0]
        if typ > L.KEYWORD:  # the cases are disjoint: the most frequent first
            if typ == L.END:
                return EndNode(self.expect(L.RIGHT_DELIM, "end")[1], self.src)
            if typ == L.IF:
                return IfNode(*self.parse_control("if"))
            if typ == L.ELSE:
                return self.else_control()
            if typ == L.RANGE:
                return RangeNode(*self.parse_control("range"))
            if typ == L.WITH:
                return WithNode(*self.parse_control("with"))
            if typ == L.TEMPLATE:
                return self.template_control()
            if typ == L.BLOCK:
                return self.block_control()
            if typ == L.BREAK:
                return self.break_control(tok, "{{break}}", BreakNode)
            if typ == L.CONTINUE:
                return self.break_control(tok, "{{continue}}", ContinueNode)
        self.peek_count += 1  # backup(): the pipeline starts at tok
        return ActionNode(tok[1], self.src, tok[3], self.pipeline("command", L.RIGHT_DELIM))

    def break_control(self, tok: L.Item, what: str, cls: type[BreakNode | ContinueNode]) -> Node:
        nxt = self.next_non_space()
        if nxt[0] != L.RIGHT_DELIM:
            raise self.unexpected(nxt, what)
        if self.range_depth == 0:
            raise self.errorf(f"{what} outside {{{{range}}}}")
        return cls(tok[1], self.src)

    # -- pipelines

    def pipeline(self, context: str, end: int) -> PipeNode:
        tok = self.peek_non_space()
        pipe = PipeNode(tok[1], self.src, tok[3])
        v = tok
        while v[0] == L.VARIABLE:  # the `decls:` label in Go
            self.next()
            after = self.peek()
            nxt = self.peek_non_space()
            if nxt[0] in (L.ASSIGN, L.DECLARE):
                pipe.is_assign = nxt[0] == L.ASSIGN
                self.next_non_space()
                pipe.decl.append(VariableNode(v[1], self.src, v[2].split(".")))
                self.vars.append(v[2])
            elif nxt[0] == L.CHAR and nxt[2] == ",":
                self.next_non_space()
                pipe.decl.append(VariableNode(v[1], self.src, v[2].split(".")))
                self.vars.append(v[2])
                if context == "range" and len(pipe.decl) < 2:
                    v = self.peek_non_space()
                    if v[0] in (L.VARIABLE, L.RIGHT_DELIM, L.RIGHT_PAREN):
                        continue
                    raise self.errorf("range can only initialize variables")
                raise self.errorf(f"too many declarations in {context}")
            elif after[0] == L.SPACE:
                self.backup3(v, after)
            else:
                self.backup2(v)
            break
        cmds = pipe.cmds
        while True:
            tok = self.next_non_space()
            if tok[0] == end:
                self.check_pipeline(pipe, context)
                return pipe
            if tok[0] in _TERM_STARTS:
                self.peek_count += 1  # backup(): the command starts at tok
                cmds.append(self.command(tok[1]))
            else:
                raise self.unexpected(tok, context)

    def check_pipeline(self, pipe: PipeNode, context: str) -> None:
        if not pipe.cmds:
            raise self.errorf(f"missing value for {context}")
        for i, c in enumerate(pipe.cmds[1:]):
            if isinstance(c.args[0], _CONSTANTS):
                raise self.errorf(f"non executable command in pipeline stage {i + 2}")

    def parse_control(
        self, context: str
    ) -> tuple[int, Source, int, PipeNode, ListNode, ListNode | None]:
        mark = len(self.vars)
        self.items.enter()
        try:
            pipe = self.pipeline(context, L.RIGHT_DELIM)
            if context == "range":
                self.range_depth += 1
            lst, nxt = self.item_list()
            if context == "range":
                self.range_depth -= 1
            else_list: ListNode | None = None
            if isinstance(nxt, ElseNode):
                if context == "if" and self.peek()[0] == L.IF:
                    self.next()
                    else_list = ListNode(nxt.pos, self.src)
                    else_list.nodes.append(IfNode(*self.parse_control("if")))
                elif context == "with" and self.peek()[0] == L.WITH:
                    self.next()
                    else_list = ListNode(nxt.pos, self.src)
                    else_list.nodes.append(WithNode(*self.parse_control("with")))
                else:
                    else_list, nxt = self.item_list()
                    if not isinstance(nxt, EndNode):
                        raise self.errorf(f"expected end; found {nxt}")
            return pipe.pos, self.src, pipe.line, pipe, lst, else_list
        finally:
            self.items.depth -= 1
            del self.vars[mark:]

    def else_control(self) -> Node:
        peek = self.peek_non_space()
        if peek[0] in (L.IF, L.WITH):
            return ElseNode(peek[1], self.src, peek[3])
        tok = self.expect(L.RIGHT_DELIM, "else")
        return ElseNode(tok[1], self.src, tok[3])

    def block_control(self) -> Node:
        context = "block clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = self.pipeline(context, L.RIGHT_DELIM)
        self.items.defined.append(name)
        block = self.sub_parser(name)
        block.root, end = block.item_list()
        if not isinstance(end, EndNode):
            raise self.errorf(f"unexpected {end} in {context}")
        block.add()
        return TemplateNode(tok[1], self.src, tok[3], name, pipe)

    def template_control(self) -> Node:
        context = "template clause"
        tok = self.next_non_space()
        name = self.parse_template_name(tok, context)
        pipe = None
        if self.next_non_space()[0] != L.RIGHT_DELIM:
            self.backup()
            pipe = self.pipeline(context, L.RIGHT_DELIM)
        return TemplateNode(tok[1], self.src, tok[3], name, pipe)

    def parse_template_name(self, tok: L.Item, context: str) -> str:
        if tok[0] in (L.STRING, L.RAW_STRING):
            return self.unquote(tok[2])
        raise self.unexpected(tok, context)

    # -- commands and operands

    def command(self, pos: int) -> CommandNode:
        """The command whose first token, at `pos`, is the next non-space one."""
        cmd = CommandNode(pos, self.src)
        args = cmd.args
        while True:
            # Go peeks past spaces first; term() skips them the same way.
            operand = self.operand()
            if operand is not None:
                args.append(operand)
            if self.peek_count:  # next(), inlined
                self.peek_count -= 1
                tok = self.token[self.peek_count]
            else:
                stream = self.items
                i = stream.i
                if i < stream.last:
                    stream.i = i + 1
                tok = self.token[0] = stream.items[i]
            typ = tok[0]
            if typ == _SPACE:
                continue
            if typ == L.RIGHT_DELIM or typ == L.RIGHT_PAREN:
                self.peek_count += 1  # backup()
            elif typ != L.PIPE:
                raise self.unexpected(tok, "operand")
            break
        if not args:
            raise self.errorf("empty command")
        return cmd

    def operand(self) -> Node | None:
        node = self.term()
        if node is None:
            return None
        # peek(), inlined when the token is buffered: one call less per operand
        tok = self.token[self.peek_count - 1] if self.peek_count else self.peek()
        if tok[0] == L.FIELD:
            chain = ChainNode(tok[1], self.src, node)
            while self.peek()[0] == L.FIELD:
                chain.field.append(self.next()[2][1:])
            # Go re-splits chain.String(); joining the identifier lists is the same thing.
            if isinstance(node, FieldNode):
                return FieldNode(chain.pos, self.src, node.ident + chain.field)
            if isinstance(node, VariableNode):
                return VariableNode(chain.pos, self.src, node.ident + chain.field)
            if isinstance(node, _CONSTANTS):
                raise self.errorf(f"unexpected . after term {go_quote(str(node))}")
            return chain
        return node

    def term(self) -> Node | None:
        tok = self.next_non_space()
        typ = tok[0]
        # The most frequent kinds first; Go's switch order does not matter, the cases are disjoint.
        if typ == L.FIELD:
            return FieldNode(tok[1], self.src, tok[2][1:].split("."))
        if typ == L.IDENTIFIER:
            if tok[2] not in self.funcs:
                raise self.errorf(f"function {go_quote(tok[2])} not defined")
            return IdentifierNode(tok[1], self.src, tok[2])
        if typ == L.STRING or typ == L.RAW_STRING:
            return StringNode(tok[1], self.src, tok[2], self.unquote(tok[2]))
        if typ == L.VARIABLE:
            v = VariableNode(tok[1], self.src, tok[2].split("."))
            if v.ident[0] not in self.vars:
                raise self.errorf(f"undefined variable {go_quote(v.ident[0])}")
            return v
        if typ == L.DOT:
            return DotNode(tok[1], self.src)
        if typ == L.LEFT_PAREN:
            if self.stack_depth >= MAX_STACK_DEPTH:
                raise self.errorf("max expression depth exceeded")
            self.stack_depth += 1
            self.items.enter()
            try:
                return self.pipeline("parenthesized pipeline", L.RIGHT_PAREN)
            finally:
                self.items.depth -= 1
                self.stack_depth -= 1
        if typ == L.NUMBER or typ == L.CHAR_CONSTANT or typ == L.COMPLEX:
            return self.new_number(tok)
        if typ == L.BOOL:
            return BoolNode(tok[1], self.src, tok[2] == "true")
        if typ == L.NIL:
            return NilNode(tok[1], self.src)
        self.peek_count += 1  # backup()
        return None

    def new_number(self, tok: L.Item) -> NumberNode:
        text = tok[2]
        n = NumberNode(tok[1], self.src, text)
        if tok[0] == L.CHAR_CONSTANT:
            try:
                value, _, end = unquote_char(text, 1, "'")
            except (SyntaxErr, IndexError):
                raise self.errorf("invalid syntax") from None
            if text[end:] != "'":
                raise self.errorf(f"malformed character constant: {text}")
            n.is_int = n.is_uint = n.is_float = n.is_char = True
            n.int64 = n.uint64 = value
            n.float64 = float(value)
            return n
        if tok[0] == L.COMPLEX:
            try:
                c = complex(text.replace("i", "j"))
            except ValueError:
                raise self.errorf(f"expected integer; found {text}") from None
            return _simplify_complex(n, c)
        if text.endswith("i"):
            f = parse_float(text[:-1])
            if f is not None:
                return _simplify_complex(n, complex(0, f))
        u = parse_uint(text)
        if u is not None:
            n.is_uint, n.uint64 = True, u
        i = parse_int(text)
        if i is not None:
            n.is_int, n.int64 = True, i
            if i == 0:
                n.is_uint, n.uint64 = True, 0
        if n.is_int:
            n.is_float, n.float64 = True, float(n.int64)
        elif n.is_uint:
            n.is_float, n.float64 = True, float(n.uint64)
        else:
            f = parse_float(text)
            if f is not None:
                if not any(c in text for c in ".eEpP"):
                    raise self.errorf(f"integer overflow: {go_quote(text)}")
                n.is_float, n.float64 = True, f
                if f == int(f) and -(2**63) <= f < 2**63:
                    n.is_int, n.int64 = True, int(f)
                if f == int(f) and 0 <= f < 2**64:
                    n.is_uint, n.uint64 = True, int(f)
        if not (n.is_int or n.is_uint or n.is_float):
            raise self.errorf(f"illegal number syntax: {go_quote(text)}")
        return n


def _simplify_complex(n: NumberNode, c: complex) -> NumberNode:
    n.is_complex = True
    n.complex128 = c
    if c.imag == 0:
        f = c.real
        n.is_float, n.float64 = True, f
        if f == int(f) and -(2**63) <= f < 2**63:
            n.is_int, n.int64 = True, int(f)
        if f == int(f) and 0 <= f < 2**64:
            n.is_uint, n.uint64 = True, int(f)
    return n


def parse(
    name: str,
    text: str,
    funcs: Container[str],
    ldelim: str = "{{",
    rdelim: str = "}}",
) -> dict[str, Tree]:
    """Parse `text` as template `name`; returns it plus every {{define}}/{{block}} inside."""
    return parse_detailed(name, text, funcs, ldelim, rdelim).trees


class ParseResult(NamedTuple):
    trees: dict[str, Tree]
    defined: list[str]  # names of the {{define}}/{{block}} bodies, in order
    max_depth: int  # deepest nesting of controls and parentheses


def parse_detailed(
    name: str,
    text: str,
    funcs: Container[str],
    ldelim: str = "{{",
    rdelim: str = "}}",
) -> ParseResult:
    """`parse`, plus what a cache needs to store the trees independently of `name`."""
    items = L.lex(text, ldelim, rdelim, "break" not in funcs, "continue" not in funcs)
    tree_set: dict[str, Tree] = {}
    stream = _Items(items)
    p = _Parser(name, Source(name, text), stream, funcs, tree_set)
    p.parse()
    p.add()
    return ParseResult(tree_set, stream.defined, stream.max_depth)
