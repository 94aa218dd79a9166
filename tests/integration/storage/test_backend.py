"""StorageBackend built from configuration, against the real servers."""

from __future__ import annotations

from pathlib import Path

import pytest
from kubernetes_asyncio import client

from hack.testkit.storage_samples import make_release
from steersman.storage import DriverKind, StorageBackend, StorageError
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.sql import SqlDriver

pytestmark = pytest.mark.integration


async def test_sql_backend_from_env_probes_and_stores(
    pg_database: str, namespace: str, tmp_path: Path
) -> None:
    dsn_file = tmp_path / "dsn"
    dsn_file.write_text(pg_database + "\n")
    backend = StorageBackend.from_config(
        None, api_client=None,
        environ={"HELM_DRIVER": "SQL", "HELM_DRIVER_SQL_CONNECTION_STRING_FILE": str(dsn_file)},
    )  # fmt: skip
    try:
        assert backend.kind is DriverKind.SQL
        await backend.probe(5)
        storage = backend.storage(namespace, max_history=5)
        assert isinstance(storage.driver, SqlDriver)
        await storage.create(make_release("web", 1, "deployed", namespace))
        assert (await backend.storage(namespace).deployed("web")).version == 1
        # A revision number beyond helm's INTEGER column is a clean storage error.
        with pytest.raises(StorageError, match="invalid value"):
            await storage.create(make_release("web", 2**31, "failed", namespace))
    finally:
        await backend.close()


@pytest.mark.parametrize(
    ("flag", "cls"), [("secret", SecretDriver), ("ConfigMaps", ConfigMapDriver)]
)
async def test_kube_backends(
    flag: str, cls: type, kube_api: client.ApiClient, namespace: str
) -> None:
    backend = StorageBackend.from_config(flag, api_client=kube_api, environ={"HELM_DRIVER": "sql"})
    await backend.probe()  # nothing to probe for the kube drivers
    storage = backend.storage(namespace)
    assert isinstance(storage.driver, cls) and storage.driver.namespace == namespace
    await storage.create(make_release("web", 1, "deployed", namespace))
    assert [r.version for r in await storage.history("web")] == [1]
    await backend.close()
