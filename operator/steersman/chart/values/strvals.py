"""Helm's `--set`, `--set-string`, `--set-json`, `--set-file` and `--set-literal` parsers.

A port of the behaviour of pkg/strvals: `a.b=1,c[0]=x,d={p,q}`, backslash escapes, `--set`
typing (true/false/null case-insensitively, base-10 integers without a leading 0 as int64,
everything else a string), list indices up to 65536, 30 levels of nesting, and the same error
texts, including those of recovered Go panics (`unable to parse key: interface conversion: ...`).
Values are parsed into an existing map, which is how Helm layers them over the -f files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from steersman.errors import SteersmanError
from steersman.golang.fmt import go_quote, go_quote_rune, type_name
from steersman.golang.jsonscan import value_end
from steersman.golang.types import GoInt64

MAX_INDEX = 65536
MAX_NESTED_NAME_LEVEL = 30

RunesReader = Callable[[str], Any]


class StrvalsError(SteersmanError, ValueError):
    """A --set style expression that Helm would reject; the message is Helm's."""


class _EOF(Exception):
    pass


class _NotList(Exception):
    pass


class _Panic(Exception):
    """A Go runtime panic (failed type assertion), recovered by the enclosing key()."""


_EOF_ERR = _EOF("EOF")


def _assert_type(v: Any, want: type, want_name: str) -> Any:
    if type(v) is not want:
        got = "nil" if v is None else type_name(v)  # the runtime's panic names nil plainly
        raise _Panic(f"interface conversion: interface {{}} is {got}, not {want_name}")
    return v


def typed_value(v: str, string_only: bool) -> Any:
    """strvals typedVal: the Go value `--set` gives a scalar."""
    if string_only:
        return v
    low = v.lower()
    if low == "true":
        return True
    if low == "false":
        return False
    if low == "null":
        return None
    if v == "0":
        return GoInt64(0)
    if v and v[0] != "0":
        body = v[1:] if v[0] in "+-" else v
        if body.isascii() and body.isdigit():
            n = int(v)
            if -(1 << 63) <= n < (1 << 63):
                return GoInt64(n)
    return v


def _go_atoi(s: str) -> int:
    body = s[1:] if s[:1] in ("+", "-") else s
    if not body or not body.isascii() or not body.isdigit():
        raise StrvalsError(f"strconv.Atoi: parsing {go_quote(s)}: invalid syntax")
    n = int(s)
    if not -(1 << 63) <= n < (1 << 63):
        raise StrvalsError(f"strconv.Atoi: parsing {go_quote(s)}: value out of range")
    return n


def _set(data: dict[str, Any], key: str, value: Any) -> None:
    if key:
        data[key] = value


def _set_index(lst: list[Any], index: int, value: Any) -> list[Any]:
    if index < 0:
        raise StrvalsError(f"negative {index} index not allowed")
    if index > MAX_INDEX:
        raise StrvalsError(
            f"index of {index} is greater than maximum supported index of {MAX_INDEX}"
        )
    if len(lst) <= index:
        lst = lst + [None] * (index + 1 - len(lst))
    lst[index] = value
    return lst


