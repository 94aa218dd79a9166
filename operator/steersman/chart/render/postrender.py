"""The YAML round trip around a post-renderer, as helm v4's renderResources does it: the
rendered files merged into one stream, each document annotated with its file name
(annotateAndMerge), and the post-renderer's output split back into files by that annotation
(splitAndDeannotate).

Helm parses and re-writes every document with kyaml (yaml.v3 nodes: styles, flow collections
and key order kept, two-space indent, sequences not indented under a key, no line folding).
PyYAML's node composer and serializer do the same for the YAML written here; what yaml.v3
keeps and PyYAML cannot reproduce byte for byte (comments, anchors, explicit tags, folded `>`
scalars) is refused with PostRenderYAMLError rather than written differently from helm.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Mapping

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode

from steersman.errors import SteersmanError

FILENAME_ANNOTATION = "postrenderer.helm.sh/postrender-filename"
_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
# fixDocSeparators: `---` glued to content by `{{-` trimming starts a new document
_GLUED_SEPARATOR = re.compile(r"(?m)^---(?=[^\s])")


class PostRenderYAMLError(SteersmanError, ValueError):
    """YAML this round trip cannot write as helm does, or that does not parse."""


def annotate_and_merge(files: Mapping[str, str]) -> str:
    """The stream the post-renderer reads: every document of every file (by name, partials and
    empty files left out), annotated with its file name, joined by `---`."""
    docs: list[Node] = []
    for name in sorted(files):
        content = files[name]
        if posixpath.basename(name).startswith("_") or not content.strip():
            continue
        for node in _unwrap_list(_compose(_GLUED_SEPARATOR.sub("---\n", content), name)):
            if not isinstance(node, MappingNode):
                raise PostRenderYAMLError(f"annotating {name}: wrong node kind")
            annotations = _child_mapping(_child_mapping(node, "metadata"), "annotations")
            annotations.value.append(
                (ScalarNode(_STR, FILENAME_ANNOTATION), ScalarNode(_STR, name, style="'"))
            )
            docs.append(node)
    return _string_all(docs)


def split_and_deannotate(stream: str) -> dict[str, str]:
    """The post-renderer's output back into files: by the annotation, else
    `generated-by-postrender-N.yaml` (N the document's place in the stream)."""
    by_name: dict[str, list[Node]] = {}
    for i, node in enumerate(_unwrap_list(_compose(stream, "the post-renderer's output"))):
        if not isinstance(node, MappingNode):
            raise PostRenderYAMLError("getting metadata: wrong node kind")
        name = _clear_annotation(node) or f"generated-by-postrender-{i}.yaml"
        by_name.setdefault(name, []).append(node)
    return {name: _string_all(docs) for name, docs in by_name.items()}


def run_post_renderer(files: Mapping[str, str], run: Callable[[str], str]) -> dict[str, str]:
    return split_and_deannotate(run(annotate_and_merge(files)))


def _compose(text: str, where: str) -> list[Node]:
    try:
        _refuse_unreproducible(text, where)
        return [n for n in yaml.compose_all(text) if n is not None]
    except yaml.YAMLError as exc:
        raise PostRenderYAMLError(f"parsing {where}: {exc}") from None


def _unwrap_list(docs: list[Node]) -> list[Node]:
    """kyaml's ByteReader: a lone `kind: List` (or ResourceList) document with `items` or
    `functionConfig` stands for its items."""
    if len(docs) != 1 or not isinstance(docs[0], MappingNode):
        return docs
    fields = {k.value: v for k, v in docs[0].value if isinstance(k, ScalarNode)}
    kind = fields.get("kind")
    if not isinstance(kind, ScalarNode) or kind.value not in ("List", "ResourceList"):
        return docs
    if "items" not in fields and "functionConfig" not in fields:
        return docs
    items = fields.get("items")
    if isinstance(items, yaml.SequenceNode):
        return list(items.value)
    return []


def _refuse_unreproducible(text: str, where: str) -> None:
    scalars = []
    for token in yaml.scan(text):
        if isinstance(token, yaml.AnchorToken | yaml.AliasToken | yaml.TagToken):
            raise PostRenderYAMLError(
                f"{where}: anchors, aliases and explicit tags are not supported around a "
                "post-renderer (helm's kyaml round trip is not reproduced for them)"
            )
        if isinstance(token, yaml.ScalarToken):
            if token.style == ">":
                raise PostRenderYAMLError(
                    f"{where}: folded (>) scalars are not supported around a post-renderer "
                    "(helm's kyaml round trip is not reproduced for them)"
                )
            scalars.append((token.start_mark.index, token.end_mark.index))
    for m in re.finditer("#", text):
        if not any(start <= m.start() < end for start, end in scalars):
            raise PostRenderYAMLError(
                f"{where}: comments are not supported around a post-renderer (helm's kyaml "
                "round trip keeps them; steersman cannot write them back as it does)"
            )


def _key_index(mapping: MappingNode, key: str) -> int:
    for i, (k, _) in enumerate(mapping.value):
        if isinstance(k, ScalarNode) and k.value == key:
            return i
    return -1


def _child_mapping(parent: MappingNode, key: str) -> MappingNode:
    """parent[key] as a mapping, created (block style) at the end when missing; an empty flow
    mapping turns block, as yaml.v3 writes a mapping kyaml filled."""
    i = _key_index(parent, key)
    if i >= 0:
        child = parent.value[i][1]
        if not isinstance(child, MappingNode):
            raise PostRenderYAMLError(f"{key} is not a mapping")
        if not child.value:
            child.flow_style = False
        return child
    child = MappingNode(_MAP, [], flow_style=parent.flow_style or False)
    parent.value.append((ScalarNode(_STR, key), child))
    return child


def _clear_annotation(node: MappingNode) -> str:
    """Remove the file-name annotation (and an annotations or metadata map it leaves empty);
    the file name it held, or ""."""
    mi = _key_index(node, "metadata")
    if mi < 0 or not isinstance(node.value[mi][1], MappingNode):
        return ""
    metadata = node.value[mi][1]
    ai = _key_index(metadata, "annotations")
    if ai < 0 or not isinstance(metadata.value[ai][1], MappingNode):
        return ""
    annotations = metadata.value[ai][1]
    fi = _key_index(annotations, FILENAME_ANNOTATION)
    name = ""
    if fi >= 0:
        value = annotations.value.pop(fi)[1]
        name = value.value if isinstance(value, ScalarNode) else ""
    if not annotations.value:
        metadata.value.pop(ai)
    if not metadata.value:
        node.value.pop(mi)
    return str(name)


def _string_all(docs: list[Node]) -> str:
    return "---\n".join(
        yaml.serialize(doc, indent=2, width=1 << 30, allow_unicode=True) for doc in docs
    )
