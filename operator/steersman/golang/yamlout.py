"""Helm's `toYaml`: sigs.k8s.io/yaml.Marshal, byte for byte.

Marshal is `json.Marshal`, then go-yaml v2 reading that JSON back (YAML 1.1 typing of numbers),
then go-yaml v2's encoder and libyaml-derived emitter. This module reproduces each step:
`jsonout.to_jsonable` for the first, `_retype_numbers` for the second (integral floats become
ints, NEL folds, control characters fail), and `yamlemit.Emitter`, a re-implementation of the
emitter's block-style state machine (indentation, scalar analysis, style choice, 80-column
folding), for the last. Keys are ordered by go-yaml's natural sort (`sorted_keys`).
"""

from __future__ import annotations

import functools
import re
from typing import Any

from steersman.golang.jsonout import JSONError, go_json_float, to_jsonable
from steersman.golang.types import wrap64
from steersman.golang.yamlemit import Emitter


class YAMLMarshalError(ValueError):
    """The value cannot be marshalled (json.Marshal or go-yaml would fail)."""


def marshal(value: Any) -> str:
    """sigs.k8s.io/yaml.Marshal(value) as text (ends with a newline)."""
    try:
        tree = to_jsonable(value)
        tree = _retype_numbers(tree)
        emitter = Emitter(sorted_keys)
        emitter.document(tree)
    except JSONError as exc:
        raise YAMLMarshalError(f"error marshaling into JSON: {exc}") from exc
    except RecursionError:
        # Go would emit it; Python's stack cannot. Fail like an encoding error, not a crash.
        raise YAMLMarshalError("value nesting is too deep to marshal") from None
    return "".join(emitter.out)


def to_yaml(value: Any) -> str:
    """Helm's `toYaml`: Marshal with one trailing newline trimmed, or "" on error."""
    try:
        text = marshal(value)
    except YAMLMarshalError:
        return ""
    return text[:-1] if text.endswith("\n") else text


def must_to_yaml(value: Any) -> str:
    """Helm v4's `mustToYaml`: like toYaml but the error propagates."""
    text = marshal(value)
    return text[:-1] if text.endswith("\n") else text


# --- step 2: what go-yaml v2 decodes from the JSON text ------------------------------------


def _is_reader_allowed(ch: str) -> bool:
    # go-yaml's reader rejects these raw characters ("control characters are not allowed");
    # encoding/json leaves them unescaped, so they make Marshal fail.
    o = ord(ch)
    return not (0x7F <= o <= 0x9F and o != 0x85) and o not in (0xFFFE, 0xFFFF)


def _read_back(s: str) -> str:
    """The string go-yaml reads from the JSON text of s."""
    if s.isascii() and "\x7f" not in s:
        return s
    for ch in s:
        if not _is_reader_allowed(ch):
            raise YAMLMarshalError("yaml: control characters are not allowed")
    return _fold_nel(s) if "\x85" in s else s


def _fold_nel(s: str) -> str:
    """Line folding of a double-quoted YAML scalar, for the one raw line break JSON leaves in.

    encoding/json escapes every line break but NEL (U+0085); go-yaml's scanner folds it like a
    newline: one break becomes a space, n breaks n-1 newlines, spaces around them vanish.
    """
    out: list[str] = []
    i, n = 0, len(s)
    while i < n:
        j = i
        while j < n and s[j] not in " \x85":
            j += 1
        out.append(s[i:j])
        i = j
        if i >= n:
            break
        spaces: list[str] = []
        breaks: list[str] = []
        leading_break = False
        while i < n and s[i] in " \x85":
            if s[i] == " ":
                if not leading_break:
                    spaces.append(" ")
            elif not leading_break:
                spaces = []
                leading_break = True
            else:
                breaks.append("\n")
            i += 1
        if leading_break:
            out.append("".join(breaks) if breaks else " ")
        else:
            out.append("".join(spaces))
    return "".join(out)


def _number(f: float) -> int | float:
    text = go_json_float(f)
    if "." in text or "e" in text:
        return float(text)
    n = int(text)
    if -(1 << 63) <= n < (1 << 64):
        return n
    return float(text)


def _as_read_back(s: str) -> str:
    return s if s.isascii() and "\x7f" not in s else _read_back(s)


def _retype_numbers(tree: Any) -> Any:
    """Integral float64 values become ints (as JSON text read back by go-yaml)."""
    cls = type(tree)
    if cls is dict:
        out: dict[str, Any] = {}
        for k, v in tree.items():
            if not (k.isascii() and "\x7f" not in k):
                if "\x85" in k:
                    # A JSON key spanning two lines is not a valid simple key for go-yaml.
                    raise YAMLMarshalError("yaml: could not find expected ':'")
                k = _read_back(k)
            # Plain ASCII strings (most values) are kept without a call.
            if type(v) is str and v.isascii() and "\x7f" not in v:
                out[k] = v
            else:
                out[k] = _retype_numbers(v)
        return out
    if cls is list:
        return [_retype_numbers(v) for v in tree]
    if cls is str:
        return _as_read_back(tree)
    if cls is float:
        return _number(tree)
    if isinstance(tree, str):
        return _as_read_back(tree)
    if isinstance(tree, float):
        return _number(tree)
    return tree


# --- go-yaml v2's key order (sorter.go keyList.Less) --------------------------------------


def _key_less(a: str, b: str) -> bool:
    """Letters compare by code point after non-letters; digit runs compare by value."""
    for i in range(min(len(a), len(b))):
        ca, cb = a[i], b[i]
        if ca == cb:
            continue
        al, bl = ca.isalpha(), cb.isalpha()
        if al and bl:
            return ca < cb
        if al or bl:
            return bl
        an = bn = 0
        if ca == "0" or cb == "0":
            j = i - 1
            while j >= 0 and a[j].isdecimal():
                if a[j] != "0":
                    an = bn = 1
                    break
                j -= 1
        ai = i
        while ai < len(a) and a[ai].isdecimal():
            an = wrap64(an * 10 + ord(a[ai]) - 48)
            ai += 1
        bi = i
        while bi < len(b) and b[bi].isdecimal():
            bn = wrap64(bn * 10 + ord(b[bi]) - 48)
            bi += 1
        if an != bn:
            return an < bn
        if ai != bi:
            return ai < bi
        return ca < cb
    return len(a) < len(b)


def _key_cmp(a: str, b: str) -> int:
    if _key_less(a, b):
        return -1
    if _key_less(b, a):
        return 1
    return 0


sort_key = functools.cmp_to_key(_key_cmp)


_LETTERS_ONLY = re.compile(r"[A-Za-z]+\Z")


# Documents repeat the same key sets (every property of a CRD schema has `description`/`type`):
# their order is looked up, up to a bound.
_ORDERS: dict[tuple[str, ...], tuple[str, ...]] = {}
_ORDERS_MAX = 4096


def sorted_keys(keys: Any) -> tuple[str, ...]:
    """Map keys in the order go-yaml v2 writes them."""
    given = tuple(keys)
    order = _ORDERS.get(given)
    if order is None:
        if all(_LETTERS_ONLY.match(k) for k in given):
            # For ASCII letters go-yaml's order is plain code point order.
            order = tuple(sorted(given))
        else:
            order = tuple(sorted(given, key=sort_key))
        if len(_ORDERS) < _ORDERS_MAX:
            _ORDERS[given] = order
    return order
