"""Comments of a document the post-renderer round trip re-writes, attached where yaml.v3
(under kyaml) keeps them, for the layouts measured against helm v4.1.4:

- comment lines before the document's content: the document's head; a blank line after them
  stays (yaml.v3 writes a document head comment and a blank line), also between groups;
- comment lines right before a block mapping key or a `-` item, at its column or left of
  it: written before it at its new column; a blank line after them (yaml.v3's foot comment
  of the previous entry) stays, blank lines before them are dropped; more groups at its
  column parted by blank lines: its head, a blank line between them;
- comment lines deeper than what follows, or left of it when it ends a deeper block: a foot
  of the innermost block still open there (with a blank line after and left of that block:
  the previous entry's);
- a comment after a scalar, an alias or a one-line flow collection on the same line: kept
  after it (` # ...`);
- a comment after `key:` (block): the key's, which yaml.v3's writer hands on to the next
  block mapping value that takes one (key_line; writer.py);
- comment lines at column 0 after the content: the document's foot, after a blank line when
  the source had one (several groups: the blank lines between kept); indented: the foot of
  the block open at their column (deeper than the innermost block: its), between columns the
  document's, also when a blank line and the document's foot follow;
- a blank-line foot of a block sequence's collection item: the next item's (a scalar or an
  alias; before a flow collection dropped);
- inside a multi-line flow collection: after a scalar item or value (or a flow key over a
  scalar value) its line comment, after a nested flow collection its closing comment
  (`[[1] # c` then `, 2]`), after a flow key over a collection or after `[` or `{` dropped;
  comment lines before an item or a key its head (a blank line after kept, unless one is
  before), before the closing bracket the last entry's foot;
- after `-` over a flow collection: the item's head;
- after an anchor or tag: the next node's (a scalar's, joined with its own comment; an
  alias's; a flow collection's, dropped), past `-` and a nested sequence's anchor or tag;
  over a block mapping its first key's (as after `key:`).

Any other comment (comment lines in a flow collection before a value or in groups parted by
a blank line, between a complex key and its value, after the end of a nested block, ...) is
placed by yaml.v3 in ways not reproduced here: PostRenderYAMLError names its line.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml import tokens as tk
from yaml.events import AliasEvent, Event, MappingStartEvent, ScalarEvent, SequenceStartEvent

from steersman.errors import SteersmanError

# comment lines, and whether a blank line separates them from what follows (head) or
# precedes (document foot)
Group = tuple[list[str], bool]

_LOADER: Any = getattr(yaml, "CLoader", yaml.Loader)
_COMMENT = re.compile(r"#[^\n]*")
_ZERO_WIDTH = (tk.BlockEndToken, tk.BlockMappingStartToken, tk.BlockSequenceStartToken)
_OPENERS = (tk.ValueToken, tk.BlockEntryToken)
_ENDS = (tk.StreamEndToken, tk.DocumentEndToken, tk.DocumentStartToken)


class PostRenderYAMLError(SteersmanError, ValueError):
    """YAML this round trip cannot write as helm does, or that does not parse."""


@dataclass(eq=False)
class Node:
    """One node of a document as parsed: its start event, its items (a mapping's keys and
    values alternating), its end event, and the comments written with it."""

    start: Event
    items: list[Node] = field(default_factory=list)
    end: Event | None = None
    head: list[Group] = field(default_factory=list)
    line: str = ""
    foot: list[str] = field(default_factory=list)  # after this entry (a key: after its value)
    key_line: str = ""  # of a value: the comment yaml.v3 keeps on its key (after `key:`)
    # `line` came from an anchor or tag before: the node's own comment joins it (yaml.v3
    # reads both before the node, a line comment of two lines)
    line_open: bool = False

    def has_comments(self) -> bool:
        return bool(self.head or self.line or self.foot or self.key_line)


@dataclass
class Comments:
    head: list[Group] = field(default_factory=list)
    foot: list[Group] = field(default_factory=list)
    # a collection item's foot moved to the next item: yaml.v3 writes a document foot after
    # it in a way not measured
    moved_foot: bool = False


@dataclass
class Doc:
    root: Node
    comments: Comments


@dataclass
class _Comment:
    index: int
    line: int
    column: int
    text: str
    full_line: bool


def attach_comments(text: str, doc: Doc, where: str) -> None:
    """Find the comments of `text` (one document) and attach them to `doc`'s nodes."""
    if "#" not in text:  # nothing to attach: spare the scan
        return
    tokens = _tokens(text)
    comments = _comments(text, tokens)
    real = [t for t in tokens if not isinstance(t, _ZERO_WIDTH)]
    headers = [(i, t) for i, t in enumerate(real) if _is_block_scalar(t)]
    if not comments and not headers:
        return
    lines = text.split("\n")
    starts = _nodes_by_start(doc.root)
    previous_of: dict[int, Node | None] = {}  # filled when first needed
    level = _flow_levels(real)
    for i, t in headers:  # a block scalar's header comment is inside its token
        header = text[t.start_mark.index :].split("\n", 1)[0]
        if "#" in header:
            start, is_value = _value_start(real, i)
            node = _scalar_at(starts, start)
            if node is None or not is_value:
                raise _refused(f"{where}: line {t.start_mark.line + 1}", "a block scalar comment")
            node.line = header[header.index("#") :]
    ends = [t.end_mark.index for t in real]
    begins = [t.start_mark.index for t in real]
    i = 0
    while i < len(comments):
        c = comments[i]
        before = _last_before(ends, c.index)
        after = _first_after(begins, c.index)
        where_line = f"{where}: line {c.line + 1}"
        if before is not None and level[before] > 0:
            i = _flow_comment(comments, i, real, (before, after), starts, lines, where_line)
            continue
        if not c.full_line:
            _line_comment(c, real, before, level, starts, where_line)
            i += 1
            continue
        group = [c]
        # yaml.v3 joins the next line into the comment unless it is left of the innermost
        # block open there (and at another column)
        indent = _block_column(_innermost_open(doc.root, c.index))
        while i + len(group) < len(comments):
            more = comments[i + len(group)]
            if not more.full_line or more.line != group[-1].line + 1:
                break
            if more.column != c.column and (indent is None or more.column < indent):
                break
            group.append(more)
        i += len(group)
        blank_before = group[0].line > 0 and not lines[group[0].line - 1].strip()
        last = group[-1].line
        blank_after = last + 1 < len(lines) and not lines[last + 1].strip()
        prev = real[before] if before is not None else None
        nxt = real[after] if after is not None else None
        # more comment lines (at another column) before what follows
        followed = i < len(comments) and (after is None or comments[i].index < begins[after])
        # right after other comment lines (at another column)
        start = i - len(group)
        after_lines = start > 0 and comments[start - 1].full_line
        after_lines = after_lines and comments[start - 1].line == group[0].line - 1
        # right after other comment lines at this column (a blank line between, no token)
        previous_line = comments[start - 1] if start > 0 else None
        after_group = (
            previous_line is not None
            and previous_line.full_line
            and previous_line.column == group[0].column
            and (before is None or previous_line.index > ends[before])
        )
        # more comment lines at this column before what follows (after a blank line)
        next_line = comments[i] if followed else None
        before_group = (
            next_line is not None and next_line.full_line and next_line.column == group[0].column
        )
        blanks = (blank_before, blank_after, followed, after_lines, after_group, before_group)
        first = comments[0]
        if group[0].line == 1 and blank_after and first.line == 0 and not first.full_line:
            # yaml.v3 tells a foot by the line its scan starts on: not measured there
            raise _refused(where_line, "comment lines and a blank line after the first line")
        _place(doc, group, prev, nxt, blanks, starts, previous_of, where_line)


