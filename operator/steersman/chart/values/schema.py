"""values.schema.json validation with the error texts Helm prints.

Helm validates with santhosh-tekuri/jsonschema v6. This is an independent validator for the
keywords charts use (drafts 4, 6, 7, 2019-09 and 2020-12; default 2020-12) that builds the same
error tree and prints it the same way, e.g.

    - at '/replicaCount': got string, want integer
    - at '': missing property 'image'

Go iterates object properties in random order, so when several properties fail at one level
Helm's order varies; here they come in sorted order. Only references inside the schema document
(`#...` pointers, `$anchor`s) are resolved; formats are checked for drafts before 2019 only (as
v6 does) and only for the common ones (date, date-time, time, ipv4, ipv6, email, hostname, uuid).
unevaluatedProperties/unevaluatedItems are not supported.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from steersman.chart import helmlog
from steersman.chart.model import Chart
from steersman.chart.values.schema_formats import check_format, regex_search
from steersman.chart.values.schema_v3 import validate_single_v3
from steersman.errors import SteersmanError
from steersman.golang.floatfmt import format_float
from steersman.golang.fmt import go_quote

log = logging.getLogger(__name__)  # under "steersman.chart": template prints its lines

_TYPE_ORDER = ("null", "boolean", "number", "integer", "string", "array", "object")


class SchemaError(SteersmanError, ValueError):
    """A schema that cannot be compiled (or the values fail it: see ValuesSchemaError)."""


class ValuesSchemaError(SteersmanError, ValueError):
    """Coalesced values that do not satisfy a chart's schema; str() is Helm's message."""


@dataclass
class VError:
    message: str
    location: list[str]
    causes: list[VError] = field(default_factory=list)
    group: bool = False
    reference: bool = False


def _quote(s: str) -> str:
    """The validator's quote: strconv.Quote's escapes between single quotes."""
    text = go_quote(s)[1:-1].replace('\\"', '"').replace("'", "\\'")
    return "'" + text + "'"


def _pointer(tokens: list[str]) -> str:
    return "".join("/" + t.replace("~", "~0").replace("/", "~1") for t in tokens)


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _num(x: float | Fraction) -> str:
    """%v of a float64 through golang.org/x/text's English printer.

    The digits are strconv's shortest %g; the integer part is grouped by thousands, and the
    exponent form is written with a superscript power: 2e+06 -> 2×10⁰⁶, 1e-05 -> 1×10⁻⁰⁵.
    """
    text = format_float(float(x))
    if not math.isfinite(float(x)):
        return text
    if "e" in text:
        mant, _, exp = text.partition("e")
        return f"{mant}×10{exp.lstrip('+').translate(_SUPERSCRIPT)}"
    sign = "-" if text.startswith("-") else ""
    ip, _, fp = text.lstrip("-").partition(".")
    return sign + f"{int(ip):,}" + ("." + fp if fp else "")


def _int(n: int) -> str:
    return f"{n:,}"


def _display(v: Any) -> str:
    if isinstance(v, str):
        return _quote(v)
    if isinstance(v, (list, dict)):
        return "value"
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return format_float(v)
    return str(v)


def type_of(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return "invalid"


def _is_integer(v: Any) -> bool:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return True
    return isinstance(v, float) and math.isfinite(v) and v == int(v)


def json_equal(a: Any, b: Any) -> bool:
    ta, tb = type_of(a), type_of(b)
    if ta != tb:
        return False
    if ta == "number":
        return Fraction(a) == Fraction(b)
    if ta == "array":
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if ta == "object":
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return bool(a == b)


def _draft(schema: Any) -> int:
    uri = schema.get("$schema", "") if isinstance(schema, dict) else ""
    for marker, version in (("draft-04", 4), ("draft-06", 6), ("draft-07", 7), ("2019-09", 2019)):
        if marker in uri:
            return version
    return 2020


class _Validator:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.draft = _draft(root)
        self.anchors: dict[str, Any] = {}
        self._collect_anchors(root)

    def _collect_anchors(self, node: Any) -> None:
        if isinstance(node, dict):
            anchor = node.get("$anchor")
            if isinstance(anchor, str):
                self.anchors[anchor] = node
            for v in node.values():
                self._collect_anchors(v)
        elif isinstance(node, list):
            for v in node:
                self._collect_anchors(v)

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"unsupported $ref {ref!r}: only references within the schema")
        frag = ref[1:]
        if frag and not frag.startswith("/"):
            if frag in self.anchors:
                return self.anchors[frag]
            raise SchemaError(f"anchor {frag!r} not found")
        node = self.root
        for raw in frag.split("/")[1:] if frag else []:
            tok = raw.replace("%25", "%").replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and tok.isdigit() and int(tok) < len(node):
                node = node[int(tok)]
            elif isinstance(node, dict) and tok in node:
                node = node[tok]
            else:
                raise SchemaError(f"$ref {ref!r} not found")
        return node

    # -- core --------------------------------------------------------------------------------

    def validate(self, s: Any, v: Any, loc: list[str], bool_result: bool = False) -> VError | None:
        if s is True or s == {}:
            return None
        if s is False:
            return VError("false schema", loc)
        if not isinstance(s, dict):
            return None
        t = type_of(v)
        err = self._head(s, v, t, loc)
        if err is not None:
            return err
        errors: list[VError] = []
        if "$ref" in s and isinstance(s["$ref"], str):
            ref_err = self._ref(s["$ref"], v, loc)
            if self.draft < 2019:
                return ref_err
            if ref_err is not None:
                errors.append(ref_err)
        if t == "object":
            self._object(s, v, loc, errors, bool_result)
        elif t == "array":
            self._array(s, v, loc, errors)
        elif t == "string":
            self._string(s, v, loc, errors)
        elif t == "number":
            self._number(s, v, loc, errors)
        if not errors or not bool_result:
            self._conditional(s, v, loc, errors, bool_result)
        if not errors:
            return None
        if len(errors) == 1:
            return errors[0]
        return VError("validation failed", loc, errors, group=True)

    def _head(self, s: dict[str, Any], v: Any, t: str, loc: list[str]) -> VError | None:
        types = s.get("type")
        if types is not None:
            wanted = {types} if isinstance(types, str) else set(types or [])
            wanted &= set(_TYPE_ORDER)
            if wanted and not (
                t in wanted or ("integer" in wanted and t == "number" and _is_integer(v))
            ):
                want = " or ".join(x for x in _TYPE_ORDER if x in wanted)
                return VError(f"got {t}, want {want}", loc)
        if "const" in s and not json_equal(v, s["const"]):
            want = s["const"]
            text = (
                "const failed"
                if isinstance(want, (list, dict))
                else f"value must be {_display(want)}"
            )
            return VError(text, loc)
        if isinstance(s.get("enum"), list):
            items = s["enum"]
            if not any(json_equal(v, item) for item in items):
                if any(isinstance(i, (list, dict)) for i in items):
                    text = "enum failed"
                elif len(items) == 1:
                    text = f"value must be {_display(items[0])}"
                else:
                    text = "value must be one of " + ", ".join(_display(i) for i in items)
                return VError(text, loc)
        fmt = s.get("format")
        if self.draft < 2019 and isinstance(fmt, str) and isinstance(v, str):
            problem = check_format(fmt, v)
            if problem is not None:
                return VError(f"{_quote(v)} is not valid {fmt}: {problem}", loc)
        return None

    def _ref(self, ref: str, v: Any, loc: list[str]) -> VError | None:
        err = self.validate(self.resolve(ref), v, loc)
        if err is None:
            return None
        causes = err.causes if err.group else [err]
        return VError("", loc, causes, reference=True)

    def _object(
        self,
        s: dict[str, Any],
        obj: dict[str, Any],
        loc: list[str],
        errors: list[VError],
        bool_result: bool,
    ) -> None:
        if isinstance(s.get("minProperties"), int) and len(obj) < s["minProperties"]:
            errors.append(
                VError(f"minProperties: got {_int(len(obj))}, want {_int(s['minProperties'])}", loc)
            )
        if isinstance(s.get("maxProperties"), int) and len(obj) > s["maxProperties"]:
            errors.append(
                VError(f"maxProperties: got {_int(len(obj))}, want {_int(s['maxProperties'])}", loc)
            )
        required = s.get("required")
        if isinstance(required, list) and required:
            missing = [r for r in required if isinstance(r, str) and r not in obj]
            if missing:
                if len(missing) == 1:
                    errors.append(VError(f"missing property {_quote(missing[0])}", loc))
                else:
                    names = ", ".join(_quote(m) for m in missing)
                    errors.append(VError(f"missing properties {names}", loc))
        if bool_result and errors:
            return
        deps: Any = s.get("dependencies") if self.draft < 2019 else None
        for pname in sorted(deps or {}):
            if pname in obj:
                self._dependency(deps[pname], pname, obj, loc, errors)
        props: Any = s.get("properties") if isinstance(s.get("properties"), dict) else {}
        patterns: Any = s.get("patternProperties")
        if not isinstance(patterns, dict):
            patterns = {}
        additional = s.get("additionalProperties")
        not_allowed: list[str] = []
        for pname in sorted(obj):
            evaluated = False
            if pname in props:
                evaluated = True
                self._add(errors, self.validate(props[pname], obj[pname], [*loc, pname]))
            for regex, sch in patterns.items():
                if regex_search(regex, pname):
                    evaluated = True
                    self._add(errors, self.validate(sch, obj[pname], [*loc, pname]))
            if not evaluated and additional is not None:
                if additional is False:
                    not_allowed.append(pname)
                elif isinstance(additional, dict):
                    self._add(errors, self.validate(additional, obj[pname], [*loc, pname]))
        if not_allowed:
            names = ", ".join(_quote(p) for p in not_allowed)
            errors.append(VError(f"additional properties {names} not allowed", loc))
        if self.draft >= 6 and "propertyNames" in s:
            for pname in sorted(obj):
                if self.validate(s["propertyNames"], pname, loc) is not None:
                    errors.append(VError(f"invalid propertyName {_quote(pname)}", loc))
        if self.draft >= 2019:
            for pname, sch in sorted((s.get("dependentSchemas") or {}).items()):
                if pname in obj:
                    self._add(errors, self.validate(sch, obj, loc))
            for pname, reqd in sorted((s.get("dependentRequired") or {}).items()):
                missing = [r for r in reqd if r not in obj] if pname in obj else []
                if missing:
                    names = ", ".join(_quote(m) for m in missing)
                    errors.append(
                        VError(f"properties {names} required, if {_quote(pname)} exists", loc)
                    )

    def _dependency(
        self, dep: Any, pname: str, obj: dict[str, Any], loc: list[str], errors: list[VError]
    ) -> None:
        if isinstance(dep, list):
            missing = [r for r in dep if r not in obj]
            if missing:
                names = ", ".join(_quote(m) for m in missing)
                errors.append(
                    VError(f"properties {names} required, if {_quote(pname)} exists", loc)
                )
        else:
            self._add(errors, self.validate(dep, obj, loc))

    def _array(
        self, s: dict[str, Any], arr: list[Any], loc: list[str], errors: list[VError]
    ) -> None:
        if isinstance(s.get("minItems"), int) and len(arr) < s["minItems"]:
            errors.append(
                VError(f"minItems: got {_int(len(arr))}, want {_int(s['minItems'])}", loc)
            )
        if isinstance(s.get("maxItems"), int) and len(arr) > s["maxItems"]:
            errors.append(
                VError(f"maxItems: got {_int(len(arr))}, want {_int(s['maxItems'])}", loc)
            )
        if s.get("uniqueItems") is True and len(arr) > 1:
            dup = _duplicates(arr)
            if dup is not None:
                errors.append(VError(f"items at {dup[0]} and {dup[1]} are equal", loc))
        items = s.get("items")
        if self.draft < 2020:
            if isinstance(items, list):
                for i, item in enumerate(arr[: len(items)]):
                    self._add(errors, self.validate(items[i], item, [*loc, str(i)]))
                extra = s.get("additionalItems")
                if extra is False and len(arr) > len(items):
                    errors.append(
                        VError(f"last {len(arr) - len(items)} additionalItem(s) not allowed", loc)
                    )
                elif isinstance(extra, dict):
                    for i in range(len(items), len(arr)):
                        self._add(errors, self.validate(extra, arr[i], [*loc, str(i)]))
            elif items is not None:
                for i, item in enumerate(arr):
                    self._add(errors, self.validate(items, item, [*loc, str(i)]))
        else:
            prefix: Any = s.get("prefixItems") if isinstance(s.get("prefixItems"), list) else []
            for i, item in enumerate(arr[: len(prefix)]):
                self._add(errors, self.validate(prefix[i], item, [*loc, str(i)]))
            if items is not None:
                for i in range(len(prefix), len(arr)):
                    self._add(errors, self.validate(items, arr[i], [*loc, str(i)]))
        if "contains" in s and self.draft >= 6:
            self._contains(s, arr, loc, errors)

    def _contains(
        self, s: dict[str, Any], arr: list[Any], loc: list[str], errors: list[VError]
    ) -> None:
        failures: list[VError] = []
        matched: list[int] = []
        for i, item in enumerate(arr):
            err = self.validate(s["contains"], item, [*loc, str(i)])
            if err is None:
                matched.append(i)
            else:
                failures.append(err)
        min_c = s.get("minContains") if self.draft >= 2019 else None
        if isinstance(min_c, int):
            if len(matched) < min_c:
                if not matched:
                    text = f"min {min_c} items required to match contains schema, but none matched"
                else:
                    at = " ".join(str(m) for m in matched)
                    text = (
                        f"min {min_c} items required to match contains schema, but matched "
                        f"{len(matched)} items at {at}"
                    )
                errors.append(VError(text, loc, failures))
        elif not matched:
            errors.append(VError("no items match contains schema", loc, failures))
        max_c = s.get("maxContains") if self.draft >= 2019 else None
        if isinstance(max_c, int) and len(matched) > max_c:
            at = " ".join(str(m) for m in matched)
            errors.append(
                VError(
                    f"max {max_c} items required to match contains schema, but matched "
                    f"{len(matched)} items at {at}",
                    loc,
                )
            )

    def _string(self, s: dict[str, Any], v: str, loc: list[str], errors: list[VError]) -> None:
        if isinstance(s.get("minLength"), int) and len(v) < s["minLength"]:
            errors.append(
                VError(f"minLength: got {_int(len(v))}, want {_int(s['minLength'])}", loc)
            )
        if isinstance(s.get("maxLength"), int) and len(v) > s["maxLength"]:
            errors.append(
                VError(f"maxLength: got {_int(len(v))}, want {_int(s['maxLength'])}", loc)
            )
        pattern = s.get("pattern")
        if isinstance(pattern, str) and not regex_search(pattern, v):
            errors.append(VError(f"{_quote(v)} does not match pattern {_quote(pattern)}", loc))

    def _number(self, s: dict[str, Any], v: float, loc: list[str], errors: list[VError]) -> None:
        x = Fraction(v)
        checks: list[tuple[str, str, bool]] = []
        minimum: Any = s.get("minimum")
        maximum: Any = s.get("maximum")
        ex_min: Any = s.get("exclusiveMinimum")
        ex_max: Any = s.get("exclusiveMaximum")
        if self.draft == 4:
            if _is_num(minimum):
                kw = "exclusiveMinimum" if ex_min is True else "minimum"
                checks.append(
                    (
                        kw,
                        "minimum",
                        x <= Fraction(minimum) if ex_min is True else x < Fraction(minimum),
                    )
                )
            if _is_num(maximum):
                kw = "exclusiveMaximum" if ex_max is True else "maximum"
                checks.append(
                    (
                        kw,
                        "maximum",
                        x >= Fraction(maximum) if ex_max is True else x > Fraction(maximum),
                    )
                )
        else:
            if _is_num(minimum):
                checks.append(("minimum", "minimum", x < Fraction(minimum)))
            if _is_num(maximum):
                checks.append(("maximum", "maximum", x > Fraction(maximum)))
            if _is_num(ex_min):
                checks.append(("exclusiveMinimum", "exclusiveMinimum", x <= Fraction(ex_min)))
            if _is_num(ex_max):
                checks.append(("exclusiveMaximum", "exclusiveMaximum", x >= Fraction(ex_max)))
        for label, key, failed in checks:
            if failed:
                want: Any = s[key]
                errors.append(VError(f"{label}: got {_num(x)}, want {_num(Fraction(want))}", loc))
        step: Any = s.get("multipleOf")
        if _is_num(step) and step != 0 and (x / Fraction(step)).denominator != 1:
            errors.append(VError(f"multipleOf: got {_num(x)}, want {_num(Fraction(step))}", loc))

    def _conditional(
        self, s: dict[str, Any], v: Any, loc: list[str], errors: list[VError], bool_result: bool
    ) -> None:
        if "not" in s and self.validate(s["not"], v, loc, True) is None:
            errors.append(VError("'not' failed", loc))
        if isinstance(s.get("allOf"), list) and s["allOf"]:
            failed = [e for e in (self.validate(x, v, loc) for x in s["allOf"]) if e is not None]
            if failed:
                errors.append(VError("'allOf' failed", loc, failed))
        if isinstance(s.get("anyOf"), list) and s["anyOf"]:
            failed = []
            for sub in s["anyOf"]:
                err = self.validate(sub, v, loc)
                if err is None:
                    break
                failed.append(err)
            else:
                errors.append(VError("'anyOf' failed", loc, failed))
        if isinstance(s.get("oneOf"), list) and s["oneOf"]:
            matched = -1
            failed = []
            for i, sub in enumerate(s["oneOf"]):
                err = self.validate(sub, v, loc, matched != -1)
                if err is not None:
                    if matched == -1:
                        failed.append(err)
                elif matched == -1:
                    matched = i
                else:
                    errors.append(VError(f"'oneOf' failed, subschemas {matched}, {i} matched", loc))
                    break
            if matched == -1:
                errors.append(VError("'oneOf' failed, none matched", loc, failed))
        if self.draft >= 7 and "if" in s:
            if self.validate(s["if"], v, loc, True) is None:
                if "then" in s:
                    self._add(errors, self.validate(s["then"], v, loc))
            elif "else" in s:
                self._add(errors, self.validate(s["else"], v, loc))

    @staticmethod
    def _add(errors: list[VError], err: VError | None) -> None:
        if err is not None:
            errors.append(err)


def _is_num(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _duplicates(arr: list[Any]) -> tuple[int, int] | None:
    for i in range(len(arr)):
        for j in range(i + 1, len(arr)):
            if json_equal(arr[i], arr[j]):
                return i, j
    return None


def _display_error(err: VError, out: list[str], indent: int) -> None:
    if err.reference and len(err.causes) == 1:
        for cause in err.causes:
            _display_error(cause, out, indent)
        return
    out.append("\n" + "  " * (indent - 1) + "- ")
    message = err.message if not err.reference else "validation failed"
    out.append(f"at {_quote(_pointer(err.location))}: {message}")
    for cause in err.causes:
        _display_error(cause, out, indent + 1)


def validate_single(values: dict[str, Any], schema_json: bytes) -> str | None:
    """ValidateAgainstSingleSchema: None when valid, else the message Helm shows (ends in \\n)."""
    try:
        schema = json.loads(schema_json)
    except json.JSONDecodeError as exc:
        raise SchemaError(f"invalid values.schema.json: {exc}") from None
    err = _Validator(schema).validate(schema, values, [])
    if err is None:
        return None
    causes = err.causes if err.group else [err]
    out: list[str] = []
    for cause in causes:
        _display_error(cause, out, 1)
    return "".join(out).lstrip("\n") + "\n"


def validate_against_schema(chart: Chart, values: dict[str, Any], helm_major: int = 4) -> str:
    """ValidateAgainstSchema over the chart tree: "" when valid, else the per-chart report.

    helm_major 3 validates and words errors as Helm v3 (gojsonschema) does.
    """
    parts: list[str] = []
    if chart.schema is not None:
        if helm_major >= 4:
            helmlog.debug(log, "chart name", ("chart-name", chart.name))
            if log.isEnabledFor(logging.DEBUG) and _parses(chart.schema):
                text = chart.schema.decode("utf-8", "surrogateescape")
                helmlog.debug(log, "unmarshalled JSON schema", ("schema", helmlog.Quoted(text)))
        if helm_major < 4:
            problem = validate_single_v3(values, chart.schema)
        else:
            problem = validate_single(values, chart.schema)
        if problem is not None:
            parts.append(f"{chart.name}:\n{problem}")
    if helm_major >= 4:
        deps = str(len(chart.dependencies))
        helmlog.debug(
            log,
            "number of dependencies in the chart",
            ("chart", chart.name),
            ("dependencies", deps),
        )
    for sub in chart.dependencies:
        raw = values.get(sub.name)
        if helm_major < 4:
            parts.append(validate_against_schema(sub, raw if isinstance(raw, dict) else {}, 3))
            continue
        if raw is None:
            continue
        if not isinstance(raw, dict):
            got = _go_type(raw)
            parts.append(
                f"{sub.name}:\ninvalid type for values: expected object (map), got {got}\n"
            )
            continue
        parts.append(validate_against_schema(sub, raw, helm_major))
    return "".join(parts)


def _parses(schema: bytes) -> bool:
    """Whether helm gets as far as its "unmarshalled JSON schema" debug line."""
    try:
        json.loads(schema)
    except ValueError:
        return False
    return True


def _go_type(v: Any) -> str:
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "[]interface {}"
    return type(v).__name__


def check_values(chart: Chart, values: dict[str, Any], helm_major: int = 4) -> None:
    """Raise ValuesSchemaError with Helm's install/template message when validation fails."""
    report = validate_against_schema(chart, values, helm_major)
    if report:
        raise ValuesSchemaError(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n"
            + report
        )
