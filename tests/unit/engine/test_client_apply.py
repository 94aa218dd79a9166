"""The three-way merge patch of client-side apply."""

from __future__ import annotations

from steersman.engine.client_apply import three_way_patch


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