def _flow_comment(
    comments: list[_Comment],
    i: int,
    tokens: list[tk.Token],
    around: tuple[int, int | None],
    starts: _Starts,
    lines: list[str],
    where: str,
) -> int:
    """A comment inside a multi-line flow collection, as yaml.v3 keeps it: after `[` or `{`
    dropped; after a scalar or alias item or value (before or after its `,`), or after a
    flow key over a scalar value, the value's line comment; comment lines right before a
    scalar item or a key its head. Returns the index of the next comment."""
    before, after = around
    c = comments[i]
    prev = tokens[before]
    if not c.full_line:
        if isinstance(prev, tk.FlowSequenceStartToken | tk.FlowMappingStartToken):
            return i + 1
        nxt = tokens[after] if after is not None else None
        if isinstance(prev, tk.ValueToken) and nxt is not None:
            value = starts.get(nxt.start_mark.index, [])
            if value and _is_collection(value[0]):
                return i + 1  # `{x: # c` over a collection: its end's comment replaces it
            node = _scalar_at(starts, nxt.start_mark.index)  # over a scalar value
            if node is not None and not node.line:
                node.line = c.text
                return i + 1
        j = before - 1 if isinstance(prev, tk.FlowEntryToken) else before
        if j >= 0 and isinstance(tokens[j], tk.FlowSequenceEndToken | tk.FlowMappingEndToken):
            # after a nested flow collection (or its `,`): `[[1] # c` then `, 2]` on the
            # next line
            opening = _matching_start(tokens, j)
            if opening is not None:
                start, _ = _value_start(tokens, opening)
                nested = starts.get(start, [])
                before_it = tokens[_first_of(tokens, opening) - 1]
                items = (tk.FlowSequenceStartToken, tk.FlowEntryToken, tk.ValueToken)
                if nested and not nested[0].line and isinstance(before_it, items):
                    nested[0].line = c.text
                    return i + 1
        if j >= 0 and isinstance(tokens[j], tk.ScalarToken | tk.AliasToken):
            start, _ = _value_start(tokens, j)
            opener = tokens[_first_of(tokens, j) - 1]
            node = _scalar_at(starts, start)
            items = (tk.FlowSequenceStartToken, tk.FlowEntryToken, tk.ValueToken)
            if node is not None and not node.line and isinstance(opener, items):
                node.line = c.text
                return i + 1
        raise _refused(where, "a comment after a flow key or a nested flow collection")
    group = [c]
    while i + len(group) < len(comments) and comments[i + len(group)].full_line:
        more = comments[i + len(group)]
        if more.line != group[-1].line + 1:
            break
        group.append(more)
    nxt = tokens[after] if after is not None else None
    texts = [g.text for g in group]
    # a blank line before is dropped, one after kept (but for one before too)
    blank_before = not lines[group[0].line - 1].strip()
    blank_after = not lines[group[-1].line + 1].strip() and not blank_before
    opens = (tk.FlowSequenceStartToken, tk.FlowMappingStartToken)
    item = isinstance(nxt, (tk.ScalarToken, tk.AliasToken, tk.AnchorToken, tk.TagToken, *opens))
    after_opener = isinstance(prev, tk.FlowSequenceStartToken | tk.FlowEntryToken)
    node = None
    if nxt is not None and (isinstance(nxt, tk.KeyToken) or (item and after_opener)):
        nodes = starts.get(nxt.start_mark.index, [])
        node = nodes[0] if nodes else None
    elif isinstance(nxt, tk.FlowSequenceEndToken | tk.FlowMappingEndToken):
        last = _last_entry(tokens, after, starts) if after is not None else None
        if last is not None and not last.foot:
            # yaml.v3: the last entry's foot, `]` or `}` on the next line (blank lines
            # dropped)
            last.foot = texts
            return i + len(group)
    if node is None or node.head:
        raise _refused(where, "comment lines inside a flow collection but before an item")
    node.head.append((texts, blank_after))
    return i + len(group)


