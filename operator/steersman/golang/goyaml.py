"""Reading YAML the way Helm does: sigs.k8s.io/yaml.Unmarshal over go-yaml v2.

The pipeline is go-yaml v2 decoding into interface{} (YAML 1.1 typing, `<<` merges, anchors),
then sigs.k8s.io/yaml's conversion of map keys to strings, then a JSON round trip. So every
number in the result is a float64 (`float`), timestamps stay strings, `yes`/`on`/`y` are bools,
`017` is 15, and `on:` as a key becomes "true".

libyaml's C parser (PyYAML's `_yaml.CParser`, the same parser go-yaml was ported from) supplies
the events; building the tree and typing the scalars is done here, following go-yaml.
Errors are `YAMLError`s with Go's wording: `yaml: line 3: mapping values are not allowed in this
context`, wrapped by the callers the way sigs.k8s.io/yaml and Helm wrap them.
"""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml._yaml import CParser

from steersman.golang.floatfmt import format_float
from steersman.golang.jsonout import json_kind
from steersman.golang.quote import go_quote
from steersman.golang.yamlresolve import (
    BINARY,
    FLOAT,
    INT,
    MERGE,
    STR,
    TIMESTAMP,
    resolve_plain,
    resolve_tagged,
)


class YAMLError(ValueError):
    """Go's error text for a YAML document that cannot be read."""


_SCALAR, _SEQ, _MAP, _ALIAS = range(4)


@dataclass(eq=False)
class _Node:
    kind: int
    line: int
    tag: str = ""
    value: str = ""
    plain: bool = False  # libyaml's plain_implicit: untagged plain scalar
    children: list[_Node] = field(default_factory=list)
    alias: _Node | None = None
    anchor: str = ""


def _go_problem(exc: yaml.MarkedYAMLError) -> YAMLError:
    """go-yaml's parser.fail(): `yaml: line N: problem` (N from the problem or context mark)."""
    line = 0
    if exc.problem_mark is not None and exc.problem_mark.line != 0:
        line = exc.problem_mark.line
        if isinstance(exc, yaml.scanner.ScannerError):
            line += 1
    elif exc.context_mark is not None and exc.context_mark.line != 0:
        line = exc.context_mark.line
    where = f"line {line}: " if line else ""
    return YAMLError(f"yaml: {where}{exc.problem or 'unknown problem parsing YAML content'}")


class _Composer:
    """Builds go-yaml's node tree for the first document of a stream."""

    def __init__(self, data: bytes) -> None:
        self.parser = CParser(data)
        self.anchors: dict[str, _Node] = {}

    def first_document(self) -> _Node | None:
        try:
            self.parser.get_event()  # stream start
            event = self.parser.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                return None
            root = self._node(self.parser.get_event())
            self.parser.get_event()  # document end
            return root
        except yaml.MarkedYAMLError as exc:
            raise _go_problem(exc) from None
        except yaml.reader.ReaderError as exc:
            # Encoding problems: go-yaml's reader reports just the reason, with no position.
            raise YAMLError(f"yaml: {exc.reason}") from None
        except yaml.YAMLError as exc:
            raise YAMLError(f"yaml: {exc}") from None

    def _node(self, event: Any) -> _Node:
        line = event.start_mark.line if event.start_mark is not None else 0
        if isinstance(event, yaml.AliasEvent):
            name = event.anchor or ""
            target = self.anchors.get(name)
            if target is None:
                raise YAMLError(f"yaml: unknown anchor '{name}' referenced")
            return _Node(_ALIAS, line, alias=target, anchor=name)
        if isinstance(event, yaml.ScalarEvent):
            node = _Node(_SCALAR, line, tag=event.tag or "", value=event.value)
            node.plain = bool(event.implicit[0])
            self._anchor(node, event.anchor)
            return node
        if isinstance(event, yaml.SequenceStartEvent):
            node = _Node(_SEQ, line, tag=event.tag or "")
            self._anchor(node, event.anchor)
            while True:
                child = self.parser.get_event()
                if isinstance(child, yaml.SequenceEndEvent):
                    return node
                node.children.append(self._node(child))
        if isinstance(event, yaml.MappingStartEvent):
            node = _Node(_MAP, line, tag=event.tag or "")
            self._anchor(node, event.anchor)
            while True:
                child = self.parser.get_event()
                if isinstance(child, yaml.MappingEndEvent):
                    return node
                node.children.append(self._node(child))
                node.children.append(self._node(self.parser.get_event()))
        raise YAMLError(f"yaml: unexpected event {type(event).__name__}")

    def _anchor(self, node: _Node, anchor: str | None) -> None:
        if anchor is not None:
            # Registered before the children are read, as go-yaml does (so `&a [*a]` is a
            # self-reference, reported when decoded).
            self.anchors[anchor] = node


