"""The operator with `--encrypt-release-records`: installs seal the records, a wrong key gives a
clear condition and writes nothing, and turning encryption off writes plain records again."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from steersman.kube import KubeClient
from steersman.storage.envelope import KEY_BYTES, is_sealed
from steersman.storage.sealing import KEY_ID_LABEL
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, patch_spec, records, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def keys(path: Path, *ids: str) -> str:
    path.write_text(
        "".join(f"{i}:{base64.b64encode(os.urandom(KEY_BYTES)).decode()}\n" for i in ids)
    )
    return str(path)


def bodies(found: list[dict[str, object]]) -> list[str]:
    return [base64.b64decode(o["data"]["release"]).decode() for o in found]  # type: ignore[index]


async def test_sealed_install_wrong_key_condition_and_off_again(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    tmp_path: Path,
) -> None:
    good = keys(tmp_path / "good", "k1")
    op = start_operator(namespace, "--encrypt-release-records", "--release-record-keys", good)
    await op.wait_ready()
    await create(e2e_kube, namespace, "web", spec(chart_repo, values={"greeting": "pw-s3cr3t"}))
    await wait_condition(e2e_kube, namespace, "web")
    found = await records(e2e_kube, namespace, "web")
    assert [o["metadata"]["labels"][KEY_ID_LABEL] for o in found] == ["k1"]
    assert is_sealed(bodies(found)[0]) and "pw-s3cr3t" not in bodies(found)[0]
    op.stop()

    # Another key under the same id: the upgrade is refused with a clear condition.
    wrong = keys(tmp_path / "wrong", "k1")
    op = start_operator(namespace, "--encrypt-release-records", "--release-record-keys", wrong)
    await op.wait_ready()
    await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "pw-2"}})
    hr = await wait_condition(e2e_kube, namespace, "web", "Ready", "False", "StorageUnavailable")
    ready = condition(hr, "Ready")
    assert ready is not None
    assert "sh.helm.release.v1.web.v1 cannot be decrypted with key id 'k1'" in ready["message"]
    assert await records(e2e_kube, namespace, "web") == found  # untouched
    op.stop()

    # Encryption off, the key still given: the upgrade reads v1 and writes v2 plain.
    op = start_operator(namespace, "--release-record-keys", good)
    await op.wait_ready()
    await wait_condition(e2e_kube, namespace, "web")
    found = await records(e2e_kube, namespace, "web")
    assert [int(o["metadata"]["labels"]["version"]) for o in found] == [1, 2]
    newest = bodies(found)[1]
    assert not is_sealed(newest) and KEY_ID_LABEL not in found[1]["metadata"]["labels"]


async def test_per_release_encryption_only_when_the_admin_allows_it(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    tmp_path: Path,
) -> None:
    good = keys(tmp_path / "good", "k1")
    op = start_operator(namespace, "--release-record-keys", good)
    await op.wait_ready()
    await create(e2e_kube, namespace, "sealed", spec(chart_repo, storage={"encryptRecords": True}))
    hr = await wait_condition(e2e_kube, namespace, "sealed", "Stalled", "True", "StorageNotAllowed")
    stalled = condition(hr, "Stalled")
    assert stalled is not None
    assert "--allow-release-record-encryption-override" in stalled["message"]
    assert await records(e2e_kube, namespace, "sealed") == []
    op.stop()

    op = start_operator(
        namespace, "--release-record-keys", good, "--allow-release-record-encryption-override"
    )
    await op.wait_ready()
    await create(e2e_kube, namespace, "plain", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "sealed")
    await wait_condition(e2e_kube, namespace, "plain")
    sealed = await records(e2e_kube, namespace, "sealed")
    assert is_sealed(bodies(sealed)[0]) and sealed[0]["metadata"]["labels"][KEY_ID_LABEL] == "k1"
    plain = await records(e2e_kube, namespace, "plain")
    assert not is_sealed(bodies(plain)[0]) and KEY_ID_LABEL not in plain[0]["metadata"]["labels"]