def _last_entry(tokens: list[tk.Token], end: int, starts: _Starts) -> Node | None:
    """The last item (a mapping's last key) of the flow collection closed by tokens[end]."""
    opening = _matching_start(tokens, end)
    if opening is None:
        return None
    nodes = starts.get(_value_start(tokens, opening)[0], [])
    flow = nodes[0] if nodes else None
    if flow is None or not flow.items:
        return None
    return flow.items[-2] if isinstance(flow.start, MappingStartEvent) else flow.items[-1]


def _first_of(tokens: list[tk.Token], i: int) -> int:
    """The first token of the node whose last token is tokens[i] (its anchor or tag)."""
    while i > 0 and isinstance(tokens[i - 1], tk.AnchorToken | tk.TagToken):
        i -= 1
    return i


def _place(
    doc: Doc,
    group: list[_Comment],
    prev: tk.Token | None,
    nxt: tk.Token | None,
    blanks: tuple[bool, bool, bool, bool, bool, bool],
    starts: _Starts,
    previous_of: dict[int, Node | None],
    where: str,
) -> None:
    """Where comment lines (at one column, no blank line between them) go, from the tokens
    around them, the blank lines before and after them and whether more comment lines
    follow or precede them."""
    blank_before, blank_after, followed, after_lines, after_group, before_group = blanks
    texts = [g.text for g in group]
    at = group[0].index
    if prev is None or isinstance(prev, tk.StreamStartToken | tk.DocumentStartToken):
        if nxt is not None and not isinstance(nxt, _ENDS):  # else: a document of comments only
            # groups parted by blank lines kept so; after an explicit `---` yaml.v3 drops the
            # blank line before the content
            last = not followed
            separated = blank_after and not (last and isinstance(prev, tk.DocumentStartToken))
            doc.comments.head.append((texts, separated))
    elif nxt is None or isinstance(nxt, _ENDS):
        if group[0].column and doc.comments.foot:
            # yaml.v3 moves lines of the document's foot onto a block (not reproduced)
            raise _refused(where, "indented comments after the document's foot")
        if group[0].column and not blank_before and after_lines:
            # after other lines split off: by column, as for a last group
            if not _end_foot(doc, at, group[0].column, texts, where):
                raise _refused(where, "indented comments after the content")
        elif group[0].column and not blank_before and followed and not blank_after:
            # more lines at another column: yaml.v3 splits a foot of the innermost block off
            if not _foot(doc.root, at, 0, texts, where):
                raise _refused(where, "indented comments after the content")
        elif group[0].column and not blank_before:
            # last, or a blank line and more comments after: by column, as for a last group
            if not _end_foot(doc, at, group[0].column, texts, where):
                raise _refused(where, "an indented comment after the content")
        elif group[0].column and followed:
            # after a blank line, more after it: yaml.v3 keeps it on a block (not measured)
            raise _refused(where, "indented comments between blank lines after the content")
        elif doc.comments.moved_foot or (
            doc.comments.foot and (group[0].column or not blank_before)
        ):
            raise _refused(where, "comments after the document's content")
        else:
            # the document's foot, with the blank lines between its groups
            doc.comments.foot.append((texts, blank_before))
    elif isinstance(nxt, tk.KeyToken | tk.BlockEntryToken):
        column = nxt.start_mark.column
        # yaml.v3: a foot when what follows closes a deeper block collection, but for lines
        # left of that collection with a blank line after (the previous entry's, as below);
        # else the next entry's head (also when left of it)
        left = group[0].column < column
        at_top = _innermost_open(doc.root, at) is doc.root
        if at_top and (after_lines or followed) and group[0].column != column:
            # yaml.v3 joins lines at several columns into one comment there
            raise _refused(where, "comment lines at several columns")
        if after_lines and group[0].column > column and not blank_before:
            # after other lines split off as a foot: the block open at their column
            if not _end_foot(doc, at, group[0].column, texts, where, root_entry=True):
                raise _refused(where, "comment lines at several columns")
            return
        inner = _innermost_open(doc.root, at)
        mark = inner.start.start_mark if inner is not None else None
        dedented = mark is not None and group[0].column < mark.column
        to_previous = dedented and blank_after and not blank_before
        if (
            group[0].column != column
            and not to_previous
            and _foot(doc.root, at, column, texts, where)
        ):
            return
        deeper = group[0].column > column
        if to_previous and deeper and _at_block_column(doc.root, at, group[0].column, texts, where):
            return
        target = _entry_node(nxt, starts)
        if target is None:
            raise _refused(where, "a comment before a complex key")
        if not blank_after or blank_before:  # blank lines around: the next entry's head
            if (
                after_group
                and blank_before
                and target.head
                and not target.foot  # a collection item's foot pending: not measured
                and group[0].column == column
            ):
                # groups at its column parted by blank lines: yaml.v3 keeps them so, but for
                # the blank line after the last
                target.head[-1] = (target.head[-1][0], True)
                target.head.append((texts, False))
                return
            _add(target.head, (texts, False), where)
            return
        # yaml.v3: the previous entry's foot comment (a blank line follows it when the next
        # line written is at its indent)
        if not previous_of:
            previous_of.update(_previous_entries(doc.root))
        previous = previous_of.get(id(target))
        if previous is None and left and not dedented and not target.head:
            target.head.append((texts, False))  # left of a first entry: no foot of anything
            return
        if previous is None and not target.head and before_group and not left:
            # more groups at its column after the blank line: yaml.v3 keeps them so (alone
            # it drops the blank line)
            target.head.append((texts, True))
            return
        if previous is None or target.head:
            raise _refused(where, "a comment and a blank line before a first entry")
        if _is_collection(previous):
            # a sequence's collection item: yaml.v3 keeps the foot pending and writes it
            # after the next item (a scalar or alias), or loses it (a flow collection)
            if _is_flow_collection(target):
                return
            if not isinstance(target.start, ScalarEvent | AliasEvent) or target.foot:
                raise _refused(where, "a comment and a blank line after a nested collection item")
            _add_foot(target, texts, where)
            doc.comments.moved_foot = True
            return
        _add_foot(previous, texts, where)
    else:
        raise _refused(where, "a comment between a key and its value")


