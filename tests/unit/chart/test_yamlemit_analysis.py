"""The emitter's scalar analysis and writers (regex scans, runs of characters) against the
character loops they replaced (transcriptions of go-yaml's emitterc.go)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from steersman.golang.yamlemit import _BEST_WIDTH, _BREAKS, Emitter, _Analysis, _printable
from steersman.golang.yamlout import sorted_keys

FLAGS = ("block_allowed", "block_plain", "flow_plain", "multiline", "single_allowed")


def _reference(value: str) -> dict[str, bool]:
    out = dict.fromkeys(FLAGS, True)
    out["multiline"] = False
    if not value:
        out["flow_plain"] = out["block_allowed"] = False
        return out
    block_ind = flow_ind = line_breaks = special = False
    leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    if value.startswith(("---", "...")):
        block_ind = flow_ind = True
    preceded_by_ws = True
    last = len(value) - 1
    for i, ch in enumerate(value):
        followed_by_ws = i == last or value[i + 1] in " \t"
        if i == 0:
            if ch in "#,[]{}&*!|>'\"%@`":
                flow_ind = block_ind = True
            elif ch in "?:":
                flow_ind = True
                if followed_by_ws:
                    block_ind = True
            elif ch == "-" and followed_by_ws:
                flow_ind = block_ind = True
        elif ch in ",?[]{}":
            flow_ind = True
        elif ch == ":":
            flow_ind = True
            if followed_by_ws:
                block_ind = True
        elif ch == "#" and preceded_by_ws:
            flow_ind = block_ind = True
        if not _printable(ch):
            special = True
        if ch == " ":
            leading_space = leading_space or i == 0
            trailing_space = trailing_space or i == last
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif ch in _BREAKS:
            line_breaks = True
            leading_break = leading_break or i == 0
            trailing_break = trailing_break or i == last
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_ws = ch in " \t\x00" or ch in _BREAKS
    out["multiline"] = line_breaks
    if leading_space or leading_break or trailing_space or trailing_break:
        out["flow_plain"] = out["block_plain"] = False
    if trailing_space:
        out["block_allowed"] = False
    if break_space:
        out["flow_plain"] = out["block_plain"] = out["single_allowed"] = False
    if space_break or special:
        out["flow_plain"] = out["block_plain"] = out["single_allowed"] = False
        out["block_allowed"] = False
    if line_breaks:
        out["flow_plain"] = out["block_plain"] = False
    if flow_ind:
        out["flow_plain"] = False
    if block_ind:
        out["block_plain"] = False
    return out


def _flags(value: str) -> dict[str, bool]:
    analysis = _Analysis(value)
    return {f: getattr(analysis, f) for f in FLAGS}


@pytest.mark.parametrize(
    "value",
    [
        "",
        "a",
        " a",
        "a ",
        "- a",
        "-a",
        "? x",
        ":x",
        "a: b",
        "a:b",
        "a #b",
        "a#b",
        "---x",
        "...",
        "a\n b",
        "a \nb",
        "\ud800",
        "\U0001f600",
        "\ufeff",
        "x\x00#",
        "#",
        "a,b",
        "'q'",
        "\x85",
    ],
)
def test_analysis_matches_the_reference(value: str) -> None:
    assert _flags(value) == _reference(value)


def test_analysis_matches_the_reference_on_random_strings() -> None:
    rnd = random.Random(15)
    alphabet = list(
        " \t\n\r\x85\u2028\u2029#,[]{}&*!|>'\"%@`?:-.\x00\x01\ufeff\ud800\U0001f600a1_\xa0\ufffe/"
    )
    for _ in range(30000):
        value = "".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 12)))
        if rnd.random() < 0.1:
            value = rnd.choice(["---", "..."]) + value
        assert _flags(value) == _reference(value), repr(value)


class _ReferenceEmitter(Emitter):
    """The emitter with the character-by-character writers the run-based ones replaced."""

    def _write_plain(self, value: str, allow_breaks: bool) -> None:
        if not self.whitespace:
            self._put(" ")
        spaces = False
        n = len(value)
        for i, ch in enumerate(value):
            if ch == " ":
                nxt = value[i + 1] if i + 1 < n else ""
                if allow_breaks and not spaces and self.column > _BEST_WIDTH and nxt != " ":
                    self._write_indent()
                else:
                    self._put(ch)
                spaces = True
            else:
                self._put(ch)
                self.indention = False
                spaces = False
        self.whitespace = False
        self.indention = False

    def _write_single(self, value: str, allow_breaks: bool) -> None:
        self._write_indicator("'", True, False, False)
        spaces = breaks = False
        n = len(value)
        for i, ch in enumerate(value):
            if ch == " ":
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
            else:
                if breaks:
                    self._write_indent()
                self._put("''" if ch == "'" else ch)
                self.indention = False
                spaces = breaks = False
        self._write_indicator("'", False, False, False)
        self.whitespace = False
        self.indention = False


def _emit(cls: type[Emitter], value: Any) -> str:
    emitter = cls(sorted_keys)
    emitter.document(value)
    return "".join(emitter.out)


def test_writers_match_the_character_loops_on_random_documents() -> None:
    rnd = random.Random(15)
    pieces = [*" \t\n\r\x85\u2028#,[]{}&*!|>'\"%@`?:-.\x00a1_\xa0/é", "word", "long-token", "'q'"]

    def text() -> str:
        return "".join(rnd.choice(pieces) for _ in range(rnd.choice([5, 60, 250])))

    def value(depth: int = 0) -> Any:
        r = rnd.random()
        if depth > 3 or r < 0.5:
            return text()
        if r < 0.75:
            return {text() or "k": value(depth + 1) for _ in range(rnd.randint(1, 4))}
        return [value(depth + 1) for _ in range(rnd.randint(1, 4))]

    for _ in range(3000):
        doc = value()
        assert _emit(Emitter, doc) == _emit(_ReferenceEmitter, doc), repr(doc)[:300]


@pytest.mark.parametrize("depth", [0, 3, 45])
def test_folding_writers_match_the_character_loops_on_long_texts(depth: int) -> None:
    """Long descriptions (CRD schemas): plain and single-quoted scalars folded line by line,
    with double spaces, apostrophes, `: ` (single-quoted) and an indentation past column 80."""
    words = ["word", "a", "it's", "x" * 90, "key: value", "", "#tag", "ends."]
    rnd = random.Random(depth)
    for _ in range(200):
        text = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 60))).strip() or "w"
        doc: Any = {"description": text, "list": [text, {"k": text}]}
        for _ in range(depth):
            doc = {"nested": doc}
        assert _emit(Emitter, doc) == _emit(_ReferenceEmitter, doc), text
