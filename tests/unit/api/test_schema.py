"""pydantic JSON schema -> structural schema, and the structural rules over the whole CRD."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, Literal

import pytest
from pydantic import BaseModel, Field

from steersman.api.crd import PRINTER_COLUMNS, openapi_schema
from steersman.api.schema import KEY_ORDER, SchemaError, short_description, to_structural


class Inner(BaseModel):
    """Inner thing.

    More detail that kubectl explain does not need."""

    n: int = Field(default=1, ge=0)


class Outer(BaseModel):
    inner: Inner | None = None
    inners: list[Inner] = Field(default_factory=list)
    mode: Literal["a"] = "a"
    free: dict[str, Any] | None = None
    by_name: dict[str, Inner] = Field(default_factory=dict)


def test_refs_optionals_and_free_form_objects() -> None:
    out = to_structural(Outer.model_json_schema())
    inner = {
        "type": "object",
        "description": "Inner thing.",
        "properties": {"n": {"type": "integer", "default": 1, "minimum": 0}},
    }
    assert out == {
        "type": "object",
        "properties": {
            "inner": inner,
            "inners": {"type": "array", "items": inner},
            "mode": {"type": "string", "enum": ["a"], "default": "a"},
            "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            "by_name": {"type": "object", "additionalProperties": inner},
        },
    }


def test_unions_of_types_are_refused() -> None:
    class Union(BaseModel):
        x: int | str

    with pytest.raises(SchemaError, match="/x: a union of 2 types"):
        to_structural(Union.model_json_schema())


def test_untyped_fields_are_refused() -> None:
    class Untyped(BaseModel):
        x: Any

    with pytest.raises(SchemaError, match="/x: no type"):
        to_structural(Untyped.model_json_schema())


def test_unknown_keywords_are_refused() -> None:
    with pytest.raises(SchemaError, match="uniqueItems"):
        to_structural({"type": "array", "uniqueItems": True, "items": {"type": "string"}})


def test_short_description() -> None:
    assert short_description("One line\nwrapped.\n\nSecond paragraph.", 200) == "One line wrapped."
    assert short_description("x" * 50, 10) == "x" * 9 + "…"


def walk(node: dict[str, Any], path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    yield path, node
    for name, sub in node.get("properties", {}).items():
        yield from walk(sub, f"{path}.{name}")
    if "items" in node:
        yield from walk(node["items"], f"{path}[]")
    if isinstance(node.get("additionalProperties"), dict):
        yield from walk(node["additionalProperties"], f"{path}{{}}")


def test_crd_schema_is_structural() -> None:
    nodes = list(walk(openapi_schema()))
    assert len(nodes) > 100
    for path, node in nodes:
        assert set(node) <= set(KEY_ORDER), path
        assert node["type"] in {"object", "array", "string", "integer", "number", "boolean"}, path
        if node["type"] == "array":
            assert "items" in node, path
        assert not ("properties" in node and "additionalProperties" in node), path
        assert "nullable" not in node, path
        if "required" in node:
            assert set(node["required"]) <= set(node.get("properties", {})), path
        if "x-kubernetes-list-type" in node and node["x-kubernetes-list-type"] == "map":
            item = node["items"]
            for key in node["x-kubernetes-list-map-keys"]:
                assert key in item.get("required", []), path


def test_only_values_keeps_unknown_fields() -> None:
    preserved = [
        p for p, n in walk(openapi_schema()) if n.get("x-kubernetes-preserve-unknown-fields")
    ]
    assert preserved == [".spec.values"]


def test_printer_columns_point_at_fields_in_the_schema() -> None:
    schema = openapi_schema()
    for column in PRINTER_COLUMNS:
        node = schema
        path = re.sub(r"\[[^\]]*\]", "[]", column["jsonPath"])  # drop indexes and filters
        for part in path.lstrip(".").split("."):
            name = part.split("[")[0]
            if name == "metadata":
                break
            node = node["properties"][name]
            if "[" in part:
                node = node["items"]
        else:
            kinds = {"string": "string", "integer": "integer", "boolean": "boolean"}
            assert kinds[node["type"]] == column["type"], column["name"]


def test_defaults_in_the_schema_match_the_models() -> None:
    from steersman.api import HelmReleaseSpec

    spec = openapi_schema()["properties"]["spec"]
    model = HelmReleaseSpec.model_validate(
        {"chart": {"repository": "https://x", "name": "c"}}
    ).to_k8s()
    for name, prop in spec["properties"].items():
        if "default" in prop and prop["type"] != "object":
            assert model[name] == prop["default"], name