def _foot(root: Node, index: int, column: int, texts: list[str], where: str) -> bool:
    """yaml.v3's foot comment: comment lines indented deeper than what follows belong to the
    last entry of the innermost block collection still open there (whatever their column),
    written after that entry at the collection's indent. False when no such collection is
    deeper than `column` (the lines are then the next entry's head)."""
    inner = _innermost_open(root, index)
    mark = inner.start.start_mark if inner is not None else None
    if inner is None or inner is root or mark is None or mark.column <= column:
        return False
    entries = inner.items[0::2] if isinstance(inner.start, MappingStartEvent) else inner.items
    last = next((n for n in reversed(entries) if _starts_before(n, index)), None)
    if last is None:
        return False
    _add_foot(last, texts, where)
    return True


def _add_foot(entry: Node, texts: list[str], where: str) -> None:
    if entry.foot:  # yaml.v3 keeps the blank line or column change between them
        raise _refused(where, "comment lines in several blocks after one entry")
    entry.foot = list(texts)


def _end_foot(
    doc: Doc, index: int, column: int, texts: list[str], where: str, root_entry: bool = False
) -> bool:
    """Indented comment lines after the content, not deeper than the innermost block: yaml.v3
    makes them the foot of the last entry of the block open there at their column, else
    (between columns) the document's foot (root_entry: the foot of the top mapping's last
    entry); deeper than the innermost block, the foot of its last entry. False when that
    cannot be told."""
    chain = _open_blocks(doc.root, index)
    blocks = chain[1:]
    for depth, node in enumerate(reversed(blocks)):
        entries = node.items[0::2] if isinstance(node.start, MappingStartEvent) else node.items
        mark = entries[0].start.start_mark if entries else None
        if isinstance(node.start, SequenceStartEvent) or mark is None:
            if getattr(node.start, "anchor", None) or getattr(node.start, "tag", None):
                return False  # its start is its anchor's or tag's, not its entries'
            mark = node.start.start_mark
        if mark is not None and (mark.column == column or (depth == 0 and mark.column < column)):
            last = next((n for n in reversed(entries) if _starts_before(n, index)), None)
            if last is None:
                return False
            _add_foot(last, texts, where)
            return True
    if root_entry:
        if not chain or not isinstance(chain[0].start, MappingStartEvent):
            return False
        top = next((n for n in reversed(chain[0].items[0::2]) if _starts_before(n, index)), None)
        if top is None:
            return False
        _add_foot(top, texts, where)
        return True
    if doc.comments.foot or doc.comments.moved_foot:
        return False
    doc.comments.foot.append((texts, False))
    return True


