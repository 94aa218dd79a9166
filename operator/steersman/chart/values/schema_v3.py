"""values.schema.json validation as Helm v3 does it (xeipuuv/gojsonschema v1.2.0).

Helm v3 prints one line per error, `- <field>: <description>`, e.g.

    - replicaCount: Invalid type. Expected: integer, given: string
    - (root): image is required

Errors come in gojsonschema's order: type check first (and alone), then anyOf/oneOf/allOf/not/
dependencies/if, then object or array keywords, const/enum, then each property in turn;
numbers check multipleOf, maximum, minimum before enum, strings lengths, pattern and format.
Numbers are compared as exact decimals and `enum`/`const` compare JSON texts, as gojsonschema
does (so an enum entry written `1.0` does not match the value 1). Properties are visited in
sorted order (Go uses its random map order).
"""

from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

from steersman.chart.values.schema_formats import check_format, regex_search
from steersman.golang.floatfmt import format_float
from steersman.golang.jsonout import go_json_float


class _Num(str):
    """A number from the schema, kept as its JSON text."""


def _load_schema(data: bytes) -> Any:
    return json.loads(data, parse_int=_Num, parse_float=_Num)


def _number_text(v: Any) -> str | None:
    if isinstance(v, bool):
        return None
    if isinstance(v, _Num):
        return str(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return go_json_float(v)
    return None


def _json_text(v: Any) -> str:
    """marshalWithoutNumber: JSON with numbers as written."""
    num = _number_text(v)
    if num is not None:
        return num
    if isinstance(v, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_json_text(v[k])}" for k in sorted(v)) + "}"
    if isinstance(v, list):
        return "[" + ",".join(_json_text(x) for x in v) + "]"
    return json.dumps(v, ensure_ascii=False)


def _big_float(text: str) -> str:
    """fmt %v of a big.Float made from the schema's number (shortest %g)."""
    return format_float(float(Fraction(text)))


def _type_name(v: Any) -> str:
    num = _number_text(v)
    if num is not None:
        return "integer" if Fraction(num).denominator == 1 else "number"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


class _Result:
    def __init__(self) -> None:
        self.errors: list[str] = []
        self.score = 0


