"""Semantic versions and constraints with Masterminds/semver v3 (v3.4) rules.

Used by Sprig's `semver`/`semverCompare`, by the chart `kubeVersion` check and, later, by
dependency version resolution. Parsing follows `NewVersion` with coercion on (the library
default): `1`, `1.2`, `v1.2.3` and leading zeros (`01.2.3`) are accepted. Constraints follow
`NewConstraint`: `||` for OR, comma or whitespace for AND, `x`/`X`/`*` wildcards, `~ ~> ^`,
`= != > < >= => <= =<` and hyphen ranges `1.2 - 1.4`. A pre-release version only satisfies an
AND group when some constraint in that group itself names a pre-release.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import total_ordering

MAX_UINT64 = (1 << 64) - 1

_NUM = frozenset("0123456789")
_ALLOWED = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789")

# Go's \s is ASCII [\t\n\f\r ] only; spell it out so Python's wider \s does not leak in.
_WS = r"[\t\n\f\r ]"
_LOOSE = re.compile(
    r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_CV = (
    r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
    r"(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^"
_CONSTRAINT = re.compile(rf"^{_WS}*({_OPS}){_WS}*({_CV}){_WS}*\Z")
_RANGE = re.compile(rf"{_WS}*({_CV}){_WS}+-{_WS}+({_CV}){_WS}*")
_FIND = re.compile(rf"({_OPS}){_WS}*({_CV})")
_VALID = re.compile(
    rf"^({_WS}*({_OPS}){_WS}*({_CV}){_WS}*)((?:{_WS}+|,{_WS}*)({_OPS}){_WS}*({_CV}){_WS}*)*\Z"
)


class SemverError(ValueError):
    """A version or constraint that does not parse; the message is Masterminds' error text."""


def _only(s: str, allowed: frozenset[str]) -> bool:
    return all(c in allowed for c in s)


def _parse_uint(s: str) -> int:
    n = int(s)
    if n > MAX_UINT64:
        raise SemverError(
            f'error parsing version segment: strconv.ParseUint: parsing "{s}": value out of range'
        )
    return n


def validate_prerelease(p: str) -> None:
    for part in p.split("."):
        if part == "":
            raise SemverError("invalid prerelease string")
        if _only(part, _NUM):
            if len(part) > 1 and part[0] == "0":
                raise SemverError("version segment starts with 0")
        elif not _only(part, _ALLOWED):
            raise SemverError("invalid prerelease string")


def validate_metadata(m: str) -> None:
    for part in m.split("."):
        if part == "" or not _only(part, _ALLOWED):
            raise SemverError("invalid metadata string")


