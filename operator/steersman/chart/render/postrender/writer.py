"""yaml.v3's writer as kyaml's ByteWriter sets it up (indent 2, sequences not indented under a
key, no line folding), for the parsed documents of postrender.py.

PyYAML's emitter and yaml.v3's are both libyaml's design and write the same bytes for what
they share; what yaml.v3 does differently is added here: `---` always alone on its line,
its folded-scalar layout (an extra line break after each line of text that is not indented),
and comments (heads before entries at their indent, line comments after values, document
head and foot).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from yaml.emitter import Emitter
from yaml.events import (
    AliasEvent,
    CollectionStartEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)

from steersman.chart.render.postrender.comments import Doc, Group, Node

_BREAKS = "\n\x85\u2028\u2029"


def write_stream(docs: list[Doc]) -> str:
    """The documents as one stream, `---` between them (kio.StringAll)."""
    out = io.StringIO()
    writer = _Writer(out)
    writer.emit(StreamStartEvent())
    for doc in docs:
        start, end = DocumentStartEvent(explicit=False), DocumentEndEvent(explicit=False)
        writer.heads[id(start)] = doc.comments.head
        writer.heads[id(end)] = doc.comments.foot
        writer.emit(start)
        for e in _events(doc.root, writer):
            writer.emit(e)
        writer.emit(end)
    writer.emit(StreamEndEvent())
    return out.getvalue()


def _events(node: Node, writer: _Writer) -> Iterator[Event]:
    if node.head:
        writer.heads[id(node.start)] = node.head
    if node.key_line:
        writer.key_lines[id(node.start)] = node.key_line
    if node.line:  # a flow collection's after its closing bracket
        flow = getattr(node.start, "flow_style", False) and node.end is not None
        writer.lines[id(node.end if flow else node.start)] = node.line
    # an entry's foot is written when the collection moves on: before the next entry or end
    step = 2 if isinstance(node.start, MappingStartEvent) else 1
    for i in range(0, len(node.items), step):
        if node.items[i].foot:
            following = node.items[i + step].start if i + step < len(node.items) else node.end
            item = node.items[i]
            flow = step == 1 and getattr(node.start, "flow_style", False)
            if flow and isinstance(item.start, CollectionStartEvent) and item.end:
                writer.end_feet[id(item.end)] = item.foot  # yaml.v3: on the nested end
            else:
                writer.feet[id(following)] = item.foot
    yield node.start
    for item in node.items:
        yield from _events(item, writer)
    if node.end is not None:
        yield node.end


class _Writer(Emitter):
    stream: io.StringIO

    def __init__(self, stream: io.StringIO) -> None:
        super().__init__(stream, indent=2, width=1 << 30, allow_unicode=True)
        self.heads: dict[int, list[Group]] = {}
        self.lines: dict[int, str] = {}
        self.feet: dict[int, list[str]] = {}
        self.key_lines: dict[int, str] = {}  # by the value's start event
        self.end_feet: dict[int, list[str]] = {}  # after a nested flow's `]` or `,}`
        self._key_line = ""  # a key's line comment no value has taken yet
        self._doc_head: Any = None
        self._foot_indent = -1
        self._trail = False  # a flow item's `,` already written before its line comment

    # comments

    def _text(self, text: str) -> None:
        self.stream.write(text)
        self.column += len(text)
        self.whitespace = False
        self.indention = False

    def _head(self, event: Any) -> None:
        for lines, blank_after in self.heads.get(id(event), ()):
            for line in lines:
                self.write_indent()
                self._text(line)
            if blank_after:
                self.write_line_break()
                self.write_line_break()

    def _line(self, event: Any) -> None:
        text = self.lines.pop(id(event), "")
        if not text:
            return
        if self.flow_level and isinstance(event, ScalarEvent | AliasEvent):
            # yaml.v3 inside a flow collection: `item, # c`, the line ends there
            self.write_indicator(",", False)
            self._trail = True
            self._text(" " + text)
            self.write_line_break()
            return
        first, *more = text.split("\n")
        self._text(" " + first)
        if more:  # a comment after an anchor and the node's own: at the collection's indent
            indent = self.indent
            if isinstance(event, ScalarEvent) and self.indents:
                self.indent = self.indents[-1]  # PyYAML indents a scalar while writing it
            for line in more:
                # yaml.v3 breaks the line and then indents, which at indent 0 (where the
                # break leaves it) is one more break: a blank line
                self.write_line_break()
                self.whitespace = False
                self.write_indent()
                self._text(line)
            self.indent = indent
        if self.flow_level:  # a nested flow collection's: `[[1] # c` then `, 2]`
            self.write_line_break()

    def _foot(self, event: Any) -> None:
        lines = self.feet.get(id(event))
        if lines:
            for line in lines:
                self.write_indent()
                self._text(line)
            self._foot_indent = self.indent or 0

    def write_indent(self) -> None:
        # PyYAML's, and yaml.v3's blank line when going on at the indent of a foot comment
        indent = self.indent or 0
        if (
            not self.indention
            or self.column > indent
            or (self.column == indent and not self.whitespace)
        ):
            self.write_line_break()
        if self._foot_indent == indent:
            self.write_line_break()
        self._foot_indent = -1
        if self.column < indent:
            self.whitespace = True
            self.stream.write(" " * (indent - self.column))
            self.column = indent

    def write_indicator(
        self,
        indicator: str,
        need_whitespace: bool,
        whitespace: bool = False,
        indention: bool = False,
    ) -> None:
        if indicator == "," and self._trail:
            self._trail = False
            return
        if indicator in ("]", "}"):
            self._trail = False
            if indicator == "]" and self.column == 0:  # after a flow item's line comment
                self.write_indent()  # (yaml.v3 leaves `}` at column 0)
        super().write_indicator(indicator, need_whitespace, whitespace, indention)
        if indicator[:1] in ("|", ">") and self.event is not None:
            self._line(self.event)  # yaml.v3 keeps a block scalar's comment on its header

    # states

    def expect_node(
        self,
        root: bool = False,
        sequence: bool = False,
        mapping: bool = False,
        simple_key: bool = False,
    ) -> None:
        if self.flow_level and (sequence or simple_key):
            # a flow item's or key's head comment: on lines of its own, then the item at
            # the flow indent (also after a line comment ended the line)
            if self.heads.get(id(self.event)):
                self._head(self.event)
                if self.column:  # else a blank line after the comment is written
                    self.write_line_break()
            if self.column == 0:
                self.write_indent()
        super().expect_node(root, sequence, mapping, simple_key)

    def expect_document_start(self, first: bool = False) -> None:
        self._doc_head = self.event
        super().expect_document_start(first)
        if self.column:  # yaml.v3 breaks the line after `---`
            self.write_indent()

    def expect_document_root(self) -> None:
        self._head(self._doc_head)
        super().expect_document_root()

    def expect_document_end(self) -> None:
        for lines, blank_before in self.heads.get(id(self.event), ()):
            # after a foot at indent 0, write_indent's blank line is the one before (yaml.v3
            # writes one, not two)
            separated = self._foot_indent == (self.indent or 0)
            self.write_indent()
            if blank_before and not separated:
                self.write_line_break()
            for line in lines:
                self.write_indent()
                self._text(line)
        self._foot_indent = -1  # yaml.v3: no blank line after a last foot at indent 0
        super().expect_document_end()

    def expect_block_mapping_key(self, first: bool = False) -> None:
        self._foot(self.event)
        if first or not isinstance(self.event, MappingEndEvent):
            self._head(self.event)
        super().expect_block_mapping_key(first)

    def expect_block_sequence_item(self, first: bool = False) -> None:
        self._foot(self.event)
        if first or not isinstance(self.event, SequenceEndEvent):
            self._head(self.event)
        super().expect_block_sequence_item(first)

    def expect_block_mapping_simple_value(self) -> None:
        if self._hand_on_key_line(simple=True):
            super().expect_block_mapping_simple_value()

    def expect_block_mapping_value(self) -> None:
        if self._hand_on_key_line(simple=False):
            super().expect_block_mapping_value()

    def _hand_on_key_line(self, simple: bool) -> bool:
        """yaml.v3's key line comment before the value is written: a scalar value without
        a line comment of its own takes it, a block collection has it after `key:`; else it
        waits for the next block mapping value, in this document or a later one. False
        when the value was written here (a block collection with an anchor or tag: the
        comment goes before them, yaml.v3 writes `key: # c` then `&a` on a line of its own,
        which does not parse back)."""
        e: Any = self.event
        self._key_line = self.key_lines.pop(id(e), "") or self._key_line
        if not self._key_line:
            return True
        if isinstance(e, ScalarEvent):
            if id(e) not in self.lines:
                self.lines[id(e)], self._key_line = self._key_line, ""
            return True
        if not isinstance(e, MappingStartEvent | SequenceStartEvent) or e.flow_style:
            return True
        text, self._key_line = self._key_line, ""
        if not e.anchor and (e.tag is None or e.implicit):
            self.lines[id(e)] = text  # written after `key:` (expect_block_mapping)
            return True
        if simple:
            self.write_indicator(":", False)
        else:
            self.write_indent()
            self.write_indicator(":", True, indention=True)
        self.lines[id(e)] = text
        self._line(e)
        self.write_line_break()
        self.states.append(self.expect_block_mapping_key)
        self.expect_node(mapping=True)
        return False

    def expect_block_mapping(self) -> None:
        self._line(self.event)  # `key: # c` over a block collection
        super().expect_block_mapping()

    def expect_block_sequence(self) -> None:
        self._line(self.event)
        super().expect_block_sequence()

    def analyze_scalar(self, scalar: str) -> Any:
        analysis = super().analyze_scalar(scalar)
        if any(ord(ch) > 0xFFFF for ch in scalar):
            # yaml.v3 does not count a 4-byte UTF-8 character printable: double-quoted,
            # escaped (`\U0001F600`)
            analysis.allow_flow_plain = analysis.allow_block_plain = False
            analysis.allow_single_quoted = analysis.allow_block = False
        return analysis

    def choose_scalar_style(self) -> str:
        e: Any = self.event
        if e.style is not None or e.tag is None or e.implicit[0]:
            style = str(super().choose_scalar_style())
            if style and e.implicit[0]:
                e.implicit = (True, True)  # a plain scalar yaml.v3 must quote: no `!` tag
            return style
        # a plain scalar with an explicit tag stays plain (and tagged) in yaml.v3
        implicit, e.implicit = e.implicit, (True, e.implicit[1])
        try:
            return str(super().choose_scalar_style())
        finally:
            e.implicit = implicit

    def process_scalar(self) -> None:
        super().process_scalar()
        # yaml.v3 never ends a document with `...` (its indicator writer clears the flag that
        # a root plain scalar or a `+` chomping indicator sets)
        self.open_ended = False
        self._line(self.event)

    def expect_alias(self) -> None:
        event = self.event
        super().expect_alias()
        self._line(event)

    def _flow_foot(self) -> None:
        """Comment lines before a flow collection's closing bracket: yaml.v3's foot of its
        last entry, after that entry's `,`; the bracket on the next line."""
        lines = self.feet.pop(id(self.event), None)
        if not lines:
            return
        self.write_indicator(",", False)
        for line in lines:
            self.write_indent()
            self._text(line)
        self.write_line_break()

    def _end_foot(self, event: Event | None) -> None:
        lines = self.end_feet.pop(id(event), None)
        if lines:
            for line in lines:
                self.write_indent()
                self._text(line)
            self.write_line_break()

    def expect_flow_sequence_item(self) -> None:
        event = self.event
        if isinstance(event, SequenceEndEvent):
            self._flow_foot()
        super().expect_flow_sequence_item()
        self._line(event)
        self._end_foot(event)

    def expect_first_flow_sequence_item(self) -> None:
        event = self.event
        super().expect_first_flow_sequence_item()
        self._line(event)

    def expect_flow_mapping_key(self) -> None:
        event = self.event
        if isinstance(event, MappingEndEvent):
            self._flow_foot()
            if id(event) in self.end_feet:
                self.write_indicator(",", False)  # yaml.v3: `{a: 2,}` before its foot
        super().expect_flow_mapping_key()
        self._line(event)
        self._end_foot(event)

    def expect_first_flow_mapping_key(self) -> None:
        event = self.event
        super().expect_first_flow_mapping_key()
        self._line(event)

    def write_single_quoted(self, text: str, split: bool = True) -> None:
        super().write_single_quoted(text, split)
        if text[-1:] and text[-1] in _BREAKS and self.column > 1:
            # yaml.v3 does not indent the closing quote after a final line break
            end = self.stream.tell()
            self.stream.seek(end - self.column)
            self.stream.write("'")
            self.stream.truncate()
            self.column = 1

    # yaml.v3's folded scalar: after a line of text that does not start with a blank, a line
    # break is doubled (to fold it back), also at the end; only when the value's first
    # character after its leading breaks is not a blank (yaml.v3 looks there, not at the line)
    def write_folded(self, text: str) -> None:
        hints = self.determine_block_hints(text)
        self.write_indicator(">" + hints, True)
        if hints[-1:] == "+":
            self.open_ended = True
        self.write_line_break()
        first = text.lstrip(_BREAKS)[:1]
        fold = first not in ("", " ", "\t")
        breaks, leading = True, True
        for ch in text:
            if ch in _BREAKS:
                if not breaks and not leading and ch == "\n" and fold:
                    self.write_line_break()
                self.write_line_break(None if ch == "\n" else ch)
                breaks = True
            else:
                if breaks:
                    self.write_indent()
                    leading = ch in " \t"
                self.stream.write(ch)
                self.column += 1
                self.indention = False
                breaks = False