def _block_column(node: Node | None) -> int | None:
    """The column of a block collection's entries (None: not known)."""
    if node is None or not node.items:
        return None
    if isinstance(node.start, MappingStartEvent):
        mark = node.items[0].start.start_mark
    elif getattr(node.start, "anchor", None) or getattr(node.start, "tag", None):
        return None
    else:
        mark = node.start.start_mark
    return mark.column if mark is not None else None


def _at_block_column(root: Node, index: int, column: int, texts: list[str], where: str) -> bool:
    """The foot of the last entry of the block open at `column` (a blank line after the
    lines: yaml.v3's foot there); False when none is open at that column."""
    for node in _open_blocks(root, index)[1:]:
        if _block_column(node) == column:
            entries = node.items[0::2] if isinstance(node.start, MappingStartEvent) else node.items
            last = next((n for n in reversed(entries) if _starts_before(n, index)), None)
            if last is None:
                return False
            _add_foot(last, texts, where)
            return True
    return False


def _open_blocks(root: Node, index: int) -> list[Node]:
    """The block collections still open at `index`, outermost first."""
    chain: list[Node] = []
    node: Node | None = root
    while node is not None and _is_block_collection(node) and _open_at(node, index):
        chain.append(node)
        step = node.items[1::2] if isinstance(node.start, MappingStartEvent) else node.items
        node = next((n for n in reversed(step) if _starts_before(n, index)), None)
    return chain


