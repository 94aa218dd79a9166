"""go-yaml v2's block-style emitter (emitterc.go), for the values toYaml produces.

The input is a JSON-shaped tree (None, bool, int, float, str, list, dict with str keys) and the
output what go-yaml's encoder + emitter write for it: block mappings with keys in go-yaml's
order, sequences not indented under a mapping key, `{}`/`[]` for empty containers, and scalars
styled by the emitter's analysis (plain, single-quoted, double-quoted or literal `|`), folded at
spaces once the column passes 80. The state (column, whitespace, indention, indent stack) mirrors
libyaml's so that the same characters come out in the same places.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Any, Final

from steersman.golang.floatfmt import format_float
from steersman.golang.yamlresolve import STR, is_base60_float, resolve_plain

_BEST_WIDTH: Final = 80
_BEST_INDENT: Final = 2

PLAIN, SINGLE, DOUBLE, LITERAL = range(4)

_BREAKS: Final = frozenset("\r\n\x85\u2028\u2029")

# --- scalar analysis (emitterc.go yaml_emitter_analyze_scalar) -----------------------------


def _printable(ch: str) -> bool:
    o = ord(ch)
    return (
        o == 0x0A
        or 0x20 <= o <= 0x7E
        or 0xA0 <= o <= 0xD7FF
        or (0xE000 <= o <= 0xFFFD and o != 0xFEFF)
    )


# The character classes of the analysis, so that it scans with regular expressions instead of
# stepping through characters (the loop it replaces is kept as the reference in
# tests/unit/chart/test_yamlemit_analysis.py).
_NOT_PRINTABLE = re.compile("[^\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
_BREAK_CLASS = "\r\n\x85\u2028\u2029"
_ANY_BREAK = re.compile(f"[{_BREAK_CLASS}]")
_BREAK_SPACE = re.compile(f"[{_BREAK_CLASS}] ")
_SPACE_BREAK = re.compile(f" [{_BREAK_CLASS}]")
_FLOW_INDICATOR = re.compile(r"[,?\[\]{}:]")
_COLON_WS = re.compile(r":(?:[ \t]|\Z)")
_WS_HASH = re.compile(f"[ \\t\\x00{_BREAK_CLASS}]#")
_SINGLE_RUN = re.compile(f"[^ {_BREAK_CLASS}]+| |[{_BREAK_CLASS}]")
_FIRST_BOTH = frozenset("#,[]{}&*!|>'\"%@`")


class _Analysis:
    __slots__ = ("block_allowed", "block_plain", "flow_plain", "multiline", "single_allowed")

    def __init__(self, value: str) -> None:
        self.multiline = False
        self.flow_plain = self.block_plain = self.single_allowed = self.block_allowed = True
        if not value:
            self.flow_plain = False
            self.block_allowed = False
            return
        block_ind = flow_ind = value.startswith(("---", "..."))
        first = value[0]
        first_followed_by_ws = len(value) == 1 or value[1] in " \t"
        if first in _FIRST_BOTH:
            flow_ind = block_ind = True
        elif first in "?:":
            flow_ind = True
            if first_followed_by_ws:
                block_ind = True
        elif first == "-" and first_followed_by_ws:
            flow_ind = block_ind = True
        # After the first character: flow indicators, `: ` and ` #`.
        if _FLOW_INDICATOR.search(value, 1):
            flow_ind = True
            if _COLON_WS.search(value, 1):
                block_ind = True
        if _WS_HASH.search(value):  # a `#` after whitespace is never the first character
            flow_ind = block_ind = True
        special = _NOT_PRINTABLE.search(value) is not None
        line_breaks = _ANY_BREAK.search(value) is not None
        last = value[-1]
        leading_space = first == " "
        trailing_space = last == " "
        leading_break = first in _BREAKS
        trailing_break = last in _BREAKS
        break_space = space_break = False
        if line_breaks:
            break_space = _BREAK_SPACE.search(value) is not None
            space_break = _SPACE_BREAK.search(value) is not None
        self.multiline = line_breaks
        if leading_space or leading_break or trailing_space or trailing_break:
            self.flow_plain = self.block_plain = False
        if trailing_space:
            self.block_allowed = False
        if break_space:
            self.flow_plain = self.block_plain = self.single_allowed = False
        if space_break or special:
            self.flow_plain = self.block_plain = self.single_allowed = False
            self.block_allowed = False
        if line_breaks:
            self.flow_plain = self.block_plain = False
        if flow_ind:
            self.flow_plain = False
        if block_ind:
            self.block_plain = False


_ESCAPES: Final = {
    0x00: "0",
    0x07: "a",
    0x08: "b",
    0x09: "t",
    0x0A: "n",
    0x0B: "v",
    0x0C: "f",
    0x0D: "r",
    0x1B: "e",
    0x22: '"',
    0x5C: "\\",
    0x85: "N",
    0xA0: "_",
    0x2028: "L",
    0x2029: "P",
}


# Strings made only of these characters (no indicators, breaks or edge spaces) analyse the same
# way: every style is allowed. Most keys and values are like this, so they skip the scan.
_SIMPLE = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_./=+\- ]*[A-Za-z0-9_./=+\-])?\Z")
_SIMPLE_ANALYSIS = _Analysis("a")


@functools.lru_cache(maxsize=8192)
def simple_plain(text: str) -> bool:
    """The emitter writes text as it is, as a plain scalar (no quoting, no analysis needed)."""
    return _SIMPLE.match(text) is not None and string_style(text) == PLAIN


def analyse(text: str) -> _Analysis:
    return _SIMPLE_ANALYSIS if _SIMPLE.match(text) else _Analysis(text)


def string_style(s: str) -> int:
    """The style go-yaml's encoder asks for (encode.go stringv); the emitter may still refuse."""
    if "\n" in s:
        return LITERAL
    tag, _ = resolve_plain(s)
    if tag == STR and not is_base60_float(s):
        return PLAIN
    return DOUBLE


