"""In-process driver for tests and dry-runs. NOT PERSISTENT: everything is lost when the
process exits, and nothing is visible to the helm CLI or to other controller replicas.

Records are kept encoded (helm's string), so callers never share mutable objects with the store
and a record that cannot be encoded fails here exactly as it would in a real backend. Unlike
helm's memory driver, `query` also matches custom labels, as the kube drivers do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from steersman.storage.driver import (
    KEY_ID_LABEL,
    ReleaseFilter,
    Releases,
    custom_labels,
    matches,
    system_labels,
)
from steersman.storage.errors import ReleaseExists, ReleaseNotFound
from steersman.storage.record import Release
from steersman.storage.sealing import PLAIN, RecordCodec


@dataclass
class _Stored:
    key: str
    body: str
    labels: dict[str, str]  # system + custom


@dataclass
class MemoryStore:
    """The shared state: namespace -> key -> record. One store serves many driver instances."""

    namespaces: dict[str, dict[str, _Stored]] = field(default_factory=dict)

    def driver(self, namespace: str, codec: RecordCodec = PLAIN) -> MemoryDriver:
        return MemoryDriver(self, namespace, codec)


class MemoryDriver:
    """A `Driver` over a `MemoryStore`, bound to one namespace."""

    def __init__(
        self,
        store: MemoryStore | None = None,
        namespace: str = "default",
        codec: RecordCodec = PLAIN,
    ) -> None:
        self._store = store if store is not None else MemoryStore()
        self._namespace = namespace
        self._codec = codec

    @property
    def name(self) -> str:
        return "Memory"

    @property
    def namespace(self) -> str:
        return self._namespace

    @property
    def _records(self) -> dict[str, _Stored]:
        return self._store.namespaces.setdefault(self._namespace, {})

    def _load(self, stored: _Stored) -> Release:
        release = self._codec.decode(stored.key, stored.body)
        release.labels = custom_labels(stored.labels)
        return release

    async def get(self, key: str) -> Release:
        stored = self._records.get(key)
        if stored is None:
            raise ReleaseNotFound()
        return self._load(stored)

    async def list(self, filter: ReleaseFilter | None = None) -> Releases:
        found = [self._load(s) for s in self._records.values()]
        return [r for r in found if filter is None or filter(r)]

    async def query(self, labels: Mapping[str, str]) -> Releases:
        found = [self._load(s) for s in self._records.values() if matches(s.labels, labels)]
        if not found:
            raise ReleaseNotFound()
        return found

    async def create(self, key: str, release: Release) -> None:
        if key in self._records:
            raise ReleaseExists()
        self._records[key] = self._store_form(key, release)

    async def update(self, key: str, release: Release) -> None:
        if key not in self._records:
            raise ReleaseNotFound()
        self._records[key] = self._store_form(key, release)

    async def delete(self, key: str) -> Release:
        stored = self._records.pop(key, None)
        if stored is None:
            raise ReleaseNotFound()
        return self._load(stored)

    def _store_form(self, key: str, release: Release) -> _Stored:
        encoded = self._codec.encode(key, release)
        labels = {**custom_labels(release.labels), **system_labels(release)}
        if encoded.key_id is not None:
            labels[KEY_ID_LABEL] = encoded.key_id
        return _Stored(key, encoded.body, labels)
