"""values.schema.json cases: (schema, values.yaml text, subchart (schema, values) or None)."""

from __future__ import annotations

import json
from typing import Any

_D7 = "http://json-schema.org/draft-07/schema#"


def _props(**props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props}


SCHEMA_CASES: list[tuple[dict[str, Any], str, tuple[dict[str, Any], str] | None]] = [
    (_props(replicaCount={"type": "integer"}), "replicaCount: x\n", None),
    (_props(replicaCount={"type": "integer"}), "replicaCount: 1.0\n", None),
    (_props(replicaCount={"type": "integer"}), "replicaCount: 1.5\n", None),
    ({"required": ["image"]}, "a: 1\n", None),
    ({"required": ["image", "tag", "a"]}, "a: 1\n", None),
    (_props(mode={"enum": ["a", "b", 1, None]}), "mode: c\n", None),
    (_props(mode={"enum": ["only"]}), "mode: c\n", None),
    (_props(num={"minimum": 1, "maximum": 1000}), "num: 0\n", None),
    (_props(num={"maximum": 1000}), "num: 123456.5\n", None),
    (_props(num={"exclusiveMinimum": 1}), "num: 1\n", None),
    (_props(num={"multipleOf": 0.5}), "num: 1.25\n", None),
    (_props(name={"pattern": "^[a-z]+$"}), "name: Bad1\n", None),
    (_props(name={"minLength": 3, "maxLength": 5}), "name: ab\n", None),
    ({"additionalProperties": False, "properties": {"a": {}}}, "a: 1\nb: 2\n", None),
    (_props(image=_props(tag={"type": "string"})), "image:\n  tag: 1.5\n", None),
    (
        {
            "$schema": _D7,
            "definitions": {"port": {"type": "integer", "maximum": 65535}},
            "properties": {"port": {"$ref": "#/definitions/port"}},
        },
        "port: 70000\n",
        None,
    ),
    (_props(v={"anyOf": [{"type": "string"}, {"type": "integer", "minimum": 5}]}), "v: 1\n", None),
    (_props(v={"oneOf": [{"type": "number"}, {"minimum": 0}]}), "v: 3\n", None),
    (_props(v={"allOf": [{"type": "number"}, {"minimum": 10}]}), "v: 3\n", None),
    (_props(v={"not": {"type": "string"}}), "v: s\n", None),
    (_props(l={"type": "array", "minItems": 2, "uniqueItems": True}), "l: [1]\n", None),
    (_props(l={"type": "array", "uniqueItems": True}), "l: [1, 2, 1]\n", None),
    (_props(l={"type": "array", "items": {"type": "string"}}), "l: [a, 1, b]\n", None),
    (_props(c={"const": "x"}), "c: y\n", None),
    ({"$schema": _D7, **_props(ip={"format": "ipv4"})}, "ip: 1.2.3\n", None),
    (_props(ip={"format": "ipv4"}), "ip: 1.2.3\n", None),
    ({"required": ["x"], **_props(y={"type": "string"})}, "y: 1\n", None),
    (_props(t={"type": ["string", "null"]}), "t: 1\n", None),
    (_props(b={"type": "boolean"}), "b: yes\n", None),
    (_props(ok={"type": "string"}), "ok: fine\n", None),
    (_props(v={"oneOf": [{"type": "string"}, {"type": "boolean"}]}), "v: 1\n", None),
    (_props(num={"type": "integer", "minimum": 10, "multipleOf": 3}), "num: 1\n", None),
    (_props(big={"maximum": 1e21}), "big: 2e21\n", None),
    (
        _props(
            a={"maximum": 1000000},
            b={"minimum": 0.001},
            c={"maximum": 10},
            d={"maximum": 10},
        ),
        "a: 2000000\nb: 0.00001\nc: 1234567.5\nd: 123456789012\n",
        None,
    ),
    (
        _props(top={"type": "string"}),
        "top: fine\nsub:\n  port: nope\n",
        (_props(port={"type": "integer"}), "port: 80\n"),
    ),
    (
        {
            "if": _props(kind={"const": "a"}),
            "then": {"required": ["a"]},
            "else": {"required": ["b"]},
        },
        "kind: a\n",
        None,
    ),
]


# Cases where several properties fail at one level: Go reports them in random map order
# (helm v3 and v4 alike), so only the set of error lines is compared (Steersman sorts them).
UNORDERED = frozenset({33})


def chart_files(index: int) -> dict[str, str]:
    schema, values, sub = SCHEMA_CASES[index]
    files = {
        "Chart.yaml": "apiVersion: v2\nname: s\nversion: 0.1.0\n",
        "values.yaml": values,
        "values.schema.json": json.dumps(schema),
        "templates/cm.yaml": "# ok\n",
    }
    if sub is not None:
        files["charts/sub/Chart.yaml"] = "apiVersion: v2\nname: sub\nversion: 0.1.0\n"
        files["charts/sub/values.schema.json"] = json.dumps(sub[0])
        files["charts/sub/values.yaml"] = sub[1]
    return files