def _innermost_open(root: Node, index: int) -> Node | None:
    """The innermost block collection still open at `index`."""
    chain = _open_blocks(root, index)
    return chain[-1] if chain else None


def _previous_entries(root: Node) -> dict[int, Node | None]:
    """For every entry (a mapping's key, a sequence's item), by id: the entry before it."""
    out: dict[int, Node | None] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        step = 2 if isinstance(node.start, MappingStartEvent) else 1
        for i in range(0, len(node.items), step):
            out[id(node.items[i])] = node.items[i - step] if i else None
        stack.extend(node.items)
    return out


def _is_block_collection(node: Node) -> bool:
    e = node.start
    return isinstance(e, MappingStartEvent | SequenceStartEvent) and not e.flow_style


def _is_collection(node: Node) -> bool:
    return isinstance(node.start, MappingStartEvent | SequenceStartEvent)


def _is_flow_collection(node: Node) -> bool:
    return _is_collection(node) and bool(getattr(node.start, "flow_style", False))


def _starts_before(node: Node, index: int) -> bool:
    return node.start.start_mark is not None and node.start.start_mark.index < index


def _open_at(node: Node, index: int) -> bool:
    end = node.end.start_mark if node.end is not None else None
    return _starts_before(node, index) and end is not None and end.index > index


def _is_block_scalar(t: tk.Token) -> bool:
    return isinstance(t, tk.ScalarToken) and t.style in ("|", ">")


def _tokens(text: str) -> list[tk.Token]:
    """The tokens of the first document (what follows it is not read by yaml.v3)."""
    out: list[tk.Token] = []
    try:
        for t in yaml.scan(text, Loader=_LOADER):
            out.append(t)
            if isinstance(t, tk.DocumentEndToken) or (
                isinstance(t, tk.DocumentStartToken) and len(out) > 2
            ):
                break
    except yaml.YAMLError:
        pass
    return out