def scalar_text(value: Any) -> tuple[str, int]:
    """(text, requested style) for a JSON-shaped scalar."""
    if value is None:
        return "null", PLAIN
    if value is True:
        return "true", PLAIN
    if value is False:
        return "false", PLAIN
    if isinstance(value, int):
        return str(int(value)), PLAIN
    if isinstance(value, float):
        text = format_float(value)
        return {"+Inf": ".inf", "-Inf": "-.inf", "NaN": ".nan"}.get(text, text), PLAIN
    if isinstance(value, str):
        return value, string_style(value)
    raise TypeError(f"cannot marshal type: {type(value).__name__}")


class Emitter:
    """Writes one document; `out` collects the text."""

    def __init__(self, sort_keys: Callable[[Any], Sequence[str]]) -> None:
        self.out: list[str] = []
        self.sort_keys = sort_keys
        self.column = 0
        self.whitespace = True
        self.indention = True
        self.indent = -1
        self.indents: list[int] = []
        self.flow_level = 0
        # Node context (yaml_emitter_emit_node's flags).
        self.mapping_context = False
        self.simple_key_context = False

    # -- low-level writers ------------------------------------------------------------------

    def _put(self, text: str) -> None:
        self.out.append(text)
        self.column += len(text)

    def _put_break(self) -> None:
        self.out.append("\n")
        self.column = 0

    def _write_break(self, ch: str) -> None:
        self.out.append(ch)
        self.column = 0

    def _write_indent(self) -> None:
        indent = max(self.indent, 0)
        if (
            not self.indention
            or self.column > indent
            or (self.column == indent and not self.whitespace)
        ):
            self._put_break()
        if self.column < indent:
            self._put(" " * (indent - self.column))
        self.whitespace = True
        self.indention = True

    def _write_indicator(
        self, indicator: str, need_ws: bool, is_ws: bool, is_indention: bool
    ) -> None:
        if need_ws and not self.whitespace:
            self._put(" ")
        self._put(indicator)
        self.whitespace = is_ws
        self.indention = self.indention and is_indention

    def _increase_indent(self, flow: bool, indentless: bool) -> None:
        self.indents.append(self.indent)
        if self.indent < 0:
            self.indent = _BEST_INDENT if flow else 0
        elif not indentless:
            self.indent += _BEST_INDENT

    def _pop_indent(self) -> None:
        self.indent = self.indents.pop()

    # -- nodes --------------------------------------------------------------------------------

    def document(self, value: Any) -> None:
        self.node(value, mapping=False, simple_key=False)
        # Document end (implicit): finish the last line.
        self._write_indent()

    def node(self, value: Any, mapping: bool, simple_key: bool) -> None:
        self.mapping_context = mapping
        self.simple_key_context = simple_key
        if isinstance(value, dict):
            if value:
                self._block_mapping(value)
            else:
                self._empty_flow("{", "}")
        elif isinstance(value, list):
            if value:
                self._block_sequence(value)
            else:
                self._empty_flow("[", "]")
        else:
            text, style = scalar_text(value)
            self._scalar(text, style, analyse(text))

    def _simple_entry(self, key: str, value: Any) -> bool:
        """Fast path for `key: scalar` when both are plain and no fold can happen: the same
        characters and emitter state as the general path, without its per-node machinery."""
        if isinstance(value, str):
            if not simple_plain(value):
                return False
            if " " in value and self.column + len(key) + 2 + len(value) > _BEST_WIDTH + 1:
                return False
            text = value
        elif isinstance(value, (dict, list)):
            return False
        else:
            text = scalar_text(value)[0]
        self._put(f"{key}: {text}")
        self.whitespace = False
        self.indention = False
        return True

    def _empty_flow(self, start: str, end: str) -> None:
        self._write_indicator(start, True, True, False)
        self._increase_indent(True, False)
        self._pop_indent()
        self._write_indicator(end, False, False, False)

    def _block_sequence(self, items: list[Any]) -> None:
        self._increase_indent(False, self.mapping_context and not self.indention)
        for item in items:
            self._write_indent()
            self._write_indicator("-", True, False, True)
            self.node(item, mapping=False, simple_key=False)
        self._pop_indent()

    def _block_mapping(self, mapping: dict[str, Any]) -> None:
        self._increase_indent(False, False)
        indent = max(self.indent, 0)
        out = self.out
        for key in self.sort_keys(mapping):
            # _write_indent, inlined: this loop runs for every key of the document.
            column = self.column
            if not self.indention or column > indent or (column == indent and not self.whitespace):
                out.append("\n")
                column = 0
            if column < indent:
                out.append(" " * (indent - column))
                column = indent
            self.column = column
            self.whitespace = self.indention = True
            value = mapping[key]
            if len(key) <= 128 and simple_plain(key) and self._simple_entry(key, value):
                continue
            text, style = scalar_text(key)
            analysis = analyse(text)
            if not analysis.multiline and len(text.encode("utf-8", "surrogatepass")) <= 128:
                self.mapping_context, self.simple_key_context = True, True
                self._scalar(text, style, analysis)
                self._write_indicator(":", False, False, False)
            else:
                self._write_indicator("?", True, False, True)
                self.mapping_context, self.simple_key_context = True, False
                self._scalar(text, style, analysis)
                self._write_indent()
                self._write_indicator(":", True, False, True)
            self.node(mapping[key], mapping=True, simple_key=False)
        self._pop_indent()

    def _scalar(self, text: str, style: int, a: _Analysis) -> None:
        simple_key = self.simple_key_context
        if simple_key and a.multiline:
            style = DOUBLE
        if style == PLAIN:
            plain_ok = a.flow_plain if self.flow_level > 0 else a.block_plain
            if not plain_ok or (not text and (self.flow_level > 0 or simple_key)):
                style = SINGLE
        if style == SINGLE and not a.single_allowed:
            style = DOUBLE
        if style == LITERAL and (not a.block_allowed or self.flow_level > 0 or simple_key):
            style = DOUBLE
        self._increase_indent(True, False)
        if style == PLAIN:
            self._write_plain(text, not simple_key)
        elif style == SINGLE:
            self._write_single(text, not simple_key)
        elif style == DOUBLE:
            self._write_double(text, not simple_key)
        else:
            self._write_literal(text)
        self._pop_indent()

    # -- scalar writers -------------------------------------------------------------------------

    def _write_plain(self, value: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self._put(" ")
        if not allow_breaks or " " not in value or self.column + len(value) <= _BEST_WIDTH + 1:
            # No space can sit past column 80, so no fold is possible: write it at once.
            self._put(value)
        else:
            self._put_folding(value)
        self.whitespace = False
        self.indention = False

    def _put_folding(self, text: str) -> None:
        """Write text with no line break in it, folding as the plain and single-quoted writers
        do: a space between two non-spaces, met once the column is past 80, becomes a line
        break and the indentation. Whole lines go out at once."""
        words = text.split(" ")
        indent = max(self.indent, 0)
        fold = "\n" + " " * indent
        out = self.out
        prev = words[0]
        line = [prev]
        column = self.column + len(prev)
        for word in words[1:]:
            if prev and word and column > _BEST_WIDTH:
                out.append(" ".join(line))
                out.append(fold)
                line = [word]
                column = indent + len(word)
            else:
                line.append(word)
                column += 1 + len(word)
            prev = word
        out.append(" ".join(line))
        self.column = column

    def _write_single(self, value: str, allow_breaks: bool) -> None:
        self._write_indicator("'", True, False, False)
        if not _ANY_BREAK.search(value):
            quoted = value.replace("'", "''")
            if allow_breaks and " " in quoted:
                self._put_folding(quoted)
            else:
                self._put(quoted)
            self._write_indicator("'", False, False, False)
            self.whitespace = False
            self.indention = False
            return
        spaces = breaks = False
        n = len(value)
        # Runs without spaces and breaks go out at once; spaces and breaks one by one.
        for m in _SINGLE_RUN.finditer(value):
            ch = m.group()
            if len(ch) > 1 or (ch != " " and ch not in _BREAKS):
                if breaks:
                    self._write_indent()
                self._put(ch.replace("'", "''"))
                self.indention = False
                spaces = breaks = False
            elif ch == " ":
                i = m.start()
                nxt = value[i + 1] if i + 1 < n else ""
                if (
                    allow_breaks
                    and not spaces
                    and self.column > _BEST_WIDTH
                    and 0 < i < n - 1
                    and nxt != " "
                ):
                    self._write_indent()
                else:
                    self._put(ch)
                spaces = True
            elif ch in _BREAKS:
                if not breaks and ch == "\n":
                    self._put_break()
                self._write_break(ch)
                self.indention = True
                breaks = True
        self._write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False

    def _write_double(self, value: str, allow_breaks: bool) -> None:
        self._write_indicator('"', True, False, False)
        spaces = False
        starts_with_bom = value.startswith("\ufeff")
        n = len(value)
        for i, ch in enumerate(value):
            if starts_with_bom or not _printable(ch) or ch in _BREAKS or ch == '"' or ch == "\\":
                self._put("\\" + _escape(ord(ch)))
                spaces = False
            elif ch == " ":
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and 0 < i < n - 1:
                    self._write_indent()
                    if value[i + 1] == " ":
                        self._put("\\")
                else:
                    self._put(ch)
                spaces = True
            else:
                self._put(ch)
                spaces = False
        self._write_indicator('"', False, False, False)
        self.whitespace = False
        self.indention = False

    def _write_literal(self, value: str) -> None:
        self._write_indicator("|", True, False, False)
        if value[:1] == " " or value[:1] in _BREAKS:
            self._write_indicator(str(_BEST_INDENT), False, False, False)
        chomp = ""
        if not value or value[-1] not in _BREAKS:
            chomp = "-"
        elif len(value) == 1 or value[-2] in _BREAKS:
            chomp = "+"
        if chomp:
            self._write_indicator(chomp, False, False, False)
        self._put_break()
        self.indention = True
        self.whitespace = True
        breaks = True
        start = 0
        n = len(value)
        while start < n:
            ch = value[start]
            if ch in _BREAKS:
                self._write_break(ch)
                self.indention = True
                breaks = True
                start += 1
                continue
            if breaks:
                self._write_indent()
            end = start
            while end < n and value[end] not in _BREAKS:
                end += 1
            self._put(value[start:end])
            self.indention = False
            breaks = False
            start = end


def _escape(o: int) -> str:
    short = _ESCAPES.get(o)
    if short is not None:
        return short
    if o <= 0xFF:
        return f"x{o:02X}"
    if o <= 0xFFFF:
        return f"u{o:04X}"
    return f"U{o:08X}"
