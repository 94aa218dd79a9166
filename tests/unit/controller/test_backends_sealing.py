"""The operator's storage backends: a release's own record encryption choice picks a backend
that seals (or not) with the operator's keys, over the same records."""

from __future__ import annotations

import os

from kubernetes_asyncio import client

from hack.testkit.storage_samples import make_release
from steersman.controller.context import Backends
from steersman.controller.metrics import Metrics
from steersman.storage import DriverKind, record_key
from steersman.storage.envelope import KEY_BYTES, KeyRing, is_sealed
from steersman.storage.sealing import RecordCodec


async def test_per_release_choice_shares_the_memory_records() -> None:
    keys = KeyRing((("k1", os.urandom(KEY_BYTES)),))
    api = client.ApiClient()
    try:
        backends = Backends(api, Metrics(), codec=RecordCodec(keys, seal_writes=False))
        default = backends.get(DriverKind.MEMORY)
        assert backends.get(DriverKind.MEMORY, None) is default
        assert backends.get(DriverKind.MEMORY, False) is default
        sealing = backends.get(DriverKind.MEMORY, True)
        assert sealing is not default and sealing.codec == RecordCodec(keys, seal_writes=True)
        assert backends.get(DriverKind.SECRET, True).codec.keys is keys

        await sealing.storage("apps").create(make_release("web", 1, "deployed", "apps"))
        # Written sealed, read through the plain-writing backend: the same store, same keys.
        (rel,) = await default.storage("apps").history("web")
        assert rel.version == 1
        stored = backends._memory.namespaces["apps"][record_key("web", 1)]
        assert is_sealed(stored.body)
    finally:
        await api.close()
