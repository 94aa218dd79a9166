"""The YAML round trip around a post-renderer, as helm v4's renderResources does it: the
rendered files merged into one stream, each document annotated with its file name
(annotateAndMerge), and the post-renderer's output split back into files by that annotation
(splitAndDeannotate).

Helm parses and re-writes every document with kyaml (kio.ParseAll / StringAll over yaml.v3
nodes). Reproduced here: kyaml's document split (on `\\n---.*\\n`, one document read per part),
a lone `kind: List` unwrapped into its items, and yaml.v3's writer: styles, flow collections,
key order, anchors, aliases and explicit tags kept, two-space indent, sequences not indented
under a key, no line folding, blank lines dropped, yaml.v3's folded (`>`) scalar layout.
PyYAML's event parser keeps what yaml.v3 keeps; its emitter (the same libyaml design as
yaml.v3's) writes it, with yaml.v3's differences added (folded scalars, comments).

Comments are kept where yaml.v3 puts them for the common layouts (comments.py);
any other comment is refused with PostRenderYAMLError naming its line rather than written
differently from helm.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
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

from steersman.chart.render.postrender.comments import (
    Comments,
    Doc,
    Node,
    PostRenderYAMLError,
    attach_comments,
)
from steersman.chart.render.postrender.writer import write_stream

__all__ = [
    "FILENAME_ANNOTATION",
    "PostRenderYAMLError",
    "annotate_and_merge",
    "run_post_renderer",
    "split_and_deannotate",
]

FILENAME_ANNOTATION = "postrenderer.helm.sh/postrender-filename"
# fixDocSeparators: `---` glued to content by `{{-` trimming starts a new document
_GLUED_SEPARATOR = re.compile(r"(?m)^---(?=[^\s])")
# kio.ByteReader's splitDocuments
_SEPARATOR = re.compile(r"\n---.*\n")
# libyaml's parser when PyYAML has it: the same events and marks, faster
_LOADER: Any = getattr(yaml, "CLoader", yaml.Loader)
_MERGE = "tag:yaml.org,2002:merge"
_NULLS = {"", "~", "null", "Null", "NULL"}


def annotate_and_merge(files: Mapping[str, str]) -> str:
    """The stream the post-renderer reads: every document of every file (by name, partials and
    empty files left out), annotated with its file name, joined by `---`."""
    docs: list[Doc] = []
    for name in sorted(files):
        content = files[name]
        if posixpath.basename(name).startswith("_") or not content.strip():
            continue
        for doc in _parse_all(_GLUED_SEPARATOR.sub("---\n", content), f"parsing {name}"):
            annotations = _child_mapping(_child_mapping(doc.root, "metadata"), "annotations")
            annotations.items += [
                Node(ScalarEvent(None, None, (True, False), FILENAME_ANNOTATION)),
                Node(ScalarEvent(None, None, (False, True), name, style="'")),
            ]
            docs.append(doc)
    return write_stream(docs)


def split_and_deannotate(stream: str) -> dict[str, str]:
    """The post-renderer's output back into files: by the annotation, else
    `generated-by-postrender-N.yaml` (N the document's place in the stream)."""
    by_name: dict[str, list[Doc]] = {}
    for i, doc in enumerate(_parse_all(stream, "error parsing YAML")):
        name = _clear_annotation(doc.root) or f"generated-by-postrender-{i}.yaml"
        by_name.setdefault(name, []).append(doc)
    return {name: write_stream(docs) for name, docs in by_name.items()}


def run_post_renderer(files: Mapping[str, str], run: Callable[[str], str]) -> dict[str, str]:
    return split_and_deannotate(run(annotate_and_merge(files)))


def _parse_all(text: str, where: str) -> list[Doc]:
    """kio.ParseAll: the parts between separators, the first document of each, empty and null
    ones left out, a lone List (or ResourceList) replaced by its items."""
    text = text.replace("\r\n", "\n")
    parts: list[str] = []
    prev = 0
    for m in _SEPARATOR.finditer(text):
        rest = m.group()[4:].strip()
        if rest and not rest.startswith("#"):
            raise PostRenderYAMLError(f"{where}: invalid document separator: {m.group().strip()}")
        parts.append(text[prev : m.start()] + "\n")
        prev = m.end()
    parts.append(text[prev:])
    docs: list[Doc] = []
    for part in parts:
        doc = _parse_one(part, where)
        if doc is None or _is_null(doc.root):
            continue
        if not isinstance(doc.root.start, MappingStartEvent):  # kyaml's index annotation
            kind = {SequenceStartEvent: "Sequence", AliasEvent: "Alias"}.get(
                type(doc.root.start), "Scalar"
            )
            raise PostRenderYAMLError(
                f"{where}: wrong node kind: expected MappingNode but got {kind}Node: "
                f"node contents:\n{write_stream([doc])}"
            )
        if len(parts) == 1:
            items = _list_items(doc.root)
            if items is not None:
                return [Doc(item, Comments()) for item in items]
        docs.append(doc)
    return docs


def _parse_one(part: str, where: str) -> Doc | None:
    try:
        events = list(_first_document(yaml.parse(part, Loader=_LOADER)))
        if not events:
            return None
        anchors: set[str] = set()
        for e in events:
            if isinstance(e, AliasEvent) and e.anchor not in anchors:
                raise PostRenderYAMLError(
                    f"{where}: MalformedYAMLError: yaml: unknown anchor '{e.anchor}' referenced"
                )
            anchor = getattr(e, "anchor", None)
            if anchor:
                anchors.add(anchor)
        it = iter(events)
        root = _tree(next(it), it)
        doc = Doc(root, Comments())
        attach_comments(part, doc, where)
        return doc
    except yaml.MarkedYAMLError as exc:
        raise PostRenderYAMLError(
            f"{where}: MalformedYAMLError: yaml: {_go_yaml_error(exc)}"
        ) from None
    except yaml.YAMLError as exc:
        raise PostRenderYAMLError(f"{where}: MalformedYAMLError: yaml: {exc}") from None


def _go_yaml_error(exc: yaml.MarkedYAMLError) -> str:
    """yaml.v3's parser.fail: the context's line (else the problem's), as libyaml counts
    them (from 0) but one more for a scanner error; libyaml's text is go-yaml's."""
    line = 0
    for mark in (exc.context_mark, exc.problem_mark):
        if mark is not None and mark.line:
            line = mark.line + (1 if isinstance(exc, yaml.scanner.ScannerError) else 0)
            break
    where = f"line {line}: " if line else ""
    return where + (exc.problem or "unknown problem parsing YAML content")


def _first_document(events: Iterator[Event]) -> Iterator[Event]:
    """The node events of the first document (yaml.v3's Decoder reads one per part)."""
    for e in events:
        if isinstance(e, StreamStartEvent | DocumentStartEvent):
            continue
        if isinstance(e, DocumentEndEvent | StreamEndEvent):
            return
        if isinstance(e, ScalarEvent) and not e.style:
            e.style = None  # libyaml's parser says "" for plain
        yield e


def _tree(first: Event, rest: Iterator[Event]) -> Node:
    if (
        isinstance(first, ScalarEvent)
        and first.value == "<<"
        and first.style is None
        and first.tag is None
    ):
        first = ScalarEvent(  # yaml.v3 writes the merge key's tag
            first.anchor, _MERGE, (False, False), "<<", first.start_mark, first.end_mark
        )
    node = Node(first)
    if isinstance(first, ScalarEvent | AliasEvent):
        return node
    end = MappingEndEvent if isinstance(first, MappingStartEvent) else SequenceEndEvent
    for e in rest:
        if isinstance(e, end):
            node.end = e
            return node
        node.items.append(_tree(e, rest))
    raise PostRenderYAMLError("unterminated collection")  # the parser reports this first


def _is_null(node: Node) -> bool:
    e = node.start
    return (
        isinstance(e, ScalarEvent)
        and (e.tag in (None, "tag:yaml.org,2002:null") and e.style is None)
        and e.value in _NULLS
    )


def _fields(mapping: Node) -> Iterator[tuple[int, str, Node]]:
    for i in range(0, len(mapping.items) - 1, 2):
        key = mapping.items[i].start
        if isinstance(key, ScalarEvent):
            yield i, key.value, mapping.items[i + 1]


def _field(mapping: Node, key: str) -> tuple[int, Node | None]:
    for i, name, value in _fields(mapping):
        if name == key:
            return i, value
    return -1, None


def _list_items(root: Node) -> list[Node] | None:
    """kyaml's unwrapping: a List or ResourceList with `items` or `functionConfig` stands
    for its items (None: not such a list)."""
    if not isinstance(root.start, MappingStartEvent):
        return None
    _, kind = _field(root, "kind")
    if kind is None or not isinstance(kind.start, ScalarEvent):
        return None
    if kind.start.value not in ("List", "ResourceList"):
        return None
    i, items = _field(root, "items")
    if i < 0 and _field(root, "functionConfig")[0] < 0:
        return None
    if items is None or not isinstance(items.start, SequenceStartEvent):
        return []
    return list(items.items)


def _child_mapping(parent: Node, key: str) -> Node:
    """parent[key] as a mapping; kyaml treats a null or empty value as missing: removed, and
    a block mapping added at the end."""
    i, child = _field(parent, key)
    if child is not None and (_is_null(child) or _is_empty_collection(child)):
        del parent.items[i : i + 2]
        child = None
    if child is not None:
        if not isinstance(child.start, MappingStartEvent):
            raise PostRenderYAMLError(f"{key} is not a mapping")
        return child
    flow = isinstance(parent.start, MappingStartEvent) and bool(parent.start.flow_style)
    child = Node(MappingStartEvent(None, None, True, flow_style=flow), end=MappingEndEvent())
    parent.items += [Node(ScalarEvent(None, None, (True, False), key)), child]
    return child


def _is_empty_collection(node: Node) -> bool:
    return isinstance(node.start, MappingStartEvent | SequenceStartEvent) and not node.items


def _clear_annotation(root: Node) -> str:
    """Remove the file-name annotation (and an annotations or metadata map it leaves empty);
    the file name it held, or ""."""
    mi, metadata = _field(root, "metadata")
    if metadata is None or not isinstance(metadata.start, MappingStartEvent):
        return ""
    ai, annotations = _field(metadata, "annotations")
    if annotations is None or not isinstance(annotations.start, MappingStartEvent):
        return ""
    fi, value = _field(annotations, FILENAME_ANNOTATION)
    name = ""
    if value is not None:
        name = value.start.value if isinstance(value.start, ScalarEvent) else ""
        _drop(annotations, fi)
    if not annotations.items:
        _drop(metadata, ai)
    if not metadata.items:
        _drop(root, mi)
    return str(name)


def _drop(mapping: Node, i: int) -> None:
    """Remove a field; yaml.v3 keeps comments on their nodes, so its comments go with it."""
    del mapping.items[i : i + 2]
