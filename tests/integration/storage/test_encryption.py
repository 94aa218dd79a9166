"""Encrypted release records on every driver's real backend (Secret, ConfigMap, PostgreSQL):
nothing readable is stored, a wrong or missing key refuses and changes nothing, `steersman
rekey` re-seals every revision, `steersman history` reads them, turning encryption off writes
plain records again, and the helm CLI sees the records' labels but cannot read their bodies."""

from __future__ import annotations

import asyncio
import base64
import os
import secrets
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from kubernetes_asyncio import client

from hack.operatorkit import ROOT, install_crd
from hack.testkit.storage_samples import make_release
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from steersman.storage import Driver, Storage, StorageConfigError, record_key
from steersman.storage.envelope import KEY_BYTES, KeyRing, is_sealed
from steersman.storage.errors import SealedRecordError
from steersman.storage.kube_drivers import ConfigMapDriver, SecretDriver
from steersman.storage.record_keys import load_codec
from steersman.storage.sealing import KEY_ID_LABEL, PLAIN, RecordCodec
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools
from tests.integration.storage.conftest import KINDS, fresh_database
from tests.integration.storage.helmcli import Helm

pytestmark = pytest.mark.integration

K1 = ("k1", os.urandom(KEY_BYTES))
K2 = ("k2", os.urandom(KEY_BYTES))


def key_file(path: Path, *keys: tuple[str, bytes]) -> Path:
    path.write_text("".join(f"{kid}:{base64.b64encode(key).decode()}\n" for kid, key in keys))
    return path


@dataclass
class Backend:
    """One driver kind on its real server: drivers with any codec, and the stored rows as is."""

    kind: str
    namespace: str
    make: Callable[[RecordCodec], Driver]
    raw: Callable[[str], Any]  # record key -> awaitable (body, labels)
    dsn: str = ""


@pytest.fixture(params=KINDS)
async def backend(
    request: pytest.FixtureRequest, kube_api: client.ApiClient, namespace: str, postgres_dsn: str
) -> AsyncIterator[Backend]:
    core = client.CoreV1Api(kube_api)
    if request.param == "secret":

        async def secret(key: str) -> tuple[str, dict[str, str]]:
            obj = await core.read_namespaced_secret(key, namespace)
            return base64.b64decode(obj.data["release"]).decode(), obj.metadata.labels

        yield Backend("secret", namespace, lambda c: SecretDriver(kube_api, namespace, c), secret)
    elif request.param == "configmap":

        async def configmap(key: str) -> tuple[str, dict[str, str]]:
            obj = await core.read_namespaced_config_map(key, namespace)
            return obj.data["release"], obj.metadata.labels

        yield Backend(
            "configmap", namespace, lambda c: ConfigMapDriver(kube_api, namespace, c), configmap
        )
    else:
        async with fresh_database(postgres_dsn) as dsn:
            pools = SqlPools(SqlDsn(dsn))

            async def row(key: str) -> tuple[str, dict[str, str]]:
                conn = await asyncpg.connect(dsn)
                try:
                    body = await conn.fetchval("SELECT body FROM releases_v1 WHERE key = $1", key)
                    labels = await conn.fetch(
                        "SELECT key, value FROM custom_labels_v1 WHERE releasekey = $1", key
                    )
                finally:
                    await conn.close()
                return body, {r["key"]: r["value"] for r in labels}

            try:
                yield Backend("sql", namespace, lambda c: SqlDriver(pools, namespace, c), row, dsn)
            finally:
                await pools.close()