_MAP_KEY_NIL = object()


_ALIAS_RATIO_LOW = 400_000
_ALIAS_RATIO_HIGH = 4_000_000


def _allowed_alias_ratio(decode_count: int) -> float:
    if decode_count <= _ALIAS_RATIO_LOW:
        return 0.99
    if decode_count >= _ALIAS_RATIO_HIGH:
        return 0.10
    span = _ALIAS_RATIO_HIGH - _ALIAS_RATIO_LOW
    return 0.99 - 0.89 * ((decode_count - _ALIAS_RATIO_LOW) / span)


class _Decoder:
    """go-yaml v2's decoder into interface{}: dicts with any-typed keys, lists, scalars.

    It keeps go-yaml's guard against alias bombs: once more than 100 nodes were produced by
    alias expansion and over 1000 overall, a too high share of aliased nodes is an error.
    """

    def __init__(self) -> None:
        self.active_aliases: set[int] = set()
        self.decode_count = 0
        self.alias_count = 0
        self.alias_depth = 0

    def _count(self) -> None:
        self.decode_count += 1
        if self.alias_depth > 0:
            self.alias_count += 1
        if (
            self.alias_count > 100
            and self.decode_count > 1000
            and self.alias_count / self.decode_count > _allowed_alias_ratio(self.decode_count)
        ):
            raise YAMLError("yaml: document contains excessive aliasing")

    def decode(self, node: _Node) -> Any:
        self._count()
        if node.kind == _ALIAS:
            assert node.alias is not None
            if id(node) in self.active_aliases:
                raise YAMLError(f"yaml: anchor '{node.anchor}' value contains itself")
            self.active_aliases.add(id(node))
            self.alias_depth += 1
            try:
                return self.decode(node.alias)
            finally:
                self.alias_depth -= 1
                self.active_aliases.discard(id(node))
        if node.kind == _SCALAR:
            return self._scalar(node)
        if node.kind == _SEQ:
            return [self.decode(child) for child in node.children]
        out: dict[Any, Any] = {}
        self._fill_mapping(node, out)
        return out

    def _scalar(self, node: _Node) -> Any:
        if not node.tag and not node.plain:
            return node.value
        if not node.tag:
            tag, value = resolve_plain(node.value)
        elif node.tag == "!":
            return node.value
        else:
            try:
                tag, value = resolve_tagged(node.tag, node.value)
            except ValueError as exc:
                raise YAMLError(f"yaml: {exc}") from None
            if tag == BINARY:
                try:
                    raw = base64.b64decode(node.value, validate=True)
                except (binascii.Error, ValueError):
                    raise YAMLError("yaml: !!binary value contains invalid base64 data") from None
                return raw.decode("utf-8", "replace")
        if tag == TIMESTAMP:
            # go-yaml keeps timestamp-looking values as strings when decoding into interface{}.
            return node.value
        if tag == MERGE:
            return "<<"
        return value

    def _fill_mapping(self, node: _Node, out: dict[Any, Any]) -> None:
        children = node.children
        for i in range(0, len(children), 2):
            key_node, value_node = children[i], children[i + 1]
            if _is_merge(key_node):
                self._merge(value_node, out)
                continue
            key = self.decode(key_node)
            if isinstance(key, (dict, list)):
                raise YAMLError(f"yaml: invalid map key: {_go_repr(key)}")
            out[_MAP_KEY_NIL if key is None else _Key(key)] = self.decode(value_node)

    def _merge(self, node: _Node, out: dict[Any, Any]) -> None:
        def want_map() -> YAMLError:
            return YAMLError("yaml: map merge requires map or sequence of maps as the value")

        if node.kind == _MAP:
            self._count()
            self._fill_mapping(node, out)
        elif node.kind == _ALIAS:
            assert node.alias is not None
            if node.alias.kind != _MAP:
                raise want_map()
            self._merge_alias(node, out)
        elif node.kind == _SEQ:
            # Earlier maps take precedence, so go-yaml applies them last.
            for child in reversed(node.children):
                target = child.alias if child.kind == _ALIAS else child
                if target is None or target.kind != _MAP:
                    raise want_map()
                if child.kind == _ALIAS:
                    self._merge_alias(child, out)
                else:
                    self._count()
                    self._fill_mapping(child, out)
        else:
            raise want_map()

    def _merge_alias(self, node: _Node, out: dict[Any, Any]) -> None:
        assert node.alias is not None
        self._count()
        self.alias_depth += 1
        try:
            self._count()
            self._fill_mapping(node.alias, out)
        finally:
            self.alias_depth -= 1


