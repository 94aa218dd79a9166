"""The OpenAPI walk that finds fields a definition does not know (kubectl's unknown-field check)."""

from __future__ import annotations

from typing import Any

from steersman.engine.openapi import compile_definitions, unknown_fields, validation_error

_DEF = "#/definitions/"
_DOC: dict[str, Any] = {
    "definitions": {
        "io.k8s.api.apps.v1.Deployment": {
            "type": "object",
            "properties": {
                "apiVersion": {"type": "string", "description": "dropped when compiled"},
                "kind": {"type": "string"},
                "metadata": {"$ref": _DEF + "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"},
                "spec": {"$ref": _DEF + "io.k8s.api.apps.v1.DeploymentSpec"},
            },
            "x-kubernetes-group-version-kind": [
                {"group": "apps", "kind": "Deployment", "version": "v1"}
            ],
        },
        "io.k8s.api.apps.v1.DeploymentSpec": {
            "properties": {  # no "type": older apiservers publish structs like this
                "replicas": {"type": "integer"},
                "containers": {
                    "type": "array",
                    "items": {"$ref": _DEF + "io.k8s.api.core.v1.Container"},
                },
                "inline": {"type": "object", "properties": {"known": {"type": "string"}}},
                "byName": {
                    "type": "object",
                    "additionalProperties": {"$ref": _DEF + "io.k8s.api.core.v1.Container"},
                },
                "free": {"type": "object", "x-kubernetes-preserve-unknown-fields": True},
            },
        },
        "io.k8s.api.core.v1.Container": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "image": {"type": "string"}},
        },
        "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
            },
        },
    }
}
DEFS = compile_definitions(_DOC)


def deployment(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"any": "label"}},
        "spec": spec,
    }


def test_known_fields_pass() -> None:
    obj = deployment(replicas=1, containers=[{"name": "a", "image": "x"}], inline={"known": "y"})
    assert unknown_fields(DEFS, obj) == []


def test_an_unknown_field_is_named_with_the_object_path_and_the_definition() -> None:
    assert unknown_fields(DEFS, deployment(replica=1)) == [
        'ValidationError(Deployment.spec): unknown field "replica" in '
        "io.k8s.api.apps.v1.DeploymentSpec"
    ]


def test_items_refs_and_additional_properties_are_followed() -> None:
    obj = deployment(
        containers=[{"name": "a"}, {"name": "b", "imag": "x"}],
        byName={"first": {"name": "c", "ports": []}},
    )
    assert unknown_fields(DEFS, obj) == [
        'ValidationError(Deployment.spec.byName.first): unknown field "ports" in '
        "io.k8s.api.core.v1.Container",
        'ValidationError(Deployment.spec.containers[1]): unknown field "imag" in '
        "io.k8s.api.core.v1.Container",
    ]


def test_an_inline_object_is_named_by_its_place_in_the_definition() -> None:
    assert unknown_fields(DEFS, deployment(inline={"known": "a", "other": "b"})) == [
        'ValidationError(Deployment.spec.inline): unknown field "other" in '
        "io.k8s.api.apps.v1.DeploymentSpec.inline"
    ]


def test_preserved_unknown_fields_and_null_values_are_not_errors() -> None:
    obj = deployment(free={"anything": {"goes": [1]}}, typo=None)
    assert unknown_fields(DEFS, obj) == []


def test_kinds_without_a_definition_are_not_checked() -> None:
    custom = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"whatever": 1}}
    assert unknown_fields(DEFS, custom) == []
    assert validation_error(DEFS, [custom]) is None


def test_the_message_is_kubectls_for_the_first_invalid_object() -> None:
    objects = [
        deployment(replicas=1),
        deployment(replica=1, containers=[{"nam": "a"}]),
        deployment(other=1),
    ]
    assert validation_error(DEFS, objects) == (
        'error validating "": error validating data: ['  # keys in sorted order, as kubectl
        'ValidationError(Deployment.spec.containers[0]): unknown field "nam" in '
        "io.k8s.api.core.v1.Container, "
        'ValidationError(Deployment.spec): unknown field "replica" in '
        "io.k8s.api.apps.v1.DeploymentSpec]"
    )


def test_a_single_error_is_not_bracketed() -> None:
    assert validation_error(DEFS, [deployment(replica=1)]) == (
        'error validating "": error validating data: ValidationError(Deployment.spec): '
        'unknown field "replica" in io.k8s.api.apps.v1.DeploymentSpec'
    )