@total_ordering
@dataclass(frozen=True, eq=False)
class Version:
    major: int
    minor: int
    patch: int
    prerelease: str = ""
    metadata: str = ""
    original: str = field(default="")

    @classmethod
    def parse(cls, v: str) -> Version:
        """`NewVersion` (coercing): loose forms accepted, whole string must match."""
        m = _LOOSE.fullmatch(v)
        if m is None:
            raise SemverError("invalid semantic version")
        major = _parse_uint(m.group(1))
        minor = _parse_uint(m.group(2)[1:]) if m.group(2) else 0
        patch = _parse_uint(m.group(3)[1:]) if m.group(3) else 0
        pre = m.group(5) or ""
        meta = m.group(8) or ""
        if pre:
            validate_prerelease(pre)
        if meta:
            validate_metadata(meta)
        return cls(major, minor, patch, pre, meta, v)

    @classmethod
    def parse_strict(cls, v: str) -> Version:
        """`StrictNewVersion`: exactly MAJOR.MINOR.PATCH[-pre][+meta], no `v`, no leading 0."""
        if v == "":
            raise SemverError("version string empty")
        parts = v.split(".", 2)
        if len(parts) != 3:
            raise SemverError("invalid semantic version")
        meta = pre = ""
        if "+" in parts[2]:
            parts[2], meta = parts[2].split("+", 1)
            validate_metadata(meta)
        if "-" in parts[2]:
            parts[2], pre = parts[2].split("-", 1)
            validate_prerelease(pre)
        for p in parts:
            if not _only(p, _NUM):
                raise SemverError("invalid characters in version")
            if len(p) > 1 and p[0] == "0":
                raise SemverError("version segment starts with 0")
        nums = []
        for p in parts:
            if p == "":
                raise SemverError(f'strconv.ParseUint: parsing "{p}": invalid syntax')
            nums.append(_parse_uint(p))
        return cls(nums[0], nums[1], nums[2], pre, meta, v)

    def __str__(self) -> str:
        s = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            s += "-" + self.prerelease
        if self.metadata:
            s += "+" + self.metadata
        return s

    def compare(self, o: Version) -> int:
        """-1, 0 or 1; metadata is ignored, a pre-release sorts before its release."""
        for a, b in (
            (self.major, o.major),
            (self.minor, o.minor),
            (self.patch, o.patch),
        ):
            if a != b:
                return -1 if a < b else 1
        if self.prerelease == o.prerelease == "":
            return 0
        if self.prerelease == "":
            return 1
        if o.prerelease == "":
            return -1
        return _compare_prerelease(self.prerelease, o.prerelease)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self.compare(other) == 0

    def __lt__(self, other: Version) -> bool:
        return self.compare(other) < 0

    def __hash__(self) -> int:
        return hash((self.major, self.minor, self.patch, self.prerelease))


def _compare_prerelease(a: str, b: str) -> int:
    sa, sb = a.split("."), b.split(".")
    for i in range(max(len(sa), len(sb))):
        d = _compare_pre_part(sa[i] if i < len(sa) else "", sb[i] if i < len(sb) else "")
        if d:
            return d
    return 0


def _as_uint(s: str) -> int | None:
    if s and _only(s, _NUM):
        n = int(s)
        return n if n <= MAX_UINT64 else None
    return None


def _compare_pre_part(s: str, o: str) -> int:
    if s == o:
        return 0
    if s == "":
        return -1
    if o == "":
        return 1
    si, oi = _as_uint(s), _as_uint(o)
    if si is None and oi is None:
        return 1 if s > o else -1
    if oi is None:
        return -1  # s is numeric, o is not: numbers sort first
    if si is None:
        return 1
    return 1 if si > oi else -1


def _is_x(s: str) -> bool:
    return s in ("x", "X", "*")


@dataclass(frozen=True)
class _Constraint:
    con: Version
    orig: str
    op: str
    dirty: bool
    minor_dirty: bool
    patch_dirty: bool


def _parse_one(c: str) -> _Constraint:
    if c == "":
        return _Constraint(Version(0, 0, 0, original="0.0.0"), "", "", True, False, False)
    m = _CONSTRAINT.match(c)
    if m is None:
        raise SemverError(f"improper constraint: {c}")
    op, orig = m.group(1), m.group(2)
    g3, g4, g5, g6 = m.group(3), m.group(4) or "", m.group(5) or "", m.group(6) or ""
    ver, dirty, minor_dirty, patch_dirty = orig, False, False, False
    if _is_x(g3) or g3 == "":
        ver, dirty = f"0.0.0{g6}", True
    elif _is_x(g4[1:]) or g4 == "":
        ver, dirty, minor_dirty = f"{g3}.0.0{g6}", True, True
    elif _is_x(g5[1:]) or g5 == "":
        ver, dirty, patch_dirty = f"{g3}{g4}.0{g6}", True, True
    try:
        con = Version.parse(ver)
    except SemverError:
        raise SemverError("constraint parser error") from None
    return _Constraint(con, orig, op, dirty, minor_dirty, patch_dirty)


def _rewrite_range(c: str) -> str:
    out = c
    for m in _RANGE.finditer(c):
        out = out.replace(m.group(0), f">= {m.group(1)}, <= {m.group(11)} ", 1)
    return out