def _is_merge(node: _Node) -> bool:
    return node.kind == _SCALAR and node.value == "<<" and (node.plain or node.tag == MERGE)


class _Key:
    """A decoded map key, hashed by Go identity (1 and 1.0 and true are different keys)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __hash__(self) -> int:
        return hash((type(self.value), self.value))

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, _Key)
            and type(other.value) is type(self.value)
            and (other.value == self.value or _both_nan(self.value, other.value))
        )


def _both_nan(a: Any, b: Any) -> bool:
    return isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)


def _go_repr(value: Any, nested: bool = False) -> str:
    """fmt's %#v for decoded values (used in Go's error texts)."""
    if isinstance(value, dict):
        # fmt sorts map keys: nil first; other types in an order Go derives from type
        # identity, approximated here as strings, then the rest.
        def rank(k: Any) -> tuple[int, str]:
            key = _unkey(k)
            return (0 if key is None else 1 if isinstance(key, str) else 2, _go_repr(key, True))

        items = [
            (_go_repr(_unkey(k), True), _go_repr(value[k], True)) for k in sorted(value, key=rank)
        ]
        return "map[interface {}]interface {}{" + ", ".join(f"{k}:{v}" for k, v in items) + "}"
    if isinstance(value, list):
        return "[]interface {}{" + ", ".join(_go_repr(v, True) for v in value) + "}"
    if isinstance(value, str):
        return go_quote(value)
    if value is None:
        return "interface {}(nil)" if nested else "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return format_float(value)
    return str(value)


def _unkey(key: Any) -> Any:
    if key is _MAP_KEY_NIL:
        return None
    return key.value if isinstance(key, _Key) else key


def decode_first_document(data: bytes | str) -> Any:
    """go-yaml v2 Unmarshal into interface{} (first document; None when there is none)."""
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogatepass")
    try:
        root = _Composer(data).first_document()
        if root is None:
            return None
        return _Decoder().decode(root)
    except RecursionError:
        # go-yaml allows deeper nesting; Python's stack does not. Refuse rather than crash.
        raise YAMLError("yaml: document nesting is too deep") from None


def key_string(key: Any, value: Any = None) -> str:
    """sigs.k8s.io/yaml's conversion of a go-yaml map key to a JSON object key."""
    if key is _MAP_KEY_NIL:
        raise YAMLError(
            "unsupported map key of type: %!s(<nil>), key: <nil>, value: " + _go_repr(value)
        )
    value = key.value if isinstance(key, _Key) else key
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        if value > (1 << 63) - 1:
            raise YAMLError(f"unsupported map key of type: uint64, key: 0x{value:x}")
        return str(value)
    if isinstance(value, float):
        text = format_float(value, bits=32)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text)
    raise YAMLError(f"unsupported map key of type: {type(value).__name__}")


def _check_float(value: float) -> float:
    if math.isnan(value) or math.isinf(value):
        raise YAMLError(f"json: unsupported value: {format_float(value)}")
    return value


def jsonify(value: Any, *, floats: bool = True) -> Any:
    """convertToJSONableObject + json.Marshal + json.Unmarshal into interface{}.

    Key conversion errors come first (the whole tree is converted before marshalling); then
    json.Marshal reports the first NaN/Inf in its own walk order (sorted map keys). With
    `floats=False` whole numbers stay `int`, as in the JSON text itself (YAMLToJSON).
    """
    try:
        converted = _convert(value, floats)
        _check_marshalable(converted)
    except RecursionError:
        raise YAMLError("yaml: document nesting is too deep") from None
    return converted


def _convert(value: Any, floats: bool) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            key = key_string(k, v)  # Go converts the key before descending into the value
            out[key] = _convert(v, floats)
        return out
    if isinstance(value, list):
        return [_convert(v, floats) for v in value]
    if floats and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def _check_marshalable(value: Any) -> None:
    if isinstance(value, float):
        _check_float(value)
    elif isinstance(value, dict):
        for k in sorted(value):
            _check_marshalable(value[k])
    elif isinstance(value, list):
        for v in value:
            _check_marshalable(v)


