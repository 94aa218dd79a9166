"""The post-render steps as pure functions: strategic merge, JSON 6902, images, selectors,
common metadata, and reading merge keys from an /openapi/v2 document."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from steersman.postrender import (
    BUILTIN,
    Image,
    Kustomize,
    Patch,
    PostRender,
    PostRenderError,
    Selector,
    from_openapi_v2,
    post_render,
    post_render_objects,
)
from steersman.postrender.images import split_image
from steersman.postrender.json6902 import apply_json6902
from steersman.postrender.strategic import Merger


def deployment(**spec: Any) -> dict[str, Any]:
    pod = {
        "containers": [
            {
                "name": "app",
                "image": "nginx:1.0",
                "ports": [{"containerPort": 80}],
                "env": [{"name": "A", "value": "1"}],
            },
            {"name": "side", "image": "busybox"},
        ],
        "volumes": [{"name": "v1", "emptyDir": {}}, {"name": "v2", "emptyDir": {}}],
    }
    pod.update(spec)
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web"}, "finalizers": ["a", "b"]},
        "spec": {"replicas": 1, "template": {"spec": pod}},
    }


def merge(obj: dict[str, Any], patch: dict[str, Any]) -> Any:
    return Merger(BUILTIN).merge_object(obj, patch)


def pod(obj: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = obj["spec"]["template"]["spec"]
    return result


def test_containers_merge_by_name_patch_items_first() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "app", "env": [{"name": "B", "value": "2"}]},
                        {"name": "new", "image": "x"},
                    ]
                }
            }
        }
    }
    out = pod(merge(deployment(), patch))
    assert [c["name"] for c in out["containers"]] == ["app", "new", "side"]
    assert out["containers"][0]["env"] == [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]
    assert out["containers"][0]["image"] == "nginx:1.0"


def test_ports_merge_by_container_port_and_env_values_replace() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {
                            "name": "app",
                            "ports": [{"containerPort": 80, "name": "http"}],
                            "env": [{"name": "A", "value": "changed"}],
                        }
                    ]
                }
            }
        }
    }
    app = pod(merge(deployment(), patch))["containers"][0]
    assert app["ports"] == [{"containerPort": 80, "name": "http"}]
    assert app["env"] == [{"name": "A", "value": "changed"}]


def test_delete_directive_on_an_item_a_map_and_the_object() -> None:
    patch: dict[str, Any] = {
        "spec": {"template": {"spec": {"volumes": [{"name": "v1", "$patch": "delete"}]}}}
    }
    assert pod(merge(deployment(), patch))["volumes"] == [{"name": "v2", "emptyDir": {}}]
    patch = {"spec": {"template": {"spec": {"$patch": "delete"}}}}
    assert merge(deployment(), patch)["spec"]["template"] == {}
    assert merge(deployment(), {"$patch": "delete"}) is None


def test_replace_directive_on_a_list_and_a_map() -> None:
    patch = {
        "spec": {
            "template": {
                "spec": {"containers": [{"$patch": "replace"}, {"name": "only", "image": "y"}]}
            }
        }
    }
    assert pod(merge(deployment(), patch))["containers"] == [{"name": "only", "image": "y"}]
    labels: dict[str, Any] = {"metadata": {"labels": {"$patch": "replace", "b": "2"}}}
    assert merge(deployment(), labels)["metadata"]["labels"] == {"b": "2"}


def test_null_deletes_a_field_and_scalar_lists_union_patch_first() -> None:
    patch = {"spec": {"replicas": None}, "metadata": {"finalizers": ["c", "a"]}}
    out = merge(deployment(), patch)
    assert "replicas" not in out["spec"]
    assert out["metadata"]["finalizers"] == ["c", "a", "b"]


def test_lists_without_a_merge_strategy_are_replaced() -> None:
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"items": [{"name": "a"}]}}
    out = merge(obj, {"spec": {"items": [{"name": "b"}]}})
    assert out["spec"]["items"] == [{"name": "b"}]


def test_unknown_directive_is_an_error() -> None:
    with pytest.raises(PostRenderError, match="unknown patch strategy 'drop'"):
        merge(deployment(), {"metadata": {"$patch": "drop"}})


def test_json6902_operations() -> None:
    obj = deployment()
    ops = [
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "add", "path": "/metadata/labels/tier", "value": "web"},
        {"op": "add", "path": "/spec/template/spec/containers/-", "value": {"name": "last"}},
        {"op": "remove", "path": "/metadata/finalizers/0"},
        {"op": "copy", "from": "/metadata/name", "path": "/metadata/annotations"},
        {"op": "move", "from": "/metadata/annotations", "path": "/metadata/generateName"},
        {"op": "test", "path": "/spec/replicas", "value": 3},
    ]
    out = apply_json6902(obj, ops)
    assert out["spec"]["replicas"] == 3
    assert out["metadata"]["labels"]["tier"] == "web"
    assert pod(out)["containers"][-1] == {"name": "last"}
    assert out["metadata"]["finalizers"] == ["b"]
    assert out["metadata"]["generateName"] == "web" and "annotations" not in out["metadata"]
    assert obj["spec"]["replicas"] == 1  # the input is not changed


@pytest.mark.parametrize(
    ("ops", "message"),
    [
        ([{"op": "replace", "path": "/spec/missing", "value": 1}], "does not exist"),
        ([{"op": "remove", "path": "/spec/template/spec/containers/9"}], "out of range"),
        ([{"op": "test", "path": "/spec/replicas", "value": 2}], "test operation failed"),
        ([{"op": "frobnicate", "path": "/spec"}], "unknown JSON patch operation"),
    ],
)
def test_json6902_errors(ops: list[Any], message: str) -> None:
    with pytest.raises(PostRenderError, match=message):
        apply_json6902(deployment(), ops)


@pytest.mark.parametrize(
    ("image", "parts"),
    [
        ("nginx", ("nginx", "", "")),
        ("nginx:1.0", ("nginx", "1.0", "")),
        ("reg:5000/team/app:2", ("reg:5000/team/app", "2", "")),
        ("app@sha256:ab", ("app", "", "sha256:ab")),
        ("app:1@sha256:ab", ("app", "1", "sha256:ab")),
    ],
)
def test_split_image(image: str, parts: tuple[str, str, str]) -> None:
    assert split_image(image) == parts


def test_images_change_containers_and_init_containers() -> None:
    obj = deployment(initContainers=[{"name": "init", "image": "nginx"}])
    spec = PostRender(
        (
            Kustomize(
                images=(
                    Image("nginx", new_name="reg/nginx", new_tag="2"),
                    Image("busybox", digest="sha256:ff"),
                )
            ),
        )
    )
    (out,) = post_render_objects([obj], spec)
    images = [c["image"] for c in pod(out)["containers"] + pod(out)["initContainers"]]
    assert images == ["reg/nginx:2", "busybox@sha256:ff", "reg/nginx:2"]


def test_selector_regexes_and_label_selectors() -> None:
    objs = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "labels": labels}}
        for n, labels in (("web-a", {"tier": "web"}), ("web-b", {"tier": "db"}), ("x", {}))
    ]
    ops = '[{"op": "add", "path": "/data", "value": {"k": "v"}}]'

    def patched(target: Selector) -> list[str]:
        out = post_render_objects(
            [dict(o) for o in objs], PostRender((Kustomize((Patch(ops, target),)),))
        )
        return [o["metadata"]["name"] for o in out if "data" in o]

    assert patched(Selector(name="web-.*")) == ["web-a", "web-b"]
    assert patched(Selector(name="web")) == []  # anchored
    assert patched(Selector(kind="ConfigMap", label_selector="tier in (web, api)")) == ["web-a"]
    assert patched(Selector(label_selector="tier!=web")) == ["web-b", "x"]
    assert patched(Selector(label_selector="!tier")) == ["x"]
    assert patched(Selector(group="apps")) == []


def test_untargeted_patch_names_its_object_and_must_find_it() -> None:
    manifest = yaml.safe_dump(deployment())
    patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n"
    out = yaml.safe_load(post_render(manifest, PostRender((Kustomize((Patch(patch),)),))))
    assert out["spec"]["replicas"] == 4
    missing = patch.replace("name: web", "name: nope")
    with pytest.raises(PostRenderError, match="no single object apps/v1 Deployment nope"):
        post_render(manifest, PostRender((Kustomize((Patch(missing),)),)))
    with pytest.raises(PostRenderError, match="needs a target"):
        post_render(manifest, PostRender((Kustomize((Patch("- op: remove\n  path: /spec"),)),)))


def test_common_metadata_and_no_steps_leave_the_manifest_alone() -> None:
    manifest = "---\n# Source: c/templates/cm.yaml\n" + yaml.safe_dump(
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}}
    )
    assert post_render(manifest, PostRender()) == manifest
    out = yaml.safe_load(
        post_render(
            manifest, PostRender(common_labels={"team": "x"}, common_annotations={"n": "1"})
        )
    )
    assert out["metadata"] == {"name": "a", "labels": {"team": "x"}, "annotations": {"n": "1"}}


def test_merge_keys_from_openapi_v2() -> None:
    doc = {
        "definitions": {
            "io.k8s.api.apps.v1.Deployment": {
                "x-kubernetes-group-version-kind": [
                    {"group": "apps", "version": "v1", "kind": "Deployment"}
                ],
                "properties": {
                    "spec": {"$ref": "#/definitions/io.k8s.api.apps.v1.DeploymentSpec"},
                    "status": {"$ref": "#/definitions/Status"},
                },
            },
            "io.k8s.api.apps.v1.DeploymentSpec": {
                "properties": {
                    "things": {
                        "type": "array",
                        "items": {"type": "object"},
                        "x-kubernetes-patch-strategy": "merge",
                        "x-kubernetes-patch-merge-key": "id",
                    },
                    "replicas": {"type": "integer"},
                }
            },
            "Status": {"properties": {"phase": {"type": "string"}}},
        }
    }
    schema = from_openapi_v2(doc)
    root = schema.root("apps/v1", "Deployment")
    assert root == "io.k8s.api.apps.v1.Deployment"
    assert schema.field(root, "status") is None  # nothing to merge below it: pruned
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"things": [{"id": 1, "a": 1}]}}
    out = Merger(schema).merge_object(obj, {"spec": {"things": [{"id": 2}]}})
    assert out["spec"]["things"] == [{"id": 2}, {"id": 1, "a": 1}]
