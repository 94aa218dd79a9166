"""RFC 6902 JSON patches, as kustomize applies them (evanphx/json-patch v4): add, remove,
replace, move, copy, test; `-` appends to a list; a missing path is an error."""

from __future__ import annotations

import copy
from typing import Any

from steersman.postrender.model import PostRenderError


def _tokens(pointer: str) -> list[str]:
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise PostRenderError(f"JSON pointer {pointer!r} must start with '/'")
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _index(container: list[Any], token: str, *, adding: bool) -> int:
    if token == "-" and adding:
        return len(container)
    if not token.isdigit():
        raise PostRenderError(f"{token!r} is not a list index")
    i = int(token)
    if i > len(container) or (i == len(container) and not adding):
        raise PostRenderError(f"list index {i} is out of range")
    return i


def _parent(doc: Any, pointer: str) -> tuple[Any, str]:
    tokens = _tokens(pointer)
    if not tokens:
        raise PostRenderError("the whole document cannot be patched")
    node = doc
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list):
            node = node[_index(node, token, adding=False)]
        else:
            raise PostRenderError(f"path {pointer} does not exist")
    return node, tokens[-1]


def _get(doc: Any, pointer: str) -> Any:
    parent, last = _parent(doc, pointer)
    if isinstance(parent, dict):
        if last not in parent:
            raise PostRenderError(f"path {pointer} does not exist")
        return parent[last]
    if isinstance(parent, list):
        return parent[_index(parent, last, adding=False)]
    raise PostRenderError(f"path {pointer} does not exist")


def _add(doc: Any, pointer: str, value: Any) -> None:
    parent, last = _parent(doc, pointer)
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, adding=True), value)
    else:
        raise PostRenderError(f"path {pointer} does not exist")


def _remove(doc: Any, pointer: str) -> Any:
    parent, last = _parent(doc, pointer)
    if isinstance(parent, dict):
        if last not in parent:
            raise PostRenderError(f"path {pointer} does not exist")
        return parent.pop(last)
    if isinstance(parent, list):
        return parent.pop(_index(parent, last, adding=False))
    raise PostRenderError(f"path {pointer} does not exist")


def _operation(doc: dict[str, Any], op: Any) -> None:
    if not isinstance(op, dict) or not isinstance(op.get("path"), str):
        raise PostRenderError("each JSON patch operation needs an 'op' and a 'path'")
    kind, path = op.get("op"), op["path"]
    if kind == "add":
        _add(doc, path, copy.deepcopy(op.get("value")))
    elif kind == "remove":
        _remove(doc, path)
    elif kind == "replace":
        _get(doc, path)  # must exist
        _remove(doc, path)
        _add(doc, path, copy.deepcopy(op.get("value")))
    elif kind in ("move", "copy"):
        source = op.get("from")
        if not isinstance(source, str):
            raise PostRenderError(f"JSON patch '{kind}' needs 'from'")
        value = _remove(doc, source) if kind == "move" else copy.deepcopy(_get(doc, source))
        _add(doc, path, value)
    elif kind == "test":
        if _get(doc, path) != op.get("value"):
            raise PostRenderError(f"test operation failed at {path}")
    else:
        raise PostRenderError(f"unknown JSON patch operation {kind!r}")


def apply_json6902(obj: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    out = copy.deepcopy(obj)
    for op in operations:
        _operation(out, op)
    return out