# -- the fast path: one walk over libyaml's events --------------------------------------------
#
# For a document with no tags, anchors, aliases, merges, non-string keys or non-finite floats
# (nearly every document a chart decodes: CRDs, values, labels), go-yaml's decoding plus
# sigs.k8s.io/yaml's JSON round trip is just the plain-scalar typing with whole numbers turned
# into float64. `_fast_unmarshal` builds that result straight from the parser's events, with no
# node tree and no second and third pass, and says "not sure" (`_NOT_SURE`) on anything else,
# which the reference path above then decodes, errors included.

_NOT_SURE = object()
_NO_KEY = object()
# First characters of plain scalars that may resolve to something other than a string
# (yamlresolve's hints, and `<<`); an empty plain scalar is null.
_RESOLVING = frozenset("+-.0123456789yYnNtTfFoO~<")
_SCALAR_EVENT = yaml.ScalarEvent
_MAP_START, _SEQ_START = yaml.MappingStartEvent, yaml.SequenceStartEvent
_MAP_END, _SEQ_END = yaml.MappingEndEvent, yaml.SequenceEndEvent


class _Unsure(Exception):
    """The fast path met something only the reference path models."""


def _plain_scalar(s: str) -> Any:
    """A plain scalar as go-yaml types it and the JSON round trip keeps it."""
    tag, value = resolve_plain(s)
    if tag == INT:
        return float(value)
    return _plain_rest(s, tag, value)


def _plain_json_scalar(s: str) -> Any:
    """The same in the JSON text itself, where whole numbers are still whole."""
    tag, value = resolve_plain(s)
    if tag == INT:
        return value
    return _plain_rest(s, tag, value)


def _plain_rest(s: str, tag: str, value: Any) -> Any:
    if tag == FLOAT:
        if math.isnan(value) or math.isinf(value):
            raise _Unsure  # json.Marshal's error, reported in its own walk order
        return value
    if tag == TIMESTAMP:
        return s
    return value


def _plain_key(s: str) -> str:
    tag, _ = resolve_plain(s)
    if (tag != STR and tag != TIMESTAMP) or s == "<<":
        raise _Unsure  # a non-string key, or a merge
    return s


def _scalar_event(ev: Any, scalar: Callable[[str], Any]) -> Any:
    if ev.anchor is not None or ev.tag is not None:
        raise _Unsure
    s = ev.value
    return scalar(s) if ev.implicit[0] and (not s or s[0] in _RESOLVING) else s


def _collection(get: Any, first: Any, scalar: Callable[[str], Any]) -> Any:
    """The collection starting with event `first`, built level by level without recursion."""
    if first.anchor is not None or first.tag is not None:
        raise _Unsure
    top: Any = {} if type(first) is _MAP_START else []
    root = top
    outer: list[Any] = []
    key: Any = _NO_KEY  # in a mapping: the key whose value comes next
    resolving = _RESOLVING
    while True:
        ev = get()
        cls = type(ev)
        if cls is _SCALAR_EVENT:
            if ev.anchor is not None or ev.tag is not None:
                raise _Unsure
            s = ev.value
            plain = ev.implicit[0] and (not s or s[0] in resolving)
            if type(top) is list:
                top.append(scalar(s) if plain else s)
            elif key is _NO_KEY:
                key = _plain_key(s) if plain else s
            else:
                top[key] = scalar(s) if plain else s
                key = _NO_KEY
        elif cls is _MAP_START or cls is _SEQ_START:
            if ev.anchor is not None or ev.tag is not None:
                raise _Unsure
            new: Any = {} if cls is _MAP_START else []
            if type(top) is list:
                top.append(new)
            elif key is _NO_KEY:
                raise _Unsure  # a collection as a key
            else:
                top[key] = new
            outer.append(top)
            top, key = new, _NO_KEY
        elif cls is _MAP_END or cls is _SEQ_END:
            if not outer:
                return root
            top, key = outer.pop(), _NO_KEY
        else:
            raise _Unsure  # an alias


def _fast_unmarshal(data: bytes, scalar: Callable[[str], Any] = _plain_scalar) -> Any:
    parser = CParser(data)
    get = parser.get_event
    try:
        get()  # stream start
        if type(get()) is yaml.StreamEndEvent:
            return None
        first = get()
        cls = type(first)
        if cls is _SCALAR_EVENT:
            value = _scalar_event(first, scalar)
        elif cls is _MAP_START or cls is _SEQ_START:
            value = _collection(get, first, scalar)
        else:
            return _NOT_SURE
        get()  # document end, read as the reference path reads it (its errors are its own)
    except Exception:  # _Unsure, or an error the reference path words as Go does
        return _NOT_SURE
    return value