class _Parser:
    def __init__(
        self,
        text: str,
        data: dict[str, Any],
        reader: RunesReader | None,
        json_values: bool = False,
        literal: bool = False,
        helm_major: int = 4,
    ) -> None:
        self.s = text
        self.pos = 0
        self.data = data
        self.reader = reader
        self.json_values = json_values
        self.literal = literal
        self.helm_major = helm_major

    # -- scanning ---------------------------------------------------------------------------

    def _read(self) -> str | None:
        if self.pos >= len(self.s):
            return None
        ch = self.s[self.pos]
        self.pos += 1
        return ch

    def _until(self, stop: str) -> tuple[str, str | None]:
        """runesUntil: (runes, stop rune); raises _EOF carrying the runes read at the end."""
        out: list[str] = []
        while True:
            ch = self._read()
            if ch is None:
                raise _EOFWith("".join(out))
            if ch in stop:
                return "".join(out), ch
            if ch == "\\" and not self.literal:
                nxt = self._read()
                if nxt is None:
                    raise _EOFWith("".join(out))
                out.append(nxt)
            else:
                out.append(ch)

    # -- grammar ----------------------------------------------------------------------------

    def parse(self) -> None:
        while True:
            try:
                self.key(self.data, 0)
            except _EOF:
                return

    def key(self, data: dict[str, Any], level: int) -> None:
        try:
            self._key(data, level)
        except _Panic as exc:
            raise StrvalsError(f"unable to parse key: {exc}") from None

    def _key(self, data: dict[str, Any], level: int) -> None:
        stop = "=[." if self.literal else "=[,."
        try:
            k, last = self._until(stop)
        except _EOFWith as exc:
            if not exc.runes:
                raise _EOF_ERR from None
            raise StrvalsError(f"key {go_quote(exc.runes)} has no value") from None
        if last == "[":
            i = self._key_index()
            lst: list[Any] = []
            if k in data:
                lst = _assert_type(data[k], list, "[]interface {}")
            try:
                lst = self._list_item(lst, i, level)
            finally:
                _set(data, k, lst)
            return
        if last == "=":
            self._assign(lambda v: _set(data, k, v))
            return
        if last == ",":
            _set(data, k, "")
            raise StrvalsError(f"key {go_quote(k)} has no value (cannot end with ,)")
        # last == "."
        level += 1
        if level > MAX_NESTED_NAME_LEVEL:
            raise StrvalsError(
                "value name nested level is greater than maximum supported nested level of "
                f"{MAX_NESTED_NAME_LEVEL}"
            )
        inner: dict[str, Any] = {}
        if k in data:
            inner = _assert_type(data[k], dict, "map[string]interface {}")
        try:
            self.key(inner, level)
        except (StrvalsError, _EOF):
            if inner:
                _set(data, k, inner)
            raise
        if not inner:
            raise StrvalsError(f"key map {go_quote(k)} has no value")
        _set(data, k, inner)

    def _assign(self, store: Callable[[Any], None]) -> None:
        """The value after `=`: a JSON value, `{a,b}` list, or a scalar up to the next comma."""
        if self.literal:
            store(self.s[self.pos :])
            self.pos = len(self.s)
            return
        if self.json_values:
            if self._empty_value():
                store(None)
                return
            store(self._json_value())
            self._empty_value()
            return
        try:
            store(self._value_list())
            return
        except _EOF:
            store("")
            raise
        except _NotList:
            pass
        try:
            runes, _ = self._until(",")
        except _EOFWith as exc:
            runes = exc.runes
        assert self.reader is not None
        store(self.reader(runes))

    def _key_index(self) -> int:
        try:
            v, _ = self._until("]")
        except _EOFWith:
            # Helm wraps io.EOF as "error parsing index: EOF". v4 tests errors.Is(err, io.EOF),
            # so parsing just stops; v3 compared err == io.EOF, so the wrapped error surfaces.
            if self.helm_major >= 4:
                raise _EOF_ERR from None
            raise StrvalsError("error parsing index: EOF") from None
        try:
            return _go_atoi(v)
        except StrvalsError as exc:
            raise StrvalsError(f"error parsing index: {exc}") from None

    def _list_item(self, lst: list[Any], i: int, level: int) -> list[Any]:
        if i < 0:
            raise StrvalsError(f"negative {i} index not allowed")
        try:
            k, last = self._until("[.=")
        except _EOFWith as exc:
            if exc.runes:
                raise StrvalsError(
                    "unexpected data at end of array index: "
                    f"[{' '.join(go_quote_rune(ord(r)) for r in exc.runes)}]"
                ) from None
            raise _EOF_ERR from None
        if k:
            raise StrvalsError(
                "unexpected data at end of array index: "
                f"[{' '.join(go_quote_rune(ord(r)) for r in k)}]"
            )
        if last == "=":
            result: list[list[Any]] = []
            try:
                self._assign(lambda v: result.append(_set_index(lst, i, v)))
            except _EOF:
                return result[0] if result else lst
            return result[0]
        if last == "[":
            next_i = self._key_index()
            current: list[Any] = []
            if len(lst) > i and lst[i] is not None:
                current = _assert_type(lst[i], list, "[]interface {}")
            return _set_index(lst, i, self._list_item(current, next_i, level))
        inner: dict[str, Any] = {}
        if len(lst) > i:
            if type(lst[i]) is dict:
                inner = lst[i]
            else:
                lst[i] = inner
        self.key(inner, level)
        return _set_index(lst, i, inner)

    def _empty_value(self) -> bool:
        while True:
            ch = self._read()
            if ch is None or ch == ",":
                return True
            if not ch.isspace():
                self.pos -= 1
                return False

    def _json_value(self) -> Any:
        """One JSON value from the rest of the text, delimited the way Go's json.Decoder
        delimits it (so `1.[` is an error, `1x` is the value 1 followed by `x`)."""
        rest = self.s[self.pos :].encode("utf-8", "surrogatepass")
        try:
            end = value_end(rest, 0)
        except ValueError as exc:
            raise StrvalsError(str(exc)) from None
        value = json.loads(rest[:end], parse_int=float, parse_constant=_bad_constant)
        self.pos += len(rest[:end].decode("utf-8", "surrogatepass"))
        return value

    def _value_list(self) -> list[Any]:
        ch = self._read()
        if ch is None:
            raise _EOF_ERR
        if ch != "{":
            self.pos -= 1
            raise _NotList
        items: list[Any] = []
        assert self.reader is not None
        while True:
            try:
                runes, last = self._until(",}")
            except _EOFWith:
                raise StrvalsError("list must terminate with '}'") from None
            if last == "}":
                nxt = self._read()
                if nxt is not None and nxt != ",":
                    self.pos -= 1
                items.append(self.reader(runes))
                return items
            items.append(self.reader(runes))


