"""kustomize's patch targets: every field an anchored regex (`^(?:...)$`), plus Kubernetes label
and annotation selectors (steersman.labels, the grammar kustomize takes from apimachinery)."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

from steersman import labels
from steersman.postrender.model import PostRenderError, Selector


def _selector(text: str) -> labels.Selector:
    try:
        return labels.parse(text)
    except labels.LabelSelectorError as err:
        raise PostRenderError(str(err)) from None


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
        self.labels = _selector(selector.label_selector)
        self.annotations = _selector(selector.annotation_selector)

    def __call__(self, obj: dict[str, Any]) -> bool:
        for regex, value in self.fields:
            if regex is not None and regex.match(value(obj)) is None:
                return False
        meta = _meta(obj)
        return self.labels(_strings(meta.get("labels"))) and self.annotations(
            _strings(meta.get("annotations"))
        )


def _meta(obj: Mapping[str, Any]) -> Mapping[str, Any]:
    meta = obj.get("metadata")
    return meta if isinstance(meta, Mapping) else {}


def _strings(value: Any) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, Mapping) else {}


def _gvk(obj: Mapping[str, Any]) -> tuple[str, str]:
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    return group, version