def _copy(value: Any) -> Any:
    """A deep copy of a JSON-shaped value (a tenth of the cost of copy.deepcopy)."""
    cls = type(value)
    if cls is dict:
        return {k: _copy(v) for k, v in value.items()}
    if cls is list:
        return [_copy(v) for v in value]
    return value


# Templates often decode the same text twice in a row (`index (... | fromYaml) "metadata"`,
# then the whole of it again): the last big document decoded is kept, never handed out, and
# answered with a copy, which costs a fifth of decoding it. One slot, replaced whole (so
# threads rendering at once only ever see a consistent pair).
_REMEMBER_FROM = 1024
_last: tuple[bytes | None, Any] = (None, None)


def unmarshal(data: bytes | str) -> Any:
    """sigs.k8s.io/yaml.Unmarshal into interface{} (numbers float64); YAMLError on failure.

    The message is the whole Go error, e.g. `error converting YAML to JSON: yaml: line 2: ...`.
    """
    global _last
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    last_raw, last_value = _last
    if raw == last_raw:
        return _copy(last_value)
    fast = _fast_unmarshal(raw)
    if fast is _NOT_SURE:
        return reference_unmarshal(raw)
    if len(raw) >= _REMEMBER_FROM:
        _last = (raw, fast)
        return _copy(fast)
    return fast


def reference_unmarshal(data: bytes | str, *, floats: bool = True) -> Any:
    """`unmarshal` through go-yaml's event-by-event decoder only (what the fast path is held
    to, and where it hands over).

    `floats=False` is the JSON that sigs.k8s.io/yaml.YAMLToJSON writes, read with integers
    kept (what kube's resource builder sends to the apiserver for a manifest document).
    """
    try:
        decoded = decode_first_document(data)
    except YAMLError as exc:
        raise YAMLError(f"error converting YAML to JSON: {exc}") from None
    try:
        return jsonify(decoded, floats=floats)
    except YAMLError as exc:
        raise YAMLError(f"error converting YAML to JSON: {exc}") from None


def yaml_to_json(data: bytes | str) -> Any:
    """sigs.k8s.io/yaml.YAMLToJSON's JSON, read back with whole numbers kept: what kube's
    resource builder makes of a manifest document (`reference_unmarshal(floats=False)`, with
    the same fast path as `unmarshal`)."""
    raw = data.encode("utf-8", "surrogatepass") if isinstance(data, str) else data
    # A `!` may be a tag, which the fast path would only find to hand the document over.
    fast = _NOT_SURE if b"!" in raw else _fast_unmarshal(raw, _plain_json_scalar)
    if fast is _NOT_SURE:
        return reference_unmarshal(raw, floats=False)
    return fast


def unmarshal_map(data: bytes | str) -> dict[str, Any]:
    """sigs.k8s.io/yaml.Unmarshal into map[string]interface{} (an empty/null document is {})."""
    value = unmarshal(data)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise YAMLError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{json_kind(value)} into Go value of type map[string]interface {{}}"
        )
    return value


def unmarshal_list(data: bytes | str) -> list[Any]:
    """sigs.k8s.io/yaml.Unmarshal into []interface{} (Helm's fromYamlArray)."""
    value = unmarshal(data)
    if value is None:
        return []
    if not isinstance(value, list):
        raise YAMLError(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal "
            f"{json_kind(value)} into Go value of type []interface {{}}"
        )
    return value


def from_yaml(text: str) -> dict[str, Any]:
    """Helm's `fromYaml`: the map, or {"Error": message}."""
    try:
        return unmarshal_map(text)
    except YAMLError as exc:
        return {"Error": str(exc)}


def from_yaml_array(text: str) -> list[Any]:
    """Helm's `fromYamlArray`: the list, or [message]."""
    try:
        return unmarshal_list(text)
    except YAMLError as exc:
        return [str(exc)]


__all__ = [
    "YAMLError",
    "decode_first_document",
    "from_yaml",
    "from_yaml_array",
    "jsonify",
    "key_string",
    "reference_unmarshal",
    "unmarshal",
    "unmarshal_list",
    "unmarshal_map",
    "yaml_to_json",
]
