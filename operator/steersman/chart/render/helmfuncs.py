"""The functions Helm adds to Sprig's (pkg/engine/funcs.go and engine.go initFunMap).

`helm_funcs` gives the context-free ones (toYaml, fromJson, toToml, lookup, ...);
`bind_template_funcs` installs include/tpl/required/fail, which close over one TemplateSet and
the shared include-depth counter, as Helm's engine does for each render.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import datetime
from typing import Any

from steersman.golang import goyaml, jsonout, tomlout, yamlout
from steersman.golang.fmt import go_quote
from steersman.golang.types import NO_VALUE, GoFunc, GoInt64, TemplateFuncError
from steersman.golang.yamlpretty import to_yaml_pretty
from steersman.gotemplate import TemplateExecError, TemplateParseError, TemplateSet
from steersman.sprig import sprig_funcs

# `required` and `fail` messages travel inside these markers so the engine can report them
# as `execution error at (<file>:L:C): <msg>` whatever wraps them.
HELM_ERR_START = "HELM_ERR_START"
HELM_ERR_END = "HELM_ERR_END"
RECURSION_MAX = 1000
ROOT_TEMPLATE = "gotpl"

Lookup = Callable[[str, str, str, str], dict[str, Any]]


def _must_to_yaml(v: Any) -> str:
    try:
        return yamlout.must_to_yaml(v)
    except yamlout.YAMLMarshalError as exc:
        raise TemplateFuncError(str(exc)) from None


def _must_to_json(v: Any) -> str:
    try:
        return jsonout.marshal(v)
    except jsonout.JSONError as exc:
        raise TemplateFuncError(str(exc)) from None


def _unstructured(v: Any) -> Any:
    """JSON from the API server as client-go's unstructured objects hold it: whole numbers are
    int64, others float64 (plain Python ints would be Go `int`)."""
    if isinstance(v, dict):
        return {k: _unstructured(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_unstructured(x) for x in v]
    if isinstance(v, int) and not isinstance(v, bool):
        return GoInt64(v)
    return v


def lookup_func(lookup: Lookup | None) -> GoFunc:
    """Helm's `lookup`, answered by `lookup` (None: helm template's empty map)."""

    def run(api_version: str, kind: str, namespace: str, name: str) -> dict[str, Any]:
        if lookup is None:
            return {}  # helm template: no cluster, always an empty map
        try:
            found = lookup(api_version, kind, namespace, name)
        except TemplateFuncError:
            raise
        except Exception as exc:  # the cluster client's failure becomes the call's error
            raise TemplateFuncError(str(exc)) from None
        return _unstructured(found)  # type: ignore[no-any-return]

    return GoFunc(
        run,
        ("string", "string", "string", "string"),
        result="map[string]interface {}",
        can_error=True,
    )


def helm_funcs(
    *,
    lookup: Lookup | None = None,
    rand: random.Random | None = None,
    now: Callable[[], datetime] | None = None,
    helm_major: int = 4,
) -> dict[str, GoFunc]:
    """Sprig minus env/expandenv plus Helm's own functions (include/tpl come from
    bind_template_funcs). Helm 3 has no mustToYaml and keeps Sprig's mustToJson."""
    funcs = sprig_funcs(rand=rand, now=now)
    funcs.pop("env", None)
    funcs.pop("expandenv", None)
    funcs.update(
        {
            "toToml": GoFunc(tomlout.to_toml, ("interface {}",), result="string"),
            "fromToml": GoFunc(tomlout.from_toml, ("string",), result="map[string]interface {}"),
            "toYaml": GoFunc(yamlout.to_yaml, ("interface {}",), result="string"),
            "mustToYaml": GoFunc(_must_to_yaml, ("interface {}",), result="string", can_error=True),
            "toYamlPretty": GoFunc(to_yaml_pretty, ("interface {}",), result="string"),
            "fromYaml": GoFunc(goyaml.from_yaml, ("string",), result="map[string]interface {}"),
            "fromYamlArray": GoFunc(goyaml.from_yaml_array, ("string",), result="[]interface {}"),
            "toJson": GoFunc(jsonout.to_json, ("interface {}",), result="string"),
            "mustToJson": GoFunc(_must_to_json, ("interface {}",), result="string", can_error=True),
            "fromJson": GoFunc(jsonout.from_json, ("string",), result="map[string]interface {}"),
            "fromJsonArray": GoFunc(jsonout.from_json_array, ("string",), result="[]interface {}"),
            "lookup": lookup_func(lookup),
            "getHostByName": GoFunc(lambda _name: "", ("string",), result="string"),
        }
    )
    if helm_major < 4:
        sprig_must_to_json = sprig_funcs(rand=rand, now=now)["mustToJson"]
        funcs.pop("mustToYaml")
        funcs["mustToJson"] = sprig_must_to_json
    return funcs


def _required(warn: str, val: Any) -> Any:
    if val is None or val is NO_VALUE or (isinstance(val, str) and val == ""):
        raise TemplateFuncError(HELM_ERR_START + warn + HELM_ERR_END)
    return val


def _fail(msg: str) -> str:
    raise TemplateFuncError(HELM_ERR_START + msg + HELM_ERR_END)


def bind_template_funcs(ts: TemplateSet, included: dict[str, int]) -> None:
    """Install include/tpl (closing over `ts`) plus required and fail into `ts`."""

    def include(name: str, data: Any) -> str:
        depth = included.get(name)
        if depth is not None and depth > RECURSION_MAX:
            raise TemplateFuncError(
                f"rendering template has a nested reference name: {name}: "
                "unable to execute template"
            )
        included[name] = (depth or 0) + 1
        try:
            return ts.execute(name, data)
        except TemplateExecError as exc:
            raise TemplateFuncError(str(exc)) from None
        finally:
            included[name] -= 1

    def tpl(text: str, vals: Any) -> str:
        clone = ts.clone()
        bind_template_funcs(clone, included)
        # Go parses `text` into a fresh template named like the root; a body made only of
        # defines must run as empty, not fall back to an earlier tpl body of that name.
        clone._templates.pop(ROOT_TEMPLATE, None)
        try:
            clone.parse(ROOT_TEMPLATE, text)
        except TemplateParseError as exc:
            raise TemplateFuncError(f"cannot parse template {go_quote(text)}: {exc}") from None
        try:
            out = clone.execute(ROOT_TEMPLATE, vals)
        except TemplateExecError as exc:
            raise TemplateFuncError(
                f"error during tpl function execution for {go_quote(text)}: {exc}"
            ) from None
        return out.replace("<no value>", "")

    ts.add_funcs(
        {
            "include": GoFunc(include, ("string", "interface {}"), result="string", can_error=True),
            "tpl": GoFunc(tpl, ("string", "interface {}"), result="string", can_error=True),
            "required": GoFunc(_required, ("string", "interface {}"), can_error=True),
            "fail": GoFunc(_fail, ("string",), result="string", can_error=True),
        }
    )
