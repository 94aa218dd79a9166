"""The three-way merge patch of client-side apply, and the Pod selector rollback --recreate uses."""

from __future__ import annotations

from steersman.engine.client_apply import three_way_patch
from steersman.engine.objects import Target
from steersman.engine.resources import pod_selector


def test_changed_fields_are_sent_and_others_left_alone() -> None:
    original = {"metadata": {"labels": {"a": "1"}}, "data": {"x": "1"}}
    target = {"metadata": {"labels": {"a": "2"}}, "data": {"x": "1"}}
    current = {
        "metadata": {"labels": {"a": "1", "team": "ops"}, "uid": "u"},
        "data": {"x": "1"},
    }
    assert three_way_patch(original, target, current) == {"metadata": {"labels": {"a": "2"}}}


def test_fields_the_chart_dropped_are_deleted() -> None:
    original = {"data": {"x": "1", "y": "2"}}
    target = {"data": {"x": "1"}}
    current = {"data": {"x": "1", "y": "2", "z": "others"}}
    assert three_way_patch(original, target, current) == {"data": {"y": None}}


def test_a_dropped_field_already_gone_is_not_sent() -> None:
    assert three_way_patch({"data": {"y": "2"}}, {"data": {}}, {"data": {}}) == {}


def test_live_drift_of_a_rendered_field_is_corrected() -> None:
    original = {"spec": {"replicas": 2}}
    current = {"spec": {"replicas": 5, "clusterIP": "10.0.0.1"}}
    assert three_way_patch(original, original, current) == {"spec": {"replicas": 2}}


def test_lists_are_replaced_whole() -> None:
    original = {"spec": {"ports": [{"port": 80}, {"port": 90}]}}
    target = {"spec": {"ports": [{"port": 81}]}}
    current = {"spec": {"ports": [{"port": 80, "protocol": "TCP"}, {"port": 90}]}}
    assert three_way_patch(original, target, current) == {"spec": {"ports": [{"port": 81}]}}


def test_without_an_original_nothing_is_deleted() -> None:
    assert three_way_patch({}, {"data": {"x": "1"}}, {"data": {"x": "1", "y": "2"}}) == {}


def test_a_new_subtree_is_sent_whole() -> None:
    assert three_way_patch({}, {"data": {"x": "1"}}, {}) == {"data": {"x": "1"}}


def _workload(kind: str, selector: object) -> Target:
    obj = {"apiVersion": "apps/v1", "kind": kind, "spec": {"selector": selector}}
    return Target(obj, "apps/v1", kind, "w", "ns")


def test_recreate_finds_pods_by_the_workloads_selector() -> None:
    selector = {
        "matchLabels": {"app": "web", "tier": "front"},
        "matchExpressions": [
            {"key": "track", "operator": "In", "values": ["stable", "canary"]},
            {"key": "legacy", "operator": "DoesNotExist"},
            {"key": "zone", "operator": "Exists"},
            {"key": "env", "operator": "NotIn", "values": ["dev"]},
        ],
    }
    assert pod_selector(_workload("Deployment", selector)) == (
        "app=web,tier=front,track in (stable,canary),!legacy,zone,env notin (dev)"
    )
    assert pod_selector(_workload("ReplicationController", {"app": "old"})) == "app=old"
    assert pod_selector(_workload("StatefulSet", {})) == ""  # never "every Pod"
