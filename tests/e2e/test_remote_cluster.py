"""spec.kubeConfig (Flux's remote clusters): the HelmRelease lives on the bench apiserver, its
release (objects and Secret records) in a second apiserver reached through a kubeconfig Secret
of the HelmRelease's namespace. The operator runs as a subprocess against the bench."""

from __future__ import annotations

import base64
import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack import testenv
from hack.operatorkit import OperatorProcess, wait_until
from hack.testenv.parts import free_port
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.e2e.cli_support import steersman
from tests.e2e.conftest import StartOperator
from tests.e2e.support import (
    annotate,
    condition,
    create,
    event_reasons,
    events,
    get,
    patch_spec,
    record_states,
    records,
    spec,
    wait_condition,
)
from tests.e2e.tenancy_support import grant, service_account

pytestmark = [pytest.mark.integration, pytest.mark.slow]

SECRET = "remote-kubeconfig"
RECONCILE = "helm.steersman.dev/reconcile"


async def kubeconfig_secret(
    kube: KubeClient, ns: str, text: str, name: str = SECRET, key: str = "value"
) -> None:
    data = {key: base64.b64encode(text.encode()).decode()}
    body = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name}, "data": data}
    await kube.apply(body, namespace=ns)


async def remote_namespace(remote: KubeClient, ns: str) -> None:
    """The HelmRelease's namespace in the remote cluster too (the release goes there)."""
    await remote.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})


def remote_spec(repo: str, **extra: Any) -> dict[str, Any]:
    return spec(repo, kubeConfig={"secretRef": {"name": SECRET}}, **extra)


@pytest.fixture
async def remote_ready(
    e2e_kube: KubeClient,
    remote_kube: KubeClient,
    remote_plane: testenv.ControlPlane,
    namespace: str,
) -> None:
    """The test's namespace in the remote cluster, and the Secret `SECRET` reaching it."""
    await remote_namespace(remote_kube, namespace)
    await kubeconfig_secret(e2e_kube, namespace, remote_plane.inline_kubeconfig())


async def remote_web_installed(
    kube: KubeClient, ns: str, chart_repo: str, start_operator: StartOperator
) -> OperatorProcess:
    """The operator started, and HelmRelease `web` (greeting: hi) Ready in the remote cluster."""
    op = start_operator(ns)
    await op.wait_ready()
    await create(kube, ns, "web", remote_spec(chart_repo, values={"greeting": "hi"}))
    await wait_condition(kube, ns, "web")
    return op


async def wait_uninstalled(
    local: KubeClient, remote: KubeClient, ns: str, name: str, within: float
) -> None:
    """The HelmRelease gone here, its objects and records gone there."""

    async def uninstalled() -> bool:
        gone = await local.get_or_none(API_VERSION, KIND, name, ns) is None
        cm = await remote.get_or_none("v1", "ConfigMap", f"{name}-config", ns)
        return gone and cm is None and not await records(remote, ns, name)

    await wait_until(uninstalled, within, f"{name} uninstalled from the remote cluster")


async def ready_message(kube: KubeClient, ns: str, name: str, reason: str) -> str:
    hr = await wait_condition(kube, ns, name, "Ready", "False", reason)
    ready = condition(hr, "Ready")
    assert ready is not None
    return str(ready["message"])


