"""YAML 1.1 implicit typing of plain scalars, the way go-yaml v2 (resolve.go) does it.

Used both when reading YAML (a plain `yes` is a bool) and when writing it (a string that would
read back as another type must be quoted). Integer parsing follows Go's strconv.ParseInt with
base 0, timestamps Go's time.Parse with go-yaml's four layouts.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from steersman.golang.strconv import parse_float, parse_int, parse_uint

STR: Final = "tag:yaml.org,2002:str"
BOOL: Final = "tag:yaml.org,2002:bool"
INT: Final = "tag:yaml.org,2002:int"
FLOAT: Final = "tag:yaml.org,2002:float"
NULL: Final = "tag:yaml.org,2002:null"
TIMESTAMP: Final = "tag:yaml.org,2002:timestamp"
MERGE: Final = "tag:yaml.org,2002:merge"
BINARY: Final = "tag:yaml.org,2002:binary"

_SPECIAL: dict[str, tuple[str, Any]] = {}
for _words, _item in (
    (("y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"), (BOOL, True)),
    (("n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"), (BOOL, False)),
    (("", "~", "null", "Null", "NULL"), (NULL, None)),
    ((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    ((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    (("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    (("<<",), (MERGE, "<<")),
):
    for _w in _words:
        _SPECIAL[_w] = _item

# First-character hints (resolve.go's resolveTable): S sign, D digit, M word in the table, '.'.
_HINT: dict[str, str] = {"+": "S", "-": "S", ".": "."}
_HINT.update(dict.fromkeys("0123456789", "D"))
_HINT.update(dict.fromkeys("yYnNtTfFoO~", "M"))

_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+([eE][-+]?[0-9]+)?\Z")
_BASE60 = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")


def resolve_plain(s: str) -> tuple[str, Any]:
    """(tag, value) of an untagged plain scalar. Timestamps come back as their text."""
    hint = _HINT.get(s[0]) if s else "N"
    if hint is None:
        return STR, s
    special = _SPECIAL.get(s)
    if special is not None:
        return special
    if hint == ".":
        if _DOT_FLOAT.match(s):
            f = parse_float(s)
            if f is not None:
                return FLOAT, f
    elif hint in ("D", "S"):
        if is_timestamp(s):
            return TIMESTAMP, s
        plain = s.replace("_", "")
        if plain:
            n = parse_int(plain)
            if n is not None:
                return INT, n
            if plain[0] not in "+-":
                n = parse_uint(plain)
                if n is not None:
                    return INT, n
            if _YAML_FLOAT.match(plain):
                f = parse_float(plain)
                if f is not None:
                    return FLOAT, f
            # go-yaml's explicit 0b fallbacks are covered by ParseInt's base-0 prefixes.
    return STR, s


def resolve_tagged(tag: str, s: str) -> tuple[str, Any]:
    """resolve(tag, s) for an explicitly tagged scalar; ValueError when the tag does not fit."""
    if tag not in (STR, BOOL, INT, FLOAT, NULL, TIMESTAMP):
        return tag, s
    if tag == STR:
        return STR, s
    rtag, value = resolve_plain(s)
    if rtag == tag:
        return rtag, value
    if tag == FLOAT and rtag == INT:
        return FLOAT, float(value)
    raise ValueError(f"cannot decode {short_tag(rtag)} `{s}` as a {short_tag(tag)}")


def short_tag(tag: str) -> str:
    prefix = "tag:yaml.org,2002:"
    return "!!" + tag[len(prefix) :] if tag.startswith(prefix) else tag


def is_base60_float(s: str) -> bool:
    """go-yaml quotes sexagesimal-looking strings (`1:20`) for older YAML 1.1 readers."""
    if not s or not (s[0] in "+-" or "0" <= s[0] <= "9") or ":" not in s:
        return False
    return _BASE60.match(s) is not None


# --- timestamps: go-yaml tries these Go layouts with time.Parse ----------------------------

_NUM12 = r"([0-9][0-9]?)"
_DATE = r"([0-9]{4})-" + _NUM12 + "-" + _NUM12
_TIME = _NUM12 + ":" + _NUM12 + ":" + _NUM12 + r"(?:[.,][0-9]+)?"
_ZONE = r"(?:Z|[+-]([0-9]{2}):([0-9]{2}))"
_LAYOUTS = (
    re.compile(_DATE + "T" + _TIME + _ZONE + r"\Z"),
    re.compile(_DATE + "t" + _TIME + _ZONE + r"\Z"),
    re.compile(_DATE + " " + _TIME + r"\Z"),
    re.compile(_DATE + r"\Z"),
)
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _valid_date(year: int, month: int, day: int) -> bool:
    if not 1 <= month <= 12:
        return False
    days = _MONTH_DAYS[month - 1]
    if month == 2 and (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)):
        days = 29
    return 1 <= day <= days


def is_timestamp(s: str) -> bool:
    """go-yaml's parseTimestamp: starts with YYYY- and parses with one of its layouts."""
    if len(s) < 5 or not s[:4].isascii() or not s[:4].isdigit() or s[4] != "-":
        return False
    for layout in _LAYOUTS:
        m = layout.match(s)
        if m is None:
            continue
        g = m.groups()
        if not _valid_date(int(g[0]), int(g[1]), int(g[2])):
            continue
        if len(g) > 3:
            hour, minute, sec = int(g[3]), int(g[4]), int(g[5])
            if hour > 23 or minute > 59 or sec > 59:
                continue
            if len(g) > 6 and g[6] is not None and (int(g[6]) > 24 or int(g[7]) > 60):
                continue
        return True
    return False


# YAML 1.1's "value key" type (a plain `=`): go-yaml has none and reads `=` as a string, where
# PyYAML's loaders resolve it to a tag they then cannot construct.
_VALUE_TAG: Final = "tag:yaml.org,2002:value"
_TIMESTAMP_TAG: Final = "tag:yaml.org,2002:timestamp"


def go_like_loader(base: Any, *, timestamps: bool = True) -> Any:
    """A subclass of the PyYAML loader `base` whose implicit types are go-yaml's: no `=` value
    type; with `timestamps=False` no timestamps either (sigs.k8s.io/yaml keeps them strings)."""
    dropped = {_VALUE_TAG} if timestamps else {_VALUE_TAG, _TIMESTAMP_TAG}
    loader: Any = type(f"GoLike{base.__name__}", (base,), {})
    loader.yaml_implicit_resolvers = {
        first: [(tag, rx) for tag, rx in resolvers if tag not in dropped]
        for first, resolvers in base.yaml_implicit_resolvers.items()
    }
    return loader