class _EOFWith(_EOF):
    def __init__(self, runes: str) -> None:
        super().__init__("EOF")
        self.runes = runes


def _bad_constant(name: str) -> Any:
    raise StrvalsError(f"invalid character '{name[0]}' looking for beginning of value")


def _run(parser: _Parser) -> None:
    try:
        parser.parse()
    except _EOF:
        return


def parse_into(text: str, dest: dict[str, Any], helm_major: int = 4) -> None:
    """`--set`: typed values into dest (StrvalsError on error; dest may be partly updated)."""
    _run(_Parser(text, dest, lambda rs: typed_value(rs, False), helm_major=helm_major))


def parse_into_string(text: str, dest: dict[str, Any], helm_major: int = 4) -> None:
    """`--set-string`: every value a string."""
    _run(_Parser(text, dest, lambda rs: typed_value(rs, True), helm_major=helm_major))


def parse_json(text: str, dest: dict[str, Any], helm_major: int = 4) -> None:
    """`--set-json` with key=JSON pairs (numbers float64)."""
    _run(_Parser(text, dest, None, json_values=True, helm_major=helm_major))


def parse_into_file(
    text: str, dest: dict[str, Any], reader: RunesReader, helm_major: int = 4
) -> None:
    """`--set-file`: each value is a path, `reader` returns the value (the file's text)."""
    _run(_Parser(text, dest, reader, helm_major=helm_major))


def parse_literal_into(text: str, dest: dict[str, Any], helm_major: int = 4) -> None:
    """`--set-literal`: the whole rest of the text after `=` is the string value."""
    _run(_Parser(text, dest, None, literal=True, helm_major=helm_major))


def parse(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    parse_into(text, out)
    return out


def parse_string(text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    parse_into_string(text, out)
    return out
