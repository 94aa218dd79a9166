"""Helm's `toYamlPretty`: a yaml.v3 encoder with `SetIndent(2)`, trailing newline trimmed.

Unlike `toYaml` there is no JSON round trip (a float64 1e6 prints as `1e+06`) and block
sequences are indented under their mapping key, and scalars never fold (yaml.v3's encoder has
no line width). The scalar rules are otherwise go-yaml's emitter, shared with `toYaml`.
"""

from __future__ import annotations

from typing import Any

from steersman.golang.jsonout import JSONError, to_jsonable
from steersman.golang.yamlemit import Emitter
from steersman.golang.yamlout import sorted_keys


class _IndentedSequenceEmitter(Emitter):
    # allow_breaks only decides folding at spaces past the line width, which yaml.v3 never does.
    def _write_plain(self, value: str, allow_breaks: bool) -> None:
        super()._write_plain(value, False)

    def _write_single(self, value: str, allow_breaks: bool) -> None:
        super()._write_single(value, False)

    def _write_double(self, value: str, allow_breaks: bool) -> None:
        super()._write_double(value, False)

    def _block_sequence(self, items: list[Any]) -> None:
        self._increase_indent(False, False)
        for item in items:
            self._write_indent()
            self._write_indicator("-", True, False, True)
            self.node(item, mapping=False, simple_key=False)
        self._pop_indent()


def to_yaml_pretty(value: Any) -> str:
    try:
        tree = to_jsonable(value)
    except JSONError:
        return ""
    emitter = _IndentedSequenceEmitter(sorted_keys)
    emitter.document(tree)
    text = "".join(emitter.out)
    return text[:-1] if text.endswith("\n") else text