async def steersman(*args: str, kubeconfig: Path) -> tuple[int, str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "STEERSMAN_"))}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "steersman.cli", *args, "--kubeconfig", str(kubeconfig),
        cwd=ROOT, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 120)
    assert b"Traceback" not in err, err.decode()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_encrypted_records_end_to_end(
    backend: Backend,
    kube: KubeClient,
    kubeconfig: Path,
    tmp_path: Path,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> None:
    password = f"hunter2-{secrets.token_hex(8)}"
    sealing = RecordCodec(KeyRing((K1,)), seal_writes=True)
    storage = Storage(backend.make(sealing))
    for version, status in ((1, "superseded"), (2, "superseded"), (3, "deployed")):
        await storage.create(
            make_release("web", version, status, backend.namespace, greeting=password)
        )
    keys = [record_key("web", v) for v in (1, 2, 3)]

    # Stored: an envelope, the key id beside it, the labels helm lists by; no value readable.
    for key in keys:
        body, labels = await backend.raw(key)
        assert is_sealed(body) and password not in body
        assert password.encode() not in base64.b64decode(body.partition(":")[2])
        assert labels[KEY_ID_LABEL] == "k1"
        if backend.kind != "sql":  # SQL keeps these in columns
            assert (labels["name"], labels["owner"]) == ("web", "helm")
            assert (labels["version"], labels["status"]) == (
                key[-1],
                "deployed" if key[-1] == "3" else "superseded",
            )
    assert [r.config["greeting"] for r in await storage.history("web")] == [password] * 3

    # A missing, unknown or wrong key: one clear error, nothing written.
    before = [await backend.raw(k) for k in keys]
    wrong = [
        (PLAIN, "no release record keys are configured"),
        (RecordCodec(KeyRing((K2,))), "key id 'k1', which is not among"),
        (RecordCodec(KeyRing((("k1", os.urandom(KEY_BYTES)),))), "not the one it was sealed"),
    ]
    for codec, message in wrong:
        other = Storage(backend.make(codec))
        with pytest.raises(SealedRecordError, match=message):
            await other.history("web")
        with pytest.raises(SealedRecordError, match=message):
            await other.driver.delete(keys[0])
    assert [await backend.raw(k) for k in keys] == before

    # The helm CLI cannot decode the bodies (docs/encryption.md); label selectors still work.
    helm = Helm.for_driver(helm_v4, helm_env, backend.namespace, backend.kind, backend.dsn)
    code, _, err = await helm.run("get", "values", "web", check=False)
    assert code != 0 and password not in err
    # helm skips records it cannot decode: the release is invisible to `helm list`/`history`.
    assert await helm.json("list") == []
    code, out, err = await helm.run("history", "web", "-o", "json", check=False)
    if backend.kind == "sql":  # its driver says not found where the kube drivers list nothing
        assert (code, err) == (1, "Error: release: not found\n")
    else:
        assert (code, out) == (0, "[]\n")

    # The ops commands, on a HelmRelease whose records these are.
    await install_crd(kube)
    spec: dict[str, Any] = {"chart": {"repository": "oci://example.invalid/c", "name": "demo"}}
    if backend.kind != "secret":
        spec["storage"] = {"driver": backend.kind}
    await kube.create(
        {"apiVersion": API_VERSION, "kind": KIND, "metadata": {"name": "web"}, "spec": spec},
        namespace=backend.namespace,
    )
    common = ["-n", backend.namespace]
    if backend.kind == "sql":
        dsn_file = tmp_path / "dsn"
        dsn_file.write_text(backend.dsn)
        common += ["--sql-connection-string-file", str(dsn_file)]
    k1_file = key_file(tmp_path / "k1", K1)
    code, out, err = await steersman(
        "history", "web", *common, "--release-record-keys", str(k1_file), kubeconfig=kubeconfig
    )
    assert code == 0, err
    assert [line.split()[0] for line in out.strip().splitlines()[1:]] == ["1", "2", "3"]
    code, out, err = await steersman("history", "web", *common, kubeconfig=kubeconfig)
    assert code == 1 and out == ""
    assert err.startswith("Error: release storage: record sh.helm.release.v1.web.v")
    assert "no release record keys are configured" in err and len(err.splitlines()) == 1

    # Rekeying without the old key reads nothing it cannot open, so writes nothing.
    k2_file = key_file(tmp_path / "k2", K2)
    code, out, err = await steersman(
        "rekey", "web", *common, "--release-record-keys", str(k2_file), kubeconfig=kubeconfig
    )
    assert code == 1 and out == "" and "key id 'k1', which is not among" in err
    assert [await backend.raw(k) for k in keys] == before

    # Rotation: k2 added first; every revision re-sealed with it, readable with k2 alone.
    rotated = key_file(tmp_path / "k2k1", K2, K1)
    code, out, err = await steersman(
        "rekey", "web", *common, "--release-record-keys", str(rotated), kubeconfig=kubeconfig
    )
    assert code == 0, err
    assert (
        out.strip().endswith(
            "rewrote 3 revision(s) of release web in "
            + backend.kind
            + " storage encrypted with key 'k2'"
        )
        or "rewrote 3" in out
    )
    for key in keys:
        body, labels = await backend.raw(key)
        assert is_sealed(body) and labels[KEY_ID_LABEL] == "k2"
    k2_only = Storage(backend.make(RecordCodec(KeyRing((K2,)))))
    assert [r.version for r in await k2_only.history("web")] == [1, 2, 3]

    # Encryption off again: the next write of a record stores helm's plain body.
    reader = Storage(backend.make(RecordCodec(KeyRing((K2,)), seal_writes=False)))
    newest = await reader.get("web", 3)
    newest.info.description = "written with encryption off"
    await reader.update(newest)
    body, labels = await backend.raw(keys[2])
    assert not is_sealed(body) and KEY_ID_LABEL not in labels
    assert is_sealed((await backend.raw(keys[0]))[0])  # not rewritten yet: still sealed
    values = await helm.json("get", "values", "web")
    assert values == {"greeting": password}  # helm reads the plain record again

    code, out, err = await steersman(
        "rekey", "web", *common, "--decrypt", "--release-record-keys", str(rotated),
        kubeconfig=kubeconfig,
    )  # fmt: skip
    assert code == 0 and "as plain helm records" in out, err
    assert not [k for k in keys if is_sealed((await backend.raw(k))[0])]
    history = await helm.json("history", "web")
    assert [h["revision"] for h in history] == [1, 2, 3]


async def test_keys_from_a_secret(kube: KubeClient, namespace: str) -> None:
    text = "".join(f"{kid}:{base64.b64encode(key).decode()}\n" for kid, key in (K2, K1))
    await kube.create(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "record-keys"},
         "stringData": {"keys": text}},
        namespace=namespace,
    )  # fmt: skip
    codec = await load_codec(
        seal_writes=True, keys_file=None, keys_secret=f"{namespace}/record-keys", kube=kube
    )
    assert codec.keys == KeyRing((K2, K1)) and codec.seal_writes
    for ref, message in {
        f"{namespace}/absent": f"Secret {namespace}/absent not found",
        "no-slash": "is not NAMESPACE/NAME",
    }.items():
        with pytest.raises(StorageConfigError, match=message):
            await load_codec(seal_writes=False, keys_file=None, keys_secret=ref, kube=kube)
    await kube.create(
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "other"},
         "stringData": {"dsn": "x"}},
        namespace=namespace,
    )  # fmt: skip
    with pytest.raises(StorageConfigError, match=r"has no data\.keys"):
        await load_codec(
            seal_writes=False, keys_file=None, keys_secret=f"{namespace}/other", kube=kube
        )
