"""The driver protocol every backend implements, and the label rules helm uses for records.

A driver instance is bound to one storage namespace, like helm's namespaced drivers. Reads set
`Release.labels` to the record's custom labels only (system labels are derived from the body).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Protocol

from steersman.storage.record import Release

KEY_PREFIX = "sh.helm.release.v1."
OWNER = "helm"
SECRET_TYPE = "helm.sh/release.v1"

# Labels helm reserves (`pkg/storage/driver/util.go: systemLabels`).
SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")
# Steersman's label naming the key a sealed record was encrypted with (see sealing.py): derived
# from the body like the system labels, so never kept as a custom label.
KEY_ID_LABEL = "steersman.dev/record-key-id"
_SYSTEM = frozenset((*SYSTEM_LABELS, KEY_ID_LABEL))

ReleaseFilter = Callable[[Release], bool]
# A module-level name: inside classes with a `list` method, `list[...]` means the method.
Releases = list[Release]


class Driver(Protocol):
    """Async storage backend for release records (helm's `storage/driver.Driver`)."""

    @property
    def name(self) -> str:
        """Helm's driver name: Secret, ConfigMap, Memory or SQL."""
        ...

    @property
    def namespace(self) -> str:
        """The storage namespace this instance reads and writes."""
        ...

    async def get(self, key: str) -> Release:
        """The record stored under `key`; `ReleaseNotFound` if there is none."""
        ...

    async def list(self, filter: ReleaseFilter | None = None) -> Releases:
        """Every record (owner=helm) accepted by `filter`; undecodable records are skipped."""
        ...

    async def query(self, labels: Mapping[str, str]) -> Releases:
        """Records whose system labels equal `labels`; `ReleaseNotFound` if none match."""
        ...

    async def create(self, key: str, release: Release) -> None:
        """Store a new record; `ReleaseExists` if the key is taken."""
        ...

    async def update(self, key: str, release: Release) -> None:
        """Replace an existing record; `ReleaseNotFound` if it is missing."""
        ...

    async def delete(self, key: str) -> Release:
        """Remove a record and return it; `ReleaseNotFound` if it is missing."""
        ...


def system_labels(release: Release) -> dict[str, str]:
    """The labels derived from the body: name, owner=helm, status, version."""
    return {
        "name": release.name,
        "owner": OWNER,
        "status": str(release.info.status),
        "version": str(release.version),
    }


def custom_labels(labels: Mapping[str, str]) -> dict[str, str]:
    """`labels` without the reserved system keys."""
    return {k: v for k, v in labels.items() if k not in _SYSTEM}


def object_labels(release: Release, *, created: bool, key_id: str | None = None) -> dict[str, str]:
    """Labels of a stored object, built as helm builds them on Create/Update (plus the key id of
    a sealed body)."""
    labels = custom_labels(release.labels)
    labels["createdAt" if created else "modifiedAt"] = str(int(time.time()))
    labels.update(system_labels(release))
    if key_id is not None:
        labels[KEY_ID_LABEL] = key_id
    return labels


def matches(labels: Mapping[str, str], wanted: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in wanted.items())