def _comments(text: str, tokens: list[tk.Token]) -> list[_Comment]:
    """Comments lie between tokens (but for a block scalar's header comment)."""
    found: list[_Comment] = []
    newlines = [m.start() for m in re.finditer("\n", text)]
    pos = 0
    spans = sorted(
        (t.start_mark.index, t.end_mark.index)
        for t in tokens
        if t.end_mark.index > t.start_mark.index
    )
    for start, end in [*spans, (len(text), len(text))]:
        if start > pos:
            for m in _COMMENT.finditer(text, pos, start):
                line_start = text.rfind("\n", 0, m.start()) + 1
                found.append(
                    _Comment(
                        m.start(),
                        bisect.bisect_left(newlines, m.start()),
                        m.start() - line_start,
                        m.group(),  # trailing blanks kept, as yaml.v3 does
                        not text[line_start : m.start()].strip(),
                    )
                )
        pos = max(pos, end)
    return found


def _flow_levels(tokens: list[tk.Token]) -> list[int]:
    """The flow nesting level right after each token."""
    out, level = [], 0
    for t in tokens:
        if isinstance(t, tk.FlowSequenceStartToken | tk.FlowMappingStartToken):
            level += 1
        elif isinstance(t, tk.FlowSequenceEndToken | tk.FlowMappingEndToken):
            level -= 1
        out.append(level)
    return out


def _last_before(ends: list[int], index: int) -> int | None:
    i = bisect.bisect_right(ends, index) - 1
    return i if i >= 0 else None


def _first_after(starts: list[int], index: int) -> int | None:
    i = bisect.bisect_right(starts, index)
    return i if i < len(starts) else None


class _Starts(dict[int, list[Node]]):
    """Nodes by where their start event starts, outermost first; `order` sorted."""

    order: list[int]


def _nodes_by_start(root: Node) -> _Starts:
    out = _Starts()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.start.start_mark is not None:
            out.setdefault(node.start.start_mark.index, []).append(node)
        stack.extend(reversed(node.items))
    out.order = sorted(out)
    return out


def _value_start(tokens: list[tk.Token], i: int) -> tuple[int, bool]:
    """Where the node whose last token is tokens[i]'s first part (an anchor or tag) starts,
    and whether it is a value (after `key:` or `-`, or the root)."""
    j = i - 1
    while j >= 0 and isinstance(tokens[j], tk.AnchorToken | tk.TagToken):
        j -= 1
    opener = (*_OPENERS, tk.StreamStartToken, tk.DocumentStartToken)  # or the document's root
    return tokens[j + 1].start_mark.index, j >= 0 and isinstance(tokens[j], opener)


def _line_comment(
    c: _Comment,
    tokens: list[tk.Token],
    before: int | None,
    level: list[int],
    starts: _Starts,
    where: str,
) -> None:
    """A comment after something on its line: a scalar or alias value, a one-line flow
    collection, or `key:` / `-` with its value on the next lines."""
    prev = tokens[before] if before is not None else None
    target: Node | None = None
    if isinstance(prev, tk.ScalarToken | tk.AliasToken) and before is not None:
        start, is_value = _value_start(tokens, before)
        if is_value and level[before] == 0:
            target = _scalar_at(starts, start)
            if target is not None and target.line_open:
                target.line += "\n" + c.text  # yaml.v3 reads both before the scalar
                target.line_open = False
                return
    elif isinstance(prev, tk.FlowSequenceEndToken | tk.FlowMappingEndToken) and before is not None:
        opening = _matching_start(tokens, before)
        if opening is not None:
            start, is_value = _value_start(tokens, opening)
            nodes = starts.get(start, [])
            if is_value and nodes:
                target = nodes[0]
    elif isinstance(prev, tk.BlockEntryToken):
        target = _node_after(prev.end_mark.index, starts)
        if target is not None and _is_flow_collection(target):
            # yaml.v3 gives the comment to the collection's start, and the decoder replaces
            # it with its end's; after `-` it is the item's head
            _add_head_line(target, c.text, where)
            return
    elif isinstance(prev, tk.ValueToken) and before is not None:
        if before and isinstance(
            tokens[before - 1], tk.FlowSequenceEndToken | tk.FlowMappingEndToken
        ):
            raise _refused(where, "a comment after a complex key")  # yaml.v3: after the key
        # yaml.v3: the key's line comment, which its writer hands on to a value (see
        # writer.py)
        _set_key_line(_node_after(prev.end_mark.index, starts), c.text, where)
        return
    elif isinstance(prev, tk.AnchorToken | tk.TagToken) and before is not None:
        start, is_value = _value_start(tokens, before + 1)
        nodes = starts.get(start, [])
        if is_value and nodes:
            target, key = _first_scalar_entry(nodes[0])
            if key:  # yaml.v3: the line comment of the first key (the next token)
                _set_key_line(target, c.text, where)
                return
            if target is not None and _is_flow_collection(target):
                return  # on the flow collection's start: replaced by its end's
            if target is not None and target.line_open:
                target.line += "\n" + c.text  # after a nested anchor or tag
                return
            if target is not None and not target.line:
                target.line, target.line_open = c.text, True
                return
    if target is None or target.line:
        raise _refused(where, "a comment after a key, an anchor or a tag")
    target.line = c.text


