"""The syntax check encoding/json runs before decoding, for Go's exact error texts.

Go scans the whole input byte by byte with a state machine and reports the first problem as
`invalid character 'x' <where>` (where = looking for beginning of value, after object key, ...)
or `unexpected end of JSON input`. This re-implements that scanner's states.
"""

from __future__ import annotations

_SPACE = frozenset(b" \t\r\n")
_DIGITS = frozenset(b"0123456789")
_HEX = frozenset(b"0123456789abcdefABCDEF")
_ESCAPES = frozenset(b'"\\/bfnrtu')

# Parse-stack entries: inside an object key, an object value, or an array value.
_OBJ_KEY, _OBJ_VALUE, _ARR_VALUE = range(3)


def quote_char(c: int) -> str:
    """encoding/json's quoteChar (a byte shown as the rune of the same number)."""
    if c == ord("'"):
        return "'\\''"
    if c == ord('"'):
        return "'\"'"
    ch = chr(c)
    if ch == "\\":
        return "'\\\\'"
    if ch.isprintable():
        return f"'{ch}'"
    if c < 0x80:
        short = {7: "\\a", 8: "\\b", 12: "\\f", 10: "\\n", 13: "\\r", 9: "\\t", 11: "\\v"}
        return "'" + short.get(c, f"\\x{c:02x}") + "'"
    return f"'\\u{c:04x}'"


class _Scanner:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.stack: list[int] = []

    def error(self, c: int, where: str) -> str:
        return f"invalid character {quote_char(c)} {where}"

    def check(self) -> str | None:
        data, n = self.data, len(self.data)
        i = self._skip(0)
        if i >= n:
            return "unexpected end of JSON input"
        try:
            i = self._value(i)
            while True:
                i = self._skip(i)
                if not self.stack:
                    break
                i = self._after_value(i)
            if i < n:
                return self.error(data[i], "after top-level value")
        except _SyntaxError as exc:
            return str(exc)
        return None

    def _skip(self, i: int) -> int:
        data, n = self.data, len(self.data)
        while i < n and data[i] in _SPACE:
            i += 1
        return i

    def _need(self, i: int, where: str = "") -> int:
        """data[i]; at the end of input Go feeds its scanner a space, which is an error only
        in states that cannot take one (`where` names such a state)."""
        if i >= len(self.data):
            if where:
                raise _SyntaxError(self.error(ord(" "), where))
            raise _SyntaxError("unexpected end of JSON input")
        return self.data[i]

    def _after_value(self, i: int) -> int:
        """stateEndValue with a non-empty parse stack; returns the index of the next value."""
        c = self._need(i)
        top = self.stack[-1]
        if top == _OBJ_KEY:
            if c != ord(":"):
                raise _SyntaxError(self.error(c, "after object key"))
            self.stack[-1] = _OBJ_VALUE
            return self._value(self._skip(i + 1))
        if top == _OBJ_VALUE:
            if c == ord(","):
                self.stack[-1] = _OBJ_KEY
                j = self._skip(i + 1)
                c2 = self._need(j)
                if c2 != ord('"'):
                    raise _SyntaxError(self.error(c2, "looking for beginning of object key string"))
                return self._string(j)
            if c == ord("}"):
                self.stack.pop()
                return i + 1
            raise _SyntaxError(self.error(c, "after object key:value pair"))
        if c == ord(","):
            return self._value(self._skip(i + 1))
        if c == ord("]"):
            self.stack.pop()
            return i + 1
        raise _SyntaxError(self.error(c, "after array element"))

    def _value(self, i: int) -> int:
        """stateBeginValue at data[i]; returns the index just after a scalar or an opener.

        Openers push their context; a non-empty array continues with its first element
        here (in a loop, so deep nesting needs no recursion).
        """
        while True:
            c = self._need(i)
            if c == ord("["):
                j = self._skip(i + 1)
                if self._need(j) == ord("]"):
                    return j + 1
                self.stack.append(_ARR_VALUE)
                i = j
                continue
            if c == ord("{"):
                j = self._skip(i + 1)
                c2 = self._need(j)
                if c2 == ord("}"):
                    return j + 1
                if c2 != ord('"'):
                    where = "looking for beginning of object key string"
                    raise _SyntaxError(self.error(c2, where))
                self.stack.append(_OBJ_KEY)
                return self._string(j)
            if c == ord('"'):
                return self._string(i)
            if c == ord("-") or c in _DIGITS:
                return self._number(i)
            for word in (b"true", b"false", b"null"):
                if c == word[0]:
                    return self._literal(i, word)
            raise _SyntaxError(self.error(c, "looking for beginning of value"))

    def _literal(self, i: int, word: bytes) -> int:
        name = word.decode()
        for k in range(1, len(word)):
            where = f"in literal {name} (expecting {quote_char(word[k])})"
            c = self._need(i + k, where)
            if c != word[k]:
                raise _SyntaxError(self.error(c, where))
        return i + len(word)

    def _string(self, i: int) -> int:
        i += 1
        while True:
            c = self._need(i)
            if c == ord('"'):
                return i + 1
            if c == ord("\\"):
                e = self._need(i + 1, "in string escape code")
                if e not in _ESCAPES:
                    raise _SyntaxError(self.error(e, "in string escape code"))
                if e == ord("u"):
                    for k in range(2, 6):
                        h = self._need(i + k, "in \\u hexadecimal character escape")
                        if h not in _HEX:
                            raise _SyntaxError(self.error(h, "in \\u hexadecimal character escape"))
                    i += 6
                else:
                    i += 2
                continue
            if c < 0x20:
                raise _SyntaxError(self.error(c, "in string literal"))
            i += 1

    def _number(self, i: int) -> int:
        data, n = self.data, len(self.data)
        if data[i] == ord("-"):
            i += 1
            c = self._need(i, "in numeric literal")
            if c not in _DIGITS:
                raise _SyntaxError(self.error(c, "in numeric literal"))
        if data[i] == ord("0"):
            i += 1
        else:
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] == ord("."):
            i += 1
            c = self._need(i, "after decimal point in numeric literal")
            if c not in _DIGITS:
                raise _SyntaxError(self.error(c, "after decimal point in numeric literal"))
            while i < n and data[i] in _DIGITS:
                i += 1
        if i < n and data[i] in b"eE":
            i += 1
            c = self._need(i, "in exponent of numeric literal")
            if c in b"+-":
                i += 1
                c = self._need(i, "in exponent of numeric literal")
            if c not in _DIGITS:
                raise _SyntaxError(self.error(c, "in exponent of numeric literal"))
            while i < n and data[i] in _DIGITS:
                i += 1
        return i


class _SyntaxError(Exception):
    pass


def value_end(data: bytes, start: int) -> int:
    """End index of the first JSON value at or after `start` (json.Decoder's view of a stream);
    ValueError with Go's text when that value is malformed or incomplete."""
    scanner = _Scanner(data)
    try:
        i = scanner._value(scanner._skip(start))
        while scanner.stack:
            i = scanner._after_value(scanner._skip(i))
    except _SyntaxError as exc:
        raise ValueError(str(exc)) from None
    return i


def syntax_error(data: bytes) -> str | None:
    """Go's checkValid: None for well-formed JSON, else the error text json.Unmarshal returns."""
    return _Scanner(data).check()