async def test_install_upgrade_drift_and_uninstall_happen_in_the_remote_cluster(
    e2e_kube: KubeClient,
    remote_kube: KubeClient,
    remote_plane: testenv.ControlPlane,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    remote_ready: None,
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    body = remote_spec(
        chart_repo, interval="2s", values={"greeting": "hi"}, driftDetection={"mode": "enabled"}
    )
    await create(e2e_kube, namespace, "web", body)

    hr = await wait_condition(e2e_kube, namespace, "web")
    assert hr["status"]["storage"] == {"driver": "secret", "namespace": namespace}
    cm = await remote_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"] == {"greeting": "hi", "chartVersion": "0.1.0"}
    assert record_states(await records(remote_kube, namespace, "web")) == [(1, "deployed")]
    # Nothing of the release here: no objects, no records; the HelmRelease's Events are here.
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "web-config", namespace) is None
    assert await records(e2e_kube, namespace, "web") == []
    assert "InstallSucceeded" in await event_reasons(e2e_kube, namespace, "web")

    await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "bonjour"}})
    await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded")
    cm = await remote_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"]["greeting"] == "bonjour"
    assert record_states(await records(remote_kube, namespace, "web")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]

    # Someone edits the release's object in the remote cluster: the drift is corrected there.
    await remote_kube.merge_patch(
        "v1", "ConfigMap", "web-config", namespace, {"data": {"greeting": "edited"}}
    )

    async def restored() -> bool:
        live = await remote_kube.get("v1", "ConfigMap", "web-config", namespace)
        return bool(live["data"]["greeting"] == "bonjour")

    await wait_until(restored, 30, "the drifted remote ConfigMap to be restored")
    await wait_condition(e2e_kube, namespace, "web", "Drifted", "False", "DriftCorrected")

    await e2e_kube.delete(API_VERSION, KIND, "web", namespace)

    await wait_uninstalled(e2e_kube, remote_kube, namespace, "web", 30)
    assert "UninstallSucceeded" in await event_reasons(e2e_kube, namespace, "web")
    assert remote_plane.token not in op.log()


async def test_service_account_is_impersonated_in_the_remote_cluster(
    e2e_kube: KubeClient,
    remote_kube: KubeClient,
    remote_plane: testenv.ControlPlane,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    remote_ready: None,
) -> None:
    op = start_operator(namespace)
    # The account exists here only: what counts is the remote cluster's.
    await service_account(e2e_kube, namespace, "deployer")
    await op.wait_ready()
    await create(e2e_kube, namespace, "web", remote_spec(chart_repo, serviceAccountName="deployer"))
    message = await ready_message(e2e_kube, namespace, "web", "ServiceAccountNotFound")
    assert f"service account {namespace}/deployer not found" in message
    assert "remote cluster" in message

    # There, without rights: the apiserver refuses it as that account.
    await service_account(remote_kube, namespace, "deployer")
    await annotate(e2e_kube, namespace, "web", RECONCILE)
    message = await ready_message(e2e_kube, namespace, "web", "AccessDenied")
    assert f"service account {namespace}/deployer" in message
    assert await remote_kube.get_or_none("v1", "ConfigMap", "web-config", namespace) is None

    await grant(remote_kube, namespace, "deployer", namespace, "deployer")
    await annotate(e2e_kube, namespace, "web", RECONCILE)
    await wait_condition(e2e_kube, namespace, "web", within=90)
    assert await remote_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert await e2e_kube.get_or_none("v1", "ConfigMap", "web-config", namespace) is None


def exec_kubeconfig(plane: testenv.ControlPlane, script: Path) -> str:
    """The remote kubeconfig with its token replaced by an exec command that prints it."""
    doc = yaml.safe_load(plane.inline_kubeconfig())
    credential = {
        "apiVersion": "client.authentication.k8s.io/v1beta1",
        "kind": "ExecCredential",
        "status": {"token": plane.token},
    }
    script.write_text(f"import sys\nsys.stdout.write({json.dumps(json.dumps(credential))})\n")
    doc["users"][0]["user"] = {
        "exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1",
            "command": sys.executable,
            "args": [str(script)],
        }
    }
    return str(yaml.safe_dump(doc))


def insecure_kubeconfig(plane: testenv.ControlPlane) -> str:
    doc = yaml.safe_load(plane.inline_kubeconfig())
    cluster = doc["clusters"][0]["cluster"]
    del cluster["certificate-authority-data"]
    cluster["insecure-skip-tls-verify"] = True
    return str(yaml.safe_dump(doc))


