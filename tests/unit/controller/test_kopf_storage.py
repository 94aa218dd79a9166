"""kopf's bookkeeping annotations stay small whatever the size of the spec (issue 11 point 4)."""

from __future__ import annotations

import json
from typing import Any

import kopf
from kopf._cogs.structs import bodies, patches

from steersman.controller.kopf_storage import (
    MAX_MESSAGE,
    BoundedProgressStorage,
    DigestDiffBaseStorage,
)
from steersman.controller.main import kopf_settings
from steersman.controller.settings import Settings

PREFIX = "helm.steersman.dev"
ANNOTATION_LIMIT = 262144


def _body(values: dict[str, Any], annotations: dict[str, str] | None = None) -> bodies.Body:
    return bodies.Body(
        {
            "apiVersion": "helm.steersman.dev/v1alpha1",
            "kind": "HelmRelease",
            "metadata": {"name": "big", "namespace": "ns", "annotations": annotations or {}},
            "spec": {"values": values},
            "status": {"observedGeneration": 1},
        }
    )


def test_the_diff_base_is_a_digest_of_constant_size() -> None:
    storage = DigestDiffBaseStorage(prefix=PREFIX)
    huge = _body({"blob": "x" * 1_048_576})
    essence = storage.build(body=huge)
    patch = patches.Patch()
    storage.store(body=huge, patch=patch, essence=essence)
    written = dict(patch["metadata"]["annotations"])
    assert written[f"{PREFIX}/last-handled-digest"].startswith("sha256:")
    assert len(json.dumps(written)) < 200

    stored = _body({"blob": "x" * 1_048_576}, written)
    assert storage.fetch(body=stored) == essence  # unchanged: kopf sees no diff
    changed = _body({"blob": "y" * 1_048_576}, written)
    assert storage.fetch(body=changed) != storage.build(body=changed)
    assert storage.fetch(body=_body({})) is None  # never handled: a creation for kopf


def test_the_digest_ignores_status_and_our_own_annotations() -> None:
    storage = DigestDiffBaseStorage(prefix=PREFIX)
    plain = _body({"a": 1}, {f"{PREFIX}/kopf-managed": "yes"})
    noted = _body({"a": 1}, {f"{PREFIX}/kopf-managed": "yes", f"{PREFIX}/reconcile": "now"})
    assert storage.build(body=plain) == storage.build(body=noted)


def test_storing_drops_the_legacy_full_copy() -> None:
    storage = DigestDiffBaseStorage(prefix=PREFIX)
    legacy = f"{PREFIX}/last-handled-configuration"
    body = _body({"a": 1}, {legacy: '{"spec":{"values":{"a":1}}}\n'})
    patch = patches.Patch()
    storage.store(body=body, patch=patch, essence=storage.build(body=body))
    assert patch["metadata"]["annotations"][legacy] is None


def test_progress_messages_are_capped() -> None:
    storage = BoundedProgressStorage(prefix=PREFIX)
    body, patch = _body({}), patches.Patch()
    record: Any = {"started": "2026-01-01T00:00:00", "retries": 3, "message": "m" * 500_000}
    storage.store(key="uninstall", record=record, body=body, patch=patch)
    encoded = patch["metadata"]["annotations"][f"{PREFIX}/uninstall"]
    assert len(encoded) < MAX_MESSAGE + 100
    assert json.loads(encoded)["retries"] == 3


def test_the_operator_uses_the_small_storages_and_short_watch_retries() -> None:
    ks = kopf_settings(Settings())
    assert isinstance(ks.persistence.diffbase_storage, DigestDiffBaseStorage)
    assert isinstance(ks.persistence.progress_storage, BoundedProgressStorage)
    assert not isinstance(ks.persistence.progress_storage, kopf.SmartProgressStorage)
    backoffs = list(ks.networking.error_backoffs)  # type: ignore[arg-type]
    assert max(backoffs) <= 2.0 and sum(backoffs) >= 45.0  # retries for ~a minute, 2 s apart
    assert ks.watching.reconnect_backoff <= 1.0