_Check = Callable[[Version, _Constraint], bool]


def _not_equal(v: Version, c: _Constraint) -> bool:
    if c.dirty:
        if c.con.major != v.major:
            return True
        if c.con.minor != v.minor and not c.minor_dirty:
            return True
        if c.minor_dirty:
            return False
        if c.con.patch != v.patch and not c.patch_dirty:
            return True
        if c.patch_dirty:
            if v.prerelease or c.con.prerelease:
                return _compare_prerelease(v.prerelease, c.con.prerelease) != 0
            return False
    return v.compare(c.con) != 0


def _greater(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) == 1
    if v.major != c.con.major:
        return v.major > c.con.major
    if c.minor_dirty:
        return False
    if c.patch_dirty:
        return v.minor > c.con.minor
    return v.compare(c.con) == 1


def _less_equal(v: Version, c: _Constraint) -> bool:
    if not c.dirty:
        return v.compare(c.con) <= 0
    if v.major > c.con.major:
        return False
    return not (v.major == c.con.major and v.minor > c.con.minor and not c.minor_dirty)


def _tilde(v: Version, c: _Constraint) -> bool:
    if v.compare(c.con) < 0:
        return False
    con = c.con
    if con.major == con.minor == con.patch == 0 and not c.minor_dirty and not c.patch_dirty:
        return True
    if v.major != con.major:
        return False
    return not (v.minor != con.minor and not c.minor_dirty)


def _tilde_or_equal(v: Version, c: _Constraint) -> bool:
    if c.dirty:
        return _tilde(v, c)
    return v.compare(c.con) == 0


def _caret(v: Version, c: _Constraint) -> bool:
    con = c.con
    if v.compare(con) < 0:
        return False
    if con.major > 0 or c.minor_dirty:
        return v.major == con.major
    if v.major > 0:
        return False
    if con.minor > 0 or c.patch_dirty:
        return v.minor == con.minor
    if v.minor > 0:
        return False
    return v.patch == con.patch


_OPS_TABLE: dict[str, _Check] = {
    "": _tilde_or_equal,
    "=": _tilde_or_equal,
    "!=": _not_equal,
    ">": _greater,
    "<": lambda v, c: v.compare(c.con) < 0,
    ">=": lambda v, c: v.compare(c.con) >= 0,
    "=>": lambda v, c: v.compare(c.con) >= 0,
    "<=": _less_equal,
    "=<": _less_equal,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


@dataclass(frozen=True)
class Constraints:
    """A parsed constraint string: OR of AND groups."""

    groups: tuple[tuple[_Constraint, ...], ...]
    group_has_pre: tuple[bool, ...]
    text: str

    @classmethod
    def parse(cls, text: str) -> Constraints:
        c = _rewrite_range(text)
        groups: list[tuple[_Constraint, ...]] = []
        has_pre: list[bool] = []
        for part in c.split("||"):
            if not _VALID.match(part):
                raise SemverError(f"improper constraint: {part}")
            found = [m.group(0) for m in _FIND.finditer(part)] or [part]
            parsed = tuple(_parse_one(s) for s in found)
            groups.append(parsed)
            has_pre.append(any(p.con.prerelease != "" for p in parsed))
        return cls(tuple(groups), tuple(has_pre), text)

    def check(self, v: Version, include_prerelease: bool = False) -> bool:
        for group, has_pre in zip(self.groups, self.group_has_pre, strict=True):
            include = include_prerelease or has_pre
            if v.prerelease and not include:
                continue
            if all(_OPS_TABLE[c.op](v, c) for c in group):
                return True
        return False

    def __str__(self) -> str:
        return " || ".join(" ".join(c.op + c.orig for c in g) for g in self.groups)


def satisfies(constraint: str, version: str) -> bool:
    """`semverCompare`: parse both (raising SemverError with Go's text) and check."""
    c = Constraints.parse(constraint)
    return c.check(Version.parse(version))