async def test_exec_and_tls_skipping_kubeconfigs_need_the_admins_flags(
    e2e_kube: KubeClient,
    remote_kube: KubeClient,
    remote_plane: testenv.ControlPlane,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    tmp_path: Path,
) -> None:
    await remote_namespace(remote_kube, namespace)
    await kubeconfig_secret(
        e2e_kube, namespace, exec_kubeconfig(remote_plane, tmp_path / "cred.py"), "by-exec"
    )
    await kubeconfig_secret(e2e_kube, namespace, insecure_kubeconfig(remote_plane), "no-tls")
    await kubeconfig_secret(e2e_kube, namespace, "clusters: [", "broken", key="value.yaml")
    op = start_operator(namespace)
    await op.wait_ready()
    for name, secret in (("exec", "by-exec"), ("tls", "no-tls"), ("broken", "broken")):
        body = spec(chart_repo, releaseName=f"r-{name}", kubeConfig={"secretRef": {"name": secret}})
        await create(e2e_kube, namespace, name, body)
    await create(
        e2e_kube,
        namespace,
        "missing",
        spec(chart_repo, kubeConfig={"secretRef": {"name": "absent", "key": "config"}}),
    )
    message = await ready_message(e2e_kube, namespace, "exec", "InsecureKubeConfig")
    assert f"Secret {namespace}/by-exec:" in message
    assert "--insecure-kubeconfig-exec" in message
    message = await ready_message(e2e_kube, namespace, "tls", "InsecureKubeConfig")
    assert "insecure-skip-tls-verify" in message and "--insecure-kubeconfig-tls" in message
    message = await ready_message(e2e_kube, namespace, "broken", "RESTClientError")
    assert message == f"Secret {namespace}/broken: the kubeconfig is not valid YAML (line 1)"
    message = await ready_message(e2e_kube, namespace, "missing", "RESTClientError")
    assert f"Secret {namespace}/absent (spec.kubeConfig.secretRef) not found" in message
    for name in ("r-exec", "r-tls"):
        assert await remote_kube.get_or_none("v1", "ConfigMap", f"{name}-config", namespace) is None
    op.stop()

    # With the admin's flags, the same kubeconfigs are used.
    op = start_operator(namespace, "--insecure-kubeconfig-exec", "--insecure-kubeconfig-tls")
    await op.wait_ready()
    for name in ("exec", "tls"):
        await annotate(e2e_kube, namespace, name, RECONCILE)
        await wait_condition(e2e_kube, namespace, name, within=90)
        cm = await remote_kube.get("v1", "ConfigMap", f"r-{name}-config", namespace)
        assert cm["data"]["chartVersion"] == "0.1.0"
    for name in ("exec", "tls", "broken", "missing"):
        for event in await events(e2e_kube, namespace, name):
            assert remote_plane.token not in str(event.get("message"))
    assert remote_plane.token not in op.log()


async def test_an_unreachable_remote_cluster_is_named_and_recovered_from(
    e2e_kube: KubeClient,
    remote_kube: KubeClient,
    remote_plane: testenv.ControlPlane,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    remote_ready: None,
) -> None:
    op = await remote_web_installed(e2e_kube, namespace, chart_repo, start_operator)

    # The Secret changed to point at a closed port: a new client, and the outage is named.
    closed = f"https://127.0.0.1:{free_port()}"
    await kubeconfig_secret(e2e_kube, namespace, remote_plane.inline_kubeconfig(server=closed))
    await annotate(e2e_kube, namespace, "web", RECONCILE)
    message = await ready_message(e2e_kube, namespace, "web", "RemoteClusterUnavailable")
    assert message.startswith(f"remote cluster {closed} (kubeconfig of Secret {namespace}/")
    await kubeconfig_secret(e2e_kube, namespace, remote_plane.inline_kubeconfig())
    await annotate(e2e_kube, namespace, "web", RECONCILE)
    await wait_condition(e2e_kube, namespace, "web", within=60)

    host = remote_plane.server.removeprefix("https://")
    remote_plane.kill_apiserver()
    try:
        await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "later"}})
        message = await ready_message(e2e_kube, namespace, "web", "RemoteClusterUnavailable")
        assert message.startswith(f"remote cluster https://{host} (kubeconfig of Secret ")
        assert "is unreachable:" in message
    finally:
        remote_plane.start_apiserver()
    # Back: the retries (seconds apart during an outage) carry the change over.
    await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded", within=60)
    cm = await remote_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"]["greeting"] == "later"

    remote_plane.kill_apiserver()
    try:
        # Deleting meanwhile: the uninstall waits for the remote cluster (as Flux's does).
        await e2e_kube.delete(API_VERSION, KIND, "web", namespace)
        message = await ready_message(e2e_kube, namespace, "web", "UninstallFailed")
        assert "Helm uninstall failed" in message
        assert (await get(e2e_kube, namespace, "web"))["metadata"]["finalizers"]
    finally:
        remote_plane.start_apiserver()

    await wait_uninstalled(e2e_kube, remote_kube, namespace, "web", 60)
    assert remote_plane.token not in op.log()