def _set_key_line(value: Node | None, text: str, where: str) -> None:
    if value is None:
        raise _refused(where, "a comment after a key, an anchor or a tag")
    # a second one (after `key:`, after an anchor before): yaml.v3 reads both before the
    # key, a line comment of two lines
    value.key_line += "\n" + text if value.key_line else text


def _add_head_line(node: Node, text: str, where: str) -> None:
    """One more head comment line, joined to the group right before the entry."""
    if node.head and not node.head[-1][1]:
        node.head[-1][0].append(text)
    else:
        _add(node.head, ([text], False), where)


def _first_scalar_entry(node: Node) -> tuple[Node | None, bool]:
    """Where yaml.v3 puts a comment after an anchor or tag: on the next node event, past `-`
    and a nested block sequence's anchor or tag. A first scalar or alias
    item, or a flow collection, takes it; a block mapping's first key takes it (True: its
    value is returned, the writer hands the comment on); (None, False) for a complex key."""
    if not _is_block_collection(node):
        return node, False  # the scalar, alias or flow collection the anchor or tag is on
    while _is_block_collection(node):
        first = node.items[0]
        if isinstance(node.start, MappingStartEvent):
            return (node.items[1], True) if isinstance(first.start, ScalarEvent) else (None, False)
        if not _is_block_collection(first):
            return first, False
        node = first
    return None, False


def _scalar_at(starts: _Starts, index: int) -> Node | None:
    nodes = starts.get(index, [])
    return next((n for n in nodes if isinstance(n.start, ScalarEvent | AliasEvent)), None)


def _node_after(index: int, starts: _Starts) -> Node | None:
    i = bisect.bisect_left(starts.order, index)
    return starts[starts.order[i]][0] if i < len(starts.order) else None


def _matching_start(tokens: list[tk.Token], end: int) -> int | None:
    depth = 0
    for i in range(end, -1, -1):
        t = tokens[i]
        if isinstance(t, tk.FlowSequenceEndToken | tk.FlowMappingEndToken):
            depth += 1
        elif isinstance(t, tk.FlowSequenceStartToken | tk.FlowMappingStartToken):
            depth -= 1
            if depth == 0:
                return i
    return None


def _entry_node(token: tk.Token, starts: _Starts) -> Node | None:
    """The key (after `?`-less KeyToken) or the item (after `-`) a head comment belongs to."""
    if isinstance(token, tk.KeyToken):
        return _scalar_at(starts, token.start_mark.index)
    return _node_after(token.end_mark.index, starts)


def _add(groups: list[Group], group: Group, where: str) -> None:
    """At most a group followed by a blank line, then one right before the entry."""
    if groups and (len(groups) > 1 or not groups[0][1]):
        raise _refused(where, "comments separated by blank lines")
    groups.append(group)


def _refused(where: str, what: str) -> PostRenderYAMLError:
    return PostRenderYAMLError(
        f"{where}: {what} is not supported around a post-renderer (helm's kyaml round trip "
        "places it in a way steersman does not reproduce); move or remove the comment"
    )
