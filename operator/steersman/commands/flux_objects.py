"""Reading Flux objects by the field table (flux_fields): which fields are set, copying the
MAPPED ones, reporting the NOT_CARRIED and unknown ones; and the small readers every part of
the conversion shares. Hand-written input can hold anything: nothing here assumes a shape.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from steersman.commands.flux_fields import FIELDS, HR, Status, rule_for
from steersman.errors import SteersmanError

UNKNOWN_FIELD = "a field convert does not know (a typo, or a newer Flux API)"

ObjectKey = tuple[str, str | None, str]  # kind, namespace (None when the input has none), name


class NotConvertible(SteersmanError):
    """This HelmRelease cannot be expressed as ours; the message says why, in one line."""


def as_map(value: Any) -> Mapping[str, Any]:
    """`value` when it is a map, else an empty one (hand-written input can hold anything)."""
    return value if isinstance(value, Mapping) else {}


def object_key(obj: Mapping[str, Any]) -> ObjectKey:
    meta = as_map(obj.get("metadata"))
    namespace = meta.get("namespace")
    return str(obj.get("kind")), str(namespace) if namespace else None, str(meta.get("name") or "")


def leaf_paths(obj: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Paths of the set values under `obj` (list items as `[]`); empty maps and nulls are unset."""
    if isinstance(obj, Mapping):
        for key, value in obj.items():
            if value is not None:
                yield from leaf_paths(value, (*prefix, str(key)))
    elif isinstance(obj, list):
        for item in obj:
            yield from leaf_paths(item, (*prefix, "[]"))
    else:
        yield prefix


def dotted(segments: Sequence[str]) -> str:
    return ".".join(segments).replace(".[]", "[]")


def report_dropped(kind: str, obj: Mapping[str, Any], where: str, notes: list[str]) -> None:
    """A line for each present field that a NOT_CARRIED rule covers, or that no rule knows."""
    walked: dict[str, Any] = {"spec": as_map(obj.get("spec"))}
    if kind == HR:  # a source's metadata is not carried anywhere, and nothing is lost by that
        meta = as_map(obj.get("metadata"))
        walked["metadata"] = {
            k: meta[k] for k in ("name", "namespace", "labels", "annotations") if k in meta
        }
    reported: set[str] = set()
    for path in leaf_paths(walked):
        rule = rule_for(kind, path)
        if rule is None:
            line = f"{dotted(path)}: not carried: {UNKNOWN_FIELD}"
        elif rule.status is Status.NOT_CARRIED:
            line = f"{rule.flux}: not carried: {rule.note}"
        else:
            continue
        if line not in reported:
            reported.add(line)
            notes.append(where + line)


def get_path(obj: Any, segments: Sequence[str]) -> Any:
    for part in segments:
        if not isinstance(obj, Mapping):
            return None
        obj = obj.get(part)
    return obj


def set_path(obj: dict[str, Any], segments: Sequence[str], value: Any) -> None:
    for part in segments[:-1]:
        obj = obj.setdefault(part, {})
    obj[segments[-1]] = copy.deepcopy(value)


def copy_mapped(kind: str, source: Mapping[str, Any], out: dict[str, Any]) -> None:
    """Copy the values of the MAPPED rules of `kind`; lists item by item, known keys only."""
    lists: dict[tuple[tuple[str, ...], tuple[str, ...]], list[str]] = {}
    for rule in FIELDS:
        if rule.kind != kind or rule.status is not Status.MAPPED:
            continue
        if "[]" not in rule.segments:
            value = get_path(source, rule.segments)
            if value is not None:
                set_path(out, rule.ours.split("."), value)
            continue
        at = rule.segments.index("[]")
        ours = tuple(rule.ours.replace("[]", ".[]").split("."))
        key = (rule.segments[:at], ours[: ours.index("[]")])
        lists.setdefault(key, []).append(rule.segments[at + 1])
    for (flux_list, our_list), keys in lists.items():
        items = get_path(source, flux_list)
        if not isinstance(items, list) or not items:
            continue
        # One entry per item, a non-map one too (it stays empty, and validation says so).
        copied = [
            {k: copy.deepcopy(v) for k in keys if (v := as_map(item).get(k)) is not None}
            for item in items
        ]
        set_path(out, our_list, copied)
