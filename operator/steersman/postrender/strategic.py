"""Strategic merge of a patch into an object, the way kustomize merges (its kyaml walker).

Maps merge field by field; `null` deletes a field. Lists merge only when the schema gives them
the `merge` strategy: objects are matched by the merge key (containers by name, ports by
containerPort, ...), scalars by value; the patch's items come first, then the object's others
(kustomize's prepend order). Any other list is replaced by the patch's. `$patch: delete`
removes a map, a list item or (at the top) the whole object; `$patch: replace` takes the
patch's map or list as it is. The merge key is `x-kubernetes-patch-merge-key`, as Kubernetes
merges (kustomize also keys ports by protocol, and then silently drops a patch that names no
protocol; this merge applies it).
"""

from __future__ import annotations

import copy
from typing import Any

from steersman.postrender.model import PostRenderError
from steersman.postrender.schema import FieldInfo, MergeSchema

DIRECTIVE = "$patch"


class _Deleted:
    """The merge removed this value."""


DELETED = _Deleted()


def _directive(patch: dict[str, Any]) -> str:
    value = patch.get(DIRECTIVE)
    if value is None:
        return "merge"
    if value not in ("merge", "replace", "delete"):
        raise PostRenderError(f"unknown patch strategy '{value}'")
    return str(value)


def _without_directive(patch: dict[str, Any]) -> dict[str, Any]:
    return {k: copy.deepcopy(v) for k, v in patch.items() if k != DIRECTIVE}


class Merger:
    def __init__(self, schema: MergeSchema) -> None:
        self.schema = schema

    def merge_object(self, obj: dict[str, Any], patch: dict[str, Any]) -> Any:
        """The merged object; None when the patch deletes it."""
        api_version = str(patch.get("apiVersion") or obj.get("apiVersion") or "")
        kind = str(patch.get("kind") or obj.get("kind") or "")
        merged = self._map(obj, patch, self.schema.root(api_version, kind))
        return None if merged is DELETED else merged

    def _map(self, dest: dict[str, Any], patch: dict[str, Any], type_name: str | None) -> Any:
        directive = _directive(patch)
        if directive == "delete":
            return DELETED
        if directive == "replace":
            return _without_directive(patch)
        out = copy.deepcopy(dest)
        for key, value in patch.items():
            if key == DIRECTIVE:
                continue
            if value is None:
                out.pop(key, None)
                continue
            merged = self._value(out.get(key), value, self.schema.field(type_name, key))
            if merged is DELETED:
                out.pop(key, None)
            else:
                out[key] = merged
        return out

    def _value(self, dest: Any, patch: Any, field: FieldInfo | None) -> Any:
        ref = field.ref if field else None
        if isinstance(patch, dict):
            return self._map(dest if isinstance(dest, dict) else {}, patch, ref)
        if isinstance(patch, list):
            merging = field is not None and "merge" in field.strategy.split(",")
            if not merging:
                return copy.deepcopy(patch)
            return self._list(dest if isinstance(dest, list) else [], patch, field)  # type: ignore[arg-type]
        return copy.deepcopy(patch)

    def _list(self, dest: list[Any], patch: list[Any], field: FieldInfo) -> Any:
        directive, patch = _list_directive(patch)
        if directive == "delete":
            return DELETED
        if directive == "replace":
            return copy.deepcopy(patch)
        if not field.key:
            return _union_scalars(patch, dest)
        return self._keyed(dest, patch, field)

    def _keyed(self, dest: list[Any], patch: list[Any], field: FieldInfo) -> list[Any]:
        key = field.key
        order: list[str] = []
        by_key: dict[str, tuple[Any, Any]] = {}
        for side, items in ((1, patch), (0, dest)):
            for item in items:
                if not isinstance(item, dict) or item.get(key) is None:
                    continue
                k = _scalar_text(item[key])
                if k not in by_key:
                    order.append(k)
                    by_key[k] = (None, None)
                pair = list(by_key[k])
                if pair[side] is None:
                    pair[side] = item
                by_key[k] = (pair[0], pair[1])
        out: list[Any] = []
        for k in order:
            have, change = by_key[k]
            if change is None:
                out.append(copy.deepcopy(have))
                continue
            merged = self._map(have if have is not None else {}, change, field.ref)
            if merged is DELETED or not merged:
                continue
            merged.setdefault(key, copy.deepcopy(change[key]))
            out.append(merged)
        # Items without the key cannot be matched: the object's stay, after the merged ones.
        out.extend(copy.deepcopy(i) for i in dest if not isinstance(i, dict) or i.get(key) is None)
        return out


def _list_directive(patch: list[Any]) -> tuple[str, list[Any]]:
    """A list's own `$patch` is an item holding only that key (kustomize's reading)."""
    for i, item in enumerate(patch):
        if isinstance(item, dict) and DIRECTIVE in item and len(item) == 1:
            return _directive(item), patch[:i] + patch[i + 1 :]
    return "merge", patch


def _scalar_text(value: Any) -> str:
    """How kyaml compares keys and scalar items: by their YAML text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    return str(value)


def _union_scalars(patch: list[Any], dest: list[Any]) -> list[Any]:
    seen: set[str] = set()
    out: list[Any] = []
    for item in [*patch, *dest]:
        text = _scalar_text(item) if not isinstance(item, dict | list) else repr(item)
        if text not in seen:
            seen.add(text)
            out.append(copy.deepcopy(item))
    return out
