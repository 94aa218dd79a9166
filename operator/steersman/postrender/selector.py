"""kustomize's patch targets: every field an anchored regex (`^(?:...)$`), plus Kubernetes label
and annotation selectors (`a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from steersman.postrender.model import PostRenderError, Selector

_SET = re.compile(r"^\s*(\S+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ = re.compile(r"^\s*([^=!\s]+)\s*(==|=|!=)\s*(\S*)\s*$")
_EXISTS = re.compile(r"^\s*(!?)([^=!\s()]+)\s*$")

Requirement = Callable[[Mapping[str, str]], bool]


def _split(selector: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for ch in selector:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p for p in parts if p.strip()]


def _requirement(text: str) -> Requirement:
    if m := _SET.match(text):
        key, op, values = m[1], m[2], {v.strip() for v in m[3].split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in values
        return lambda labels: labels.get(key) not in values
    if m := _EQ.match(text):
        key, op, value = m[1], m[2], m[3]
        if op == "!=":
            return lambda labels: labels.get(key) != value
        return lambda labels: labels.get(key) == value
    if m := _EXISTS.match(text):
        negate, key = m[1] == "!", m[2]
        return lambda labels: (key in labels) != negate
    raise PostRenderError(f"invalid selector requirement {text.strip()!r}")


def parse_selector(selector: str) -> list[Requirement]:
    return [_requirement(part) for part in _split(selector)]


def _regex(pattern: str) -> re.Pattern[str] | None:
    if not pattern:
        return None
    try:
        return re.compile(f"^(?:{pattern})$")
    except re.error as err:
        raise PostRenderError(f"invalid target pattern {pattern!r}: {err}") from None


class Matcher:
    def __init__(self, selector: Selector) -> None:
        self.fields: list[tuple[re.Pattern[str] | None, Callable[[Mapping[str, Any]], str]]] = [
            (_regex(selector.group), lambda o: _gvk(o)[0]),
            (_regex(selector.version), lambda o: _gvk(o)[1]),
            (_regex(selector.kind), lambda o: str(o.get("kind") or "")),
            (_regex(selector.name), lambda o: str(_meta(o).get("name") or "")),
            (_regex(selector.namespace), lambda o: str(_meta(o).get("namespace") or "")),
        ]
        self.labels = parse_selector(selector.label_selector)
        self.annotations = parse_selector(selector.annotation_selector)

    def __call__(self, obj: dict[str, Any]) -> bool:
        for regex, value in self.fields:
            if regex is not None and regex.match(value(obj)) is None:
                return False
        meta = _meta(obj)
        labels = _strings(meta.get("labels"))
        annotations = _strings(meta.get("annotations"))
        return all(r(labels) for r in self.labels) and all(r(annotations) for r in self.annotations)


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _gvk(obj: Mapping[str, Any]) -> tuple[str, str]:
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    return group, version