async def test_history_diff_and_rekey_read_the_remote_cluster(
    e2e_kube: KubeClient,
    remote_kube: KubeClient,
    remote_plane: testenv.ControlPlane,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    remote_ready: None,
    kubeconfig: Path,
    tmp_path: Path,
) -> None:
    op = await remote_web_installed(e2e_kube, namespace, chart_repo, start_operator)
    await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "bonjour"}})
    await wait_condition(e2e_kube, namespace, "web", reason="UpgradeSucceeded")
    op.stop()  # nothing corrects the edit below while the commands look at it
    kc: dict[str, Any] = {"kubeconfig": kubeconfig}

    # The records are in the remote cluster only; history reads them there.
    history = await steersman("history", "web", "-n", namespace, "-o", "json", **kc)
    assert history.code == 0, history.err
    revisions = [(r["revision"], r["status"]) for r in json.loads(history.out)]
    assert revisions == [(1, "superseded"), (2, "deployed")]

    # In sync: the stored manifest and the remote objects are what the next upgrade would make.
    same = await steersman("diff", "web", "-n", namespace, "--detailed-exitcode", **kc)
    assert same.code == 0, same.err + same.out
    await remote_kube.merge_patch(
        "v1", "ConfigMap", "web-config", namespace, {"data": {"greeting": "edited"}}
    )
    live = await steersman(
        "diff", "web", "-n", namespace, "--against", "live", "--detailed-exitcode", **kc
    )
    assert live.code == 2, live.err
    assert "-  greeting: edited" in live.out and "+  greeting: bonjour" in live.out
    stored = await steersman(
        "diff", "web", "-n", namespace, "--against", "stored", "--detailed-exitcode", **kc
    )
    assert stored.code == 0, stored.err + stored.out

    # rekey rewrites the remote records (here as plain helm records: they stay readable).
    rekey = await steersman("rekey", "web", "-n", namespace, "--decrypt", **kc)
    assert rekey.code == 0, rekey.err
    assert rekey.out.startswith("rewrote 2 revision(s) of release web in secret storage")
    assert record_states(await records(remote_kube, namespace, "web")) == [
        (1, "superseded"),
        (2, "deployed"),
    ]
    assert await records(e2e_kube, namespace, "web") == []

    # A kubeconfig the operator would refuse is refused here too, unless the same flag is given.
    await kubeconfig_secret(e2e_kube, namespace, exec_kubeconfig(remote_plane, tmp_path / "c.py"))
    refused = await steersman("history", "web", "-n", namespace, **kc)
    assert refused.code == 1
    assert refused.err.startswith(f"Error: Secret {namespace}/{SECRET} (spec.kubeConfig.")
    assert "--insecure-kubeconfig-exec" in refused.err and len(refused.err.splitlines()) == 1
    allowed = await steersman("history", "web", "-n", namespace, "--insecure-kubeconfig-exec", **kc)
    assert allowed.code == 0, allowed.err
    assert allowed.out.splitlines()[0].split()[:3] == ["REVISION", "UPDATED", "STATUS"]

    await e2e_kube.delete("v1", "Secret", SECRET, namespace)
    gone = await steersman("history", "web", "-n", namespace, **kc)
    assert gone.code == 1
    assert gone.err == (
        f"Error: the release is in the remote cluster of Secret {namespace}/{SECRET} "
        "(spec.kubeConfig.secretRef), which does not exist\n"
    )
    for result in (history, live, rekey, refused, allowed, gone):
        assert remote_plane.token not in result.out + result.err
