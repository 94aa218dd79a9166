"""Pure pieces of tenant isolation and error reporting: record ownership, who was refused,
stable messages for releases over the object limit, and the namespaces a release may use."""

from __future__ import annotations

from steersman.api import HelmRelease
from steersman.controller.access import (
    foreign_owner,
    objects_namespaces,
    owner_labels,
    service_account,
)
from steersman.controller.reconcile.messages import denied, forbidden, too_large_message
from steersman.controller.settings import Settings
from steersman.engine.errors import ActionFailed, EngineError
from steersman.kube import Forbidden, NotFound
from steersman.storage import Info, RecordTooLarge, Release


def hr(name: str = "app", namespace: str = "a", **spec: object) -> HelmRelease:
    return HelmRelease.from_k8s(
        {
            "apiVersion": "helm.steersman.dev/v1alpha1",
            "kind": "HelmRelease",
            "metadata": {"name": name, "namespace": namespace, "generation": 1},
            "spec": {"chart": {"repository": "oci://r/charts", "name": "demo"}, **spec},
        }
    )


def record(version: int, labels: dict[str, str] | None = None) -> Release:
    return Release(
        name="victim", namespace="b", version=version, info=Info(status="deployed"),
        labels=dict(labels or {}),
    )  # fmt: skip


def test_records_of_another_helmrelease_are_foreign() -> None:
    mine = hr("victim", "b")
    assert foreign_owner([record(1, owner_labels(mine))], mine) is None
    assert foreign_owner([record(1, owner_labels(mine))], hr("victim", "a")) == "b/victim"
    assert foreign_owner([record(1, owner_labels(mine))], hr("other", "b")) == "b/victim"


def test_records_without_owner_labels_may_be_adopted() -> None:
    # helm's own records, or ours from before the labels existed
    assert foreign_owner([record(1), record(2, {"team": "x"})], hr("victim", "a")) is None


def test_any_foreign_revision_counts_not_only_the_newest() -> None:
    theirs = owner_labels(hr("victim", "b"))
    assert foreign_owner([record(1, theirs), record(2)], hr("victim", "a")) == "b/victim"


def test_without_a_service_account_objects_stay_in_the_release_namespaces() -> None:
    plain = Settings()
    assert objects_namespaces(hr(), plain, "a") == frozenset({"a"})
    assert objects_namespaces(hr(targetNamespace="t"), plain, "t") == frozenset({"a", "t"})
    assert objects_namespaces(hr(serviceAccountName="sa"), plain, "a") is None
    assert objects_namespaces(hr(), Settings(default_service_account="d"), "a") is None
    assert objects_namespaces(hr(), Settings(allow_cross_namespace_releases=True), "a") is None
    assert service_account(hr(), Settings(default_service_account="d")) == "d"
    assert (
        service_account(hr(serviceAccountName="sa"), Settings(default_service_account="d")) == "sa"
    )


def test_forbidden_is_found_behind_an_action_error() -> None:
    refused = Forbidden('configmaps "x" is forbidden: User "system:serviceaccount:a:sa" cannot')
    try:
        try:
            raise refused
        except Forbidden as err:
            raise ActionFailed("Release failed", None) from err
    except ActionFailed as outer:
        assert forbidden(outer) is refused
        message = denied(hr(serviceAccountName="sa"), None, outer)
    assert message is not None
    assert message.startswith("service account a/sa is not allowed")
    assert 'configmaps "x" is forbidden' in message
    assert forbidden(EngineError("x")) is None
    assert forbidden(NotFound("gone")) is None
    own = denied(hr(), None, refused)
    assert own is not None and "operator's own identity" in own


def test_too_large_message_does_not_change_with_a_few_bytes() -> None:
    a = too_large_message(RecordTooLarge("web", 2, 1_700_001, 1024 * 1024, "Secret"))
    b = too_large_message(RecordTooLarge("web", 2, 1_700_093, 1024 * 1024, "Secret"))
    assert a == b
    assert "1.6 MiB" in a and "over the 1 MiB object limit" in a
    assert "existing revisions are intact" in a and "sql" in a
