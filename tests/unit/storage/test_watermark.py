"""The resourceVersion a kube driver lists at: the newest one its client was answered with."""

from __future__ import annotations

from steersman.storage.kube_drivers import _at, _Watermark


def answered(*versions: object) -> _Watermark:
    mark = _Watermark()
    for v in versions:
        mark.saw({"metadata": {"resourceVersion": v}})
    return mark


def test_no_version_seen_is_a_quorum_read() -> None:
    assert _Watermark().list_version() is None
    assert _at(None) == {}


def test_newest_by_number_even_when_answers_arrive_out_of_order() -> None:
    # etcd revisions as strings: "99" < "100" as numbers, not as text.
    assert answered("100", "99", "7").list_version() == "100"
    assert answered("7", "99", "100").list_version() == "100"


def test_documents_without_a_version_change_nothing() -> None:
    mark = answered("5")
    mark.saw({})
    mark.saw({"metadata": {}})
    mark.saw({"metadata": {"resourceVersion": ""}})
    assert mark.list_version() == "5"


def test_a_version_that_is_not_a_number_turns_the_cache_off() -> None:
    mark = answered("5", "opaque-v1")
    assert mark.list_version() is None
    mark.saw({"metadata": {"resourceVersion": "9"}})
    assert mark.list_version() is None


def test_list_parameters_ask_for_not_older_than() -> None:
    assert _at("42") == {"resource_version": "42", "resource_version_match": "NotOlderThan"}


def test_a_list_counts_by_its_items_not_its_own_version() -> None:
    # A quorum list's own version is etcd's newest revision, which the kind's watch cache
    # may never reach; its items' versions it has.
    mark = _Watermark()
    mark.saw({"metadata": {"resourceVersion": "900"}, "items": []})
    assert mark.list_version() is None
    mark.saw(
        {
            "metadata": {"resourceVersion": "900"},
            "items": [{"metadata": {"resourceVersion": "12"}}, {"metadata": {}}, "junk"],
        }
    )
    assert mark.list_version() == "12"
