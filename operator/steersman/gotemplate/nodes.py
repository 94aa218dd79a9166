"""Parse-tree nodes, mirroring text/template/parse/node.go.

`str(node)` reproduces Go's Node.String(), which appears verbatim in execution errors
(`executing "x" at <.a.b>: ...`). Every node keeps its byte-independent character offset and the
source it came from, so error locations can be computed lazily.
"""

from __future__ import annotations

from typing import Any

from steersman.golang.gostr import to_bytes


class Source:
    """The text a node was parsed from and the top-level name used in error locations."""

    __slots__ = ("parse_name", "text")

    def __init__(self, parse_name: str, text: str) -> None:
        self.parse_name = parse_name
        self.text = text

    def location(self, pos: int) -> str:
        """`NAME:LINE:COL` as Go's ErrorContext prints it (COL is a byte offset in the line)."""
        before = self.text[:pos]
        nl = before.rfind("\n")
        col_text = before if nl < 0 else before[nl + 1 :]
        col = len(to_bytes(col_text))
        line = 1 + before.count("\n")
        return f"{self.parse_name}:{line}:{col}"


class Node:
    __slots__ = ("pos", "src")

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src


class TextNode(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, src: Source, text: str) -> None:
        self.pos = pos  # Node.__init__, inlined: parsing builds many nodes
        self.src = src
        self.text = text

    def __str__(self) -> str:
        return self.text


class ListNode(Node):
    __slots__ = ("nodes",)

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src
        self.nodes: list[Node] = []

    def __str__(self) -> str:
        return "".join(str(n) for n in self.nodes)


class CommentNode(Node):
    __slots__ = ("text",)

    def __init__(self, pos: int, src: Source, text: str) -> None:
        self.pos = pos
        self.src = src
        self.text = text

    def __str__(self) -> str:
        return "{{" + self.text + "}}"


class IdentifierNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, src: Source, ident: str) -> None:
        self.pos = pos
        self.src = src
        self.ident = ident

    def __str__(self) -> str:
        return self.ident


class VariableNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, src: Source, ident: list[str]) -> None:
        self.pos = pos
        self.src = src
        self.ident = ident

    def __str__(self) -> str:
        return ".".join(self.ident)


class DotNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "."


class NilNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "nil"


class FieldNode(Node):
    __slots__ = ("ident",)

    def __init__(self, pos: int, src: Source, ident: list[str]) -> None:
        self.pos = pos
        self.src = src
        self.ident = ident

    def __str__(self) -> str:
        return "".join("." + i for i in self.ident)


class ChainNode(Node):
    __slots__ = ("field", "node")

    def __init__(self, pos: int, src: Source, node: Node) -> None:
        self.pos = pos
        self.src = src
        self.node = node
        self.field: list[str] = []

    def __str__(self) -> str:
        base = f"({self.node})" if isinstance(self.node, PipeNode) else str(self.node)
        return base + "".join("." + f for f in self.field)


class BoolNode(Node):
    __slots__ = ("true",)

    def __init__(self, pos: int, src: Source, true: bool) -> None:
        self.pos = pos
        self.src = src
        self.true = true

    def __str__(self) -> str:
        return "true" if self.true else "false"


class NumberNode(Node):
    """A number literal with every interpretation that fits, as Go's NumberNode."""

    __slots__ = (
        "complex128",
        "float64",
        "int64",
        "is_char",
        "is_complex",
        "is_float",
        "is_int",
        "is_uint",
        "text",
        "uint64",
    )

    def __init__(self, pos: int, src: Source, text: str) -> None:
        self.pos = pos
        self.src = src
        self.text = text
        self.is_int = self.is_uint = self.is_float = self.is_complex = self.is_char = False
        self.int64 = 0
        self.uint64 = 0
        self.float64 = 0.0
        self.complex128 = 0j

    def __str__(self) -> str:
        return self.text


class StringNode(Node):
    __slots__ = ("quoted", "text")

    def __init__(self, pos: int, src: Source, quoted: str, text: str) -> None:
        self.pos = pos
        self.src = src
        self.quoted = quoted
        self.text = text

    def __str__(self) -> str:
        return self.quoted


class EndNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{end}}"


class ElseNode(Node):
    __slots__ = ("line",)

    def __init__(self, pos: int, src: Source, line: int) -> None:
        self.pos = pos
        self.src = src
        self.line = line

    def __str__(self) -> str:
        return "{{else}}"


class BreakNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{break}}"


class ContinueNode(Node):
    __slots__ = ()

    def __str__(self) -> str:
        return "{{continue}}"


class CommandNode(Node):
    __slots__ = ("args",)

    def __init__(self, pos: int, src: Source) -> None:
        self.pos = pos
        self.src = src
        self.args: list[Node] = []

    def __str__(self) -> str:
        return " ".join(f"({a})" if isinstance(a, PipeNode) else str(a) for a in self.args)


class PipeNode(Node):
    __slots__ = ("cmds", "decl", "is_assign", "line")

    def __init__(self, pos: int, src: Source, line: int) -> None:
        self.pos = pos
        self.src = src
        self.line = line
        self.is_assign = False
        self.decl: list[VariableNode] = []
        self.cmds: list[CommandNode] = []

    def __str__(self) -> str:
        s = ""
        if self.decl:
            s = ", ".join(str(v) for v in self.decl) + (" = " if self.is_assign else " := ")
        return s + " | ".join(str(c) for c in self.cmds)


class ActionNode(Node):
    __slots__ = ("line", "pipe")

    def __init__(self, pos: int, src: Source, line: int, pipe: PipeNode) -> None:
        self.pos = pos
        self.src = src
        self.line = line
        self.pipe = pipe

    def __str__(self) -> str:
        return "{{" + str(self.pipe) + "}}"


class BranchNode(Node):
    """if / range / with."""

    __slots__ = ("else_list", "line", "list", "pipe")
    keyword = ""

    def __init__(
        self,
        pos: int,
        src: Source,
        line: int,
        pipe: PipeNode,
        lst: ListNode,
        else_list: ListNode | None,
    ) -> None:
        self.pos = pos
        self.src = src
        self.line = line
        self.pipe = pipe
        self.list = lst
        self.else_list = else_list

    def __str__(self) -> str:
        s = "{{" + self.keyword + " " + str(self.pipe) + "}}" + str(self.list)
        if self.else_list is not None:
            s += "{{else}}" + str(self.else_list)
        return s + "{{end}}"


class IfNode(BranchNode):
    __slots__ = ()
    keyword = "if"


class RangeNode(BranchNode):
    __slots__ = ()
    keyword = "range"


class WithNode(BranchNode):
    __slots__ = ()
    keyword = "with"


class TemplateNode(Node):
    __slots__ = ("line", "name", "pipe")

    def __init__(self, pos: int, src: Source, line: int, name: str, pipe: PipeNode | None) -> None:
        self.pos = pos
        self.src = src
        self.line = line
        self.name = name
        self.pipe = pipe

    def __str__(self) -> str:
        from steersman.golang.fmt import go_quote

        if self.pipe is None:
            return "{{template " + go_quote(self.name) + "}}"
        return "{{template " + go_quote(self.name) + " " + str(self.pipe) + "}}"


def is_empty_tree(n: Any) -> bool:
    """parse.IsEmptyTree: nothing but spaces and comments."""
    if n is None or isinstance(n, CommentNode):
        return True
    if isinstance(n, ListNode):
        return all(is_empty_tree(c) for c in n.nodes)
    if isinstance(n, TextNode):
        return n.text.strip(" \t\n\v\f\r\x85\xa0") == ""
    return False
