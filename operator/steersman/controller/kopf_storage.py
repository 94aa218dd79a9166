"""kopf's bookkeeping in annotations, kept small whatever the size of the spec.

kopf's stock diff-base storage copies the whole spec into the `last-handled-configuration`
annotation. Annotations share a 256 KiB limit, so a HelmRelease with large inline values made
the apiserver refuse kopf's patches: its finalizer was never removed and deletion hung.

We use no field diffs (the daemon re-reads the object; the delete handler needs only the body),
so the diff base only has to tell "changed" from "unchanged": a digest of kopf's essence does.
Handler progress records are fixed-size except for the error message, which is capped.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import kopf

DIGEST_KEY = "last-handled-digest"
LEGACY_KEY = "last-handled-configuration"  # what the stock storage wrote; removed on next store
MAX_MESSAGE = 1024


def essence_digest(essence: Any) -> str:
    canonical = json.dumps(essence, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


class DigestDiffBaseStorage(kopf.AnnotationsDiffBaseStorage):
    """The diff base as one digest annotation; kopf sees an essence `{"digest": ...}`."""

    def __init__(self, *, prefix: str) -> None:
        super().__init__(prefix=prefix, key=DIGEST_KEY)
        self._legacy = kopf.AnnotationsDiffBaseStorage(prefix=prefix, key=LEGACY_KEY)

    def build(self, *, body: Any, extra_fields: Any = None) -> Any:
        essence = super().build(body=body, extra_fields=extra_fields)
        return {"digest": essence_digest(essence)}

    def fetch(self, *, body: Any) -> Any:
        annotations = body.metadata.annotations
        for key in self.make_keys(self.key, body=body):
            value = annotations.get(key)
            if value:
                return {"digest": value.strip()}
        return None

    def store(self, *, body: Any, patch: Any, essence: Any) -> None:
        annotations = body.metadata.annotations
        for key in self.make_keys(self.key, body=body):
            patch.metadata.annotations[key] = str(essence["digest"])
        for key in self._legacy.make_keys(LEGACY_KEY, body=body):
            if key in annotations:
                patch.metadata.annotations[key] = None
        self._store_marker(prefix=self.prefix, patch=patch, body=body)


class BoundedProgressStorage(kopf.AnnotationsProgressStorage):
    """kopf's per-handler progress annotations with the failure message capped."""

    def store(self, *, key: Any, record: Any, body: Any, patch: Any) -> None:
        message = record.get("message")
        if isinstance(message, str) and len(message) > MAX_MESSAGE:
            record = {**record, "message": message[: MAX_MESSAGE - 3] + "..."}
        super().store(key=key, record=record, body=body, patch=patch)