class _V3:
    def __init__(self, root: Any) -> None:
        self.root = root

    def _resolve(self, ref: str) -> Any:
        node = self.root
        for raw in ref.lstrip("#").split("/")[1:]:
            tok = raw.replace("~1", "/").replace("~0", "~")
            node = node[int(tok)] if isinstance(node, list) else node.get(tok, {})
        return node

    def sub(self, s: Any, v: Any, path: str) -> _Result:
        result = _Result()
        self.recursive(s, v, path, result)
        return result

    def err(self, result: _Result, path: str, text: str) -> None:
        result.errors.append(f"{path}: {text}")

    def recursive(self, s: Any, v: Any, path: str, result: _Result) -> None:
        if s is True or s is False:
            if s is False:
                self.err(result, path, "False always fails validation")
            return
        if not isinstance(s, dict):
            return
        if isinstance(s.get("$ref"), str) and s["$ref"].startswith("#"):
            self.recursive(self._resolve(s["$ref"]), v, path, result)
            return
        types = s.get("type")
        wanted = [types] if isinstance(types, str) else list(types or [])
        if wanted:
            given = _type_name(v)
            ok = given in wanted or (given == "integer" and "number" in wanted)
            if not ok:
                expected = wanted[0] if len(wanted) == 1 else "[" + ",".join(wanted) + "]"
                self.err(result, path, f"Invalid type. Expected: {expected}, given: {given}")
                return
        self.schema_keywords(s, v, path, result)
        if isinstance(v, dict):
            self.object(s, v, path, result)
            self.common(s, v, path, result)
            props: Any = s.get("properties") if isinstance(s.get("properties"), dict) else {}
            for name in sorted(props):
                if name in v:
                    self.recursive(props[name], v[name], _child(path, name), result)
        elif isinstance(v, list):
            self.array(s, v, path, result)
            self.common(s, v, path, result)
        else:
            self.number(s, v, path, result)
            self.common(s, v, path, result)
            self.string(s, v, path, result)
        result.score += 1

    def schema_keywords(self, s: dict[str, Any], v: Any, path: str, result: _Result) -> None:
        if isinstance(s.get("anyOf"), list) and s["anyOf"]:
            best: _Result | None = None
            for sch in s["anyOf"]:
                r = self.sub(sch, v, path)
                if not r.errors:
                    break
                if best is None or r.score > best.score:
                    best = r
            else:
                self.err(result, path, "Must validate at least one schema (anyOf)")
                if best is not None:
                    result.errors.extend(best.errors)
        if isinstance(s.get("oneOf"), list) and s["oneOf"]:
            matched = 0
            best = None
            for sch in s["oneOf"]:
                r = self.sub(sch, v, path)
                if not r.errors:
                    matched += 1
                elif matched == 0 and (best is None or r.score > best.score):
                    best = r
            if matched != 1:
                self.err(result, path, "Must validate one and only one schema (oneOf)")
                if matched == 0 and best is not None:
                    result.errors.extend(best.errors)
        if isinstance(s.get("allOf"), list) and s["allOf"]:
            valid = 0
            for sch in s["allOf"]:
                r = self.sub(sch, v, path)
                valid += not r.errors
                result.errors.extend(r.errors)
            if valid != len(s["allOf"]):
                self.err(result, path, "Must validate all the schemas (allOf)")
        if "not" in s and not self.sub(s["not"], v, path).errors:
            self.err(result, path, "Must not validate the schema (not)")
        deps = s.get("dependencies")
        if isinstance(deps, dict) and isinstance(v, dict):
            for key in sorted(v):
                dep = deps.get(key)
                if isinstance(dep, list):
                    for other in dep:
                        if other not in v:
                            self.err(result, path, f"Has a dependency on {other}")
                elif isinstance(dep, dict):
                    self.recursive(dep, v, path, result)
        if "if" in s:
            if_ok = not self.sub(s["if"], v, path).errors
            branch = "then" if if_ok else "else"
            if branch in s:
                r = self.sub(s[branch], v, path)
                if r.errors:
                    cond = '"then" as "if" was valid' if if_ok else '"else" as "if" was not valid'
                    self.err(result, path, f"Must validate {cond}")
                    result.errors.extend(r.errors)
        result.score += 1

    def object(self, s: dict[str, Any], v: dict[str, Any], path: str, result: _Result) -> None:
        if isinstance(s.get("minProperties"), (int, _Num)) and len(v) < _int(s["minProperties"]):
            self.err(result, path, f"Must have at least {_int(s['minProperties'])} properties")
        if isinstance(s.get("maxProperties"), (int, _Num)) and len(v) > _int(s["maxProperties"]):
            self.err(result, path, f"Must have at most {_int(s['maxProperties'])} properties")
        for req in s.get("required") or []:
            if req in v:
                result.score += 1
            else:
                self.err(result, path, f"{req} is required")
        props: Any = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        patterns: Any = s.get("patternProperties")
        if not isinstance(patterns, dict):
            patterns = {}
        additional = s.get("additionalProperties")
        for key in sorted(v):
            matched = False
            for regex, sch in patterns.items():
                if regex_search(regex, key):
                    matched = True
                    result.errors.extend(self.sub(sch, v[key], _child(path, key)).errors)
            if key in props or matched:
                continue
            if additional is False:
                self.err(result, path, f"Additional property {key} is not allowed")
            elif isinstance(additional, dict):
                result.errors.extend(self.sub(additional, v[key], _child(path, key)).errors)
        result.score += 1

    def array(self, s: dict[str, Any], v: list[Any], path: str, result: _Result) -> None:
        items = s.get("items")
        if isinstance(items, (dict, bool)):
            for i, item in enumerate(v):
                result.errors.extend(self.sub(items, item, _child(path, str(i))).errors)
        elif isinstance(items, list) and items:
            for i, item in enumerate(v[: len(items)]):
                result.errors.extend(self.sub(items[i], item, _child(path, str(i))).errors)
            extra = s.get("additionalItems")
            if len(items) < len(v):
                if extra is False:
                    self.err(result, path, "No additional items allowed on array")
                elif isinstance(extra, dict):
                    for i in range(len(items), len(v)):
                        result.errors.extend(self.sub(extra, v[i], _child(path, str(i))).errors)
        if isinstance(s.get("minItems"), (int, _Num)) and len(v) < _int(s["minItems"]):
            self.err(result, path, f"Array must have at least {_int(s['minItems'])} items")
        if isinstance(s.get("maxItems"), (int, _Num)) and len(v) > _int(s["maxItems"]):
            self.err(result, path, f"Array must have at most {_int(s['maxItems'])} items")
        if s.get("uniqueItems") is True:
            seen: dict[str, int] = {}
            for j, item in enumerate(v):
                text = _json_text(item)
                if text in seen:
                    self.err(result, path, f"array items[{seen[text]},{j}] must be unique")
                seen[text] = j
        result.score += 1

    def number(self, s: dict[str, Any], v: Any, path: str, result: _Result) -> None:
        text = _number_text(v)
        if text is None:
            return
        x = Fraction(text)
        step = s.get("multipleOf")
        if isinstance(step, _Num) and Fraction(step) != 0 and (x / Fraction(step)).denominator != 1:
            self.err(result, path, f"Must be a multiple of {_big_float(step)}")
        checks: tuple[tuple[str, int, str], ...] = (
            # keyword, failing comparison result(s) of x against the bound, message
            ("maximum", 1, "Must be less than or equal to"),
            ("exclusiveMaximum", 0, "Must be less than"),
            ("minimum", -1, "Must be greater than or equal to"),
            ("exclusiveMinimum", 2, "Must be greater than"),
        )
        for key, mode, text_ in checks:
            bound = s.get(key)
            if not isinstance(bound, _Num):
                continue
            b = Fraction(bound)
            failed = {1: x > b, 0: x >= b, -1: x < b, 2: x <= b}[mode]
            if failed:
                self.err(result, path, f"{text_} {_big_float(bound)}")
        result.score += 1

    def common(self, s: dict[str, Any], v: Any, path: str, result: _Result) -> None:
        field = path
        if "const" in s and _json_text(v) != _json_text(s["const"]):
            self.err(result, path, f"{field} does not match: {_json_text(s['const'])}")
        enum = s.get("enum")
        if isinstance(enum, list) and enum:
            allowed = [_json_text(e) for e in enum]
            if _json_text(v) not in allowed:
                joined = ", ".join(allowed)
                self.err(result, path, f"{field} must be one of the following: {joined}")
        result.score += 1

    def string(self, s: dict[str, Any], v: Any, path: str, result: _Result) -> None:
        if not isinstance(v, str):
            return
        if isinstance(s.get("minLength"), (int, _Num)) and len(v) < _int(s["minLength"]):
            self.err(
                result,
                path,
                f"String length must be greater than or equal to {_int(s['minLength'])}",
            )
        if isinstance(s.get("maxLength"), (int, _Num)) and len(v) > _int(s["maxLength"]):
            self.err(
                result, path, f"String length must be less than or equal to {_int(s['maxLength'])}"
            )
        pattern = s.get("pattern")
        if isinstance(pattern, str) and not regex_search(pattern, v):
            self.err(result, path, f"Does not match pattern '{pattern}'")
        fmt = s.get("format")
        if isinstance(fmt, str) and check_format(fmt, v) is not None:
            self.err(result, path, f"Does not match format '{fmt}'")
        result.score += 1


def _int(v: Any) -> int:
    return int(Fraction(str(v)))


def _child(path: str, key: str) -> str:
    return key if path == "(root)" else f"{path}.{key}"


def validate_single_v3(values: dict[str, Any], schema_json: bytes) -> str | None:
    """Helm v3's ValidateAgainstSingleSchema: None when valid, else `- field: text` lines."""
    schema = _load_schema(schema_json)
    validator = _V3(schema)
    result = validator.sub(schema, values, "(root)")
    if not result.errors:
        return None
    return "".join(f"- {line}\n" for line in result.errors)
