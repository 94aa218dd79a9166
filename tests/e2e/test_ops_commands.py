"""The ops commands (`get`, `history`, `reconcile`, `suspend`, `resume`, `diff`) run as a user
would run them: `python -m steersman.cli` subprocesses on a kubeconfig, against the bench
apiserver, with the operator running as its own subprocess."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack.operatorkit import push_chart
from steersman.kube import KubeClient
from tests.e2e.cli_support import steersman, table_rows
from tests.e2e.conftest import StartOperator
from tests.e2e.support import create, get, patch_spec, spec, wait_condition

pytestmark = [pytest.mark.integration, pytest.mark.slow]


async def test_get_history_diff_suspend_resume_reconcile(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    kubeconfig: Path,
) -> None:
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "web", spec(chart_repo, values={"greeting": "hi"}))
    await wait_condition(e2e_kube, namespace, "web")
    kc: dict[str, Any] = {"kubeconfig": kubeconfig}

    listed = await steersman("get", "-n", namespace, **kc)
    assert listed.code == 0, listed.err
    header, row = table_rows(listed.out)
    assert header == ["NAME", "READY", "REVISION", "CHART", "SUSPENDED", "STORAGE", "STATUS"]
    assert row[:6] == ["web", "True", "1", "demo-0.1.0", "False", "secret"]
    assert "Helm install succeeded" in listed.out  # the Ready condition's message

    everywhere = await steersman("get", "-A", **kc)
    assert everywhere.code == 0
    assert everywhere.out.startswith("NAMESPACE")
    assert any(r[:2] == [namespace, "web"] for r in table_rows(everywhere.out))

    one = await steersman("get", "web", "-n", namespace, "-o", "json", **kc)
    body = json.loads(one.out)
    assert body["metadata"]["name"] == "web" and "managedFields" not in body["metadata"]
    as_yaml = yaml.safe_load(
        (await steersman("get", "web", "-n", namespace, "-o", "yaml", **kc)).out
    )
    assert as_yaml["spec"]["values"] == {"greeting": "hi"}

    history = await steersman("history", "web", "-n", namespace, **kc)
    assert history.code == 0, history.err
    lines = history.out.strip().splitlines()
    assert lines[0].split() == [
        "REVISION",
        "UPDATED",
        "STATUS",
        "CHART",
        "APP",
        "VERSION",
        "DESCRIPTION",
    ]
    assert lines[1].split()[0] == "1" and "deployed" in lines[1] and "demo-0.1.0" in lines[1]
    assert lines[1].rstrip().endswith("Install complete")

    same = await steersman("diff", "web", "-n", namespace, "--detailed-exitcode", **kc)
    assert same.code == 0, same.out + same.err
    assert "Against the stored release (revision 1): no changes" in same.out
    assert "Against the live objects: no changes" in same.out

    suspended = await steersman("suspend", "web", "-n", namespace, **kc)
    assert suspended.code == 0, suspended.err
    assert (await get(e2e_kube, namespace, "web"))["spec"]["suspend"] is True
    got = await steersman("get", "web", "-n", namespace, **kc)
    assert table_rows(got.out)[1][4] == "True"
    refused = await steersman("reconcile", "web", "-n", namespace, **kc)
    assert refused.code == 1 and "is suspended" in refused.err

    await patch_spec(e2e_kube, namespace, "web", {"values": {"greeting": "bonjour"}})
    changed = await steersman("diff", "web", "-n", namespace, "--detailed-exitcode", **kc)
    assert changed.code == 2, changed.out + changed.err
    assert f"{namespace}, web-config, ConfigMap (v1) has changed:" in changed.out
    assert changed.out.count("-  greeting: hi") == 2  # stored and live
    assert changed.out.count("+  greeting: bonjour") == 2
    assert "\x1b[" not in changed.out  # not a TTY: no colour
    coloured = await steersman("diff", "web", "-n", namespace, "--color", **kc)
    assert coloured.code == 0  # without --detailed-exitcode changes still exit 0
    assert "\x1b[32m+  greeting: bonjour\x1b[0m" in coloured.out
    only_live = await steersman("diff", "web", "-n", namespace, "--against", "live", **kc)
    assert "Against the live objects:" in only_live.out and "stored" not in only_live.out

    resumed = await steersman("resume", "web", "-n", namespace, "--timeout", "90s", **kc)
    assert resumed.code == 0, resumed.err
    assert "HelmRelease reconciliation completed" in resumed.err
    assert "Ready=True UpgradeSucceeded: " in resumed.err  # condition changes are streamed
    assert "applied revision 2 (demo-0.1.0)" in resumed.err
    cm = await e2e_kube.get("v1", "ConfigMap", "web-config", namespace)
    assert cm["data"]["greeting"] == "bonjour"

    forced = await steersman("reconcile", "web", "-n", namespace, "--force", **kc)
    assert forced.code == 0, forced.err
    assert "applied revision 3" in forced.err  # --force upgrades although in sync
    revisions = json.loads(
        (await steersman("history", "web", "-n", namespace, "-o", "json", **kc)).out
    )
    assert [(r["revision"], r["status"]) for r in revisions] == [
        (1, "superseded"),
        (2, "superseded"),
        (3, "deployed"),
    ]
    assert revisions[-1]["chart"] == "demo-0.1.0" and revisions[-1]["app_version"] == "1.0"

    plain = await steersman("reconcile", "web", "-n", namespace, **kc)
    assert plain.code == 0 and "applied revision 3" in plain.err  # in sync: nothing new

    no_wait = await steersman("suspend", "web", "-n", namespace, **kc)
    assert no_wait.code == 0
    quick = await steersman("resume", "web", "-n", namespace, "--wait=false", **kc)
    assert quick.code == 0 and "waiting" not in quick.err
    assert (await get(e2e_kube, namespace, "web"))["spec"]["suspend"] is False


async def test_reconcile_exit_codes_for_failure_and_timeout(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    kubeconfig: Path,
) -> None:
    kc: dict[str, Any] = {"kubeconfig": kubeconfig}
    bad = spec(chart_repo)
    bad["chart"]["version"] = "9.9.9"
    await create(e2e_kube, namespace, "broken", bad)
    # No operator yet: nobody handles the request, so the wait times out (exit 3).
    waited = await steersman("reconcile", "broken", "-n", namespace, "--timeout", "2s", **kc)
    assert waited.code == 3, waited.err
    assert "timed out after 2s" in waited.err

    op = start_operator(namespace)
    await op.wait_ready()
    failed = await steersman("reconcile", "broken", "-n", namespace, "--timeout", "90s", **kc)
    assert failed.code == 1, failed.err
    assert "HelmRelease reconciliation failed" in failed.err
    assert "failed to fetch chart demo: " in failed.err
    listed = await steersman("get", "broken", "-n", namespace, **kc)
    assert "failed to fetch chart demo" in listed.out

    diffed = await steersman("diff", "broken", "-n", namespace, **kc)
    assert diffed.code == 1 and diffed.err.startswith("Error: failed to fetch chart demo")
    no_history = await steersman("history", "broken", "-n", namespace, **kc)
    assert no_history.code == 1
    assert no_history.err == (
        f'Error: release "broken" has no revisions in secret storage in namespace "{namespace}"\n'
    )


async def test_errors_are_one_line_with_documented_exit_codes(
    namespace: str, crd: None, kubeconfig: Path, tmp_path: Path
) -> None:
    kc: dict[str, Any] = {"kubeconfig": kubeconfig}
    for command in ("get", "history", "reconcile", "suspend", "resume", "diff"):
        missing = await steersman(command, "nope", "-n", namespace, **kc)
        assert missing.code == 1, (command, missing.err)
        assert missing.err == f'Error: HelmRelease "nope" not found in namespace "{namespace}"\n'
        helped = await steersman(command, "--help")
        assert helped.code == 0 and "--kubeconfig" in helped.out and "--context" in helped.out

    nothing = await steersman("get", env={"HOME": str(tmp_path)})
    assert nothing.code == 1
    assert nothing.err.startswith("Error: no kubeconfig found")
    gone = await steersman("get", "--kubeconfig", str(tmp_path / "absent"))
    assert gone.code == 1 and gone.err.startswith("Error: kubeconfig")
    unreachable = tmp_path / "unreachable"
    unreachable.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
    )
    down = await steersman("get", "--kubeconfig", str(unreachable))
    assert down.code == 1
    assert down.err.startswith("Error: kube-apiserver unreachable: ")
    assert len(down.err.splitlines()) == 1
    usage = await steersman("history", **kc)  # NAME missing
    assert usage.code == 2
    bad_timeout = await steersman("reconcile", "x", "--timeout", "soon", **kc)
    assert bad_timeout.code == 1 and bad_timeout.err.startswith("Error: --timeout")
    bad_driver = await steersman("get", "-n", namespace, "--output", "xml", **kc)
    assert bad_driver.code == 2


async def test_kubeconfig_env_and_context_namespace_are_honoured(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, kubeconfig: Path, tmp_path: Path,
    crd: None,
) -> None:  # fmt: skip
    await create(e2e_kube, namespace, "ctx", spec(chart_repo))
    config = yaml.safe_load(await asyncio.to_thread(kubeconfig.read_text))
    base = config["contexts"][0]
    config["contexts"].append(
        {"name": "ops-test", "context": {**base["context"], "namespace": namespace}}
    )
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config))
    listed = await steersman("get", "--context", "ops-test", env={"KUBECONFIG": str(path)})
    assert listed.code == 0, listed.err
    assert table_rows(listed.out)[1][:2] == ["ctx", "Unknown"]  # not reconciled: no operator
    assert "waiting to be reconciled" in listed.out
    unknown = await steersman("get", "--context", "nope", env={"KUBECONFIG": str(path)})
    assert unknown.code == 1 and unknown.err.startswith("Error: invalid kubeconfig")


async def test_history_on_sql_storage(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    kubeconfig: Path,
    pg_database: str,
    tmp_path: Path,
) -> None:
    dsn = f"{pg_database}?sslmode=disable"
    op = start_operator(
        namespace,
        "--helm-storage-driver",
        "sql",
        env={"HELM_DRIVER_SQL_CONNECTION_STRING": dsn},
    )
    await op.wait_ready()
    await create(e2e_kube, namespace, "db", spec(chart_repo))
    await wait_condition(e2e_kube, namespace, "db")
    kc: dict[str, Any] = {"kubeconfig": kubeconfig}

    listed = await steersman("get", "db", "-n", namespace, **kc)
    assert table_rows(listed.out)[1][5] == "sql"
    history = await steersman(
        "history", "db", "-n", namespace, env={"HELM_DRIVER_SQL_CONNECTION_STRING": dsn}, **kc
    )
    assert history.code == 0, history.err
    row = history.out.strip().splitlines()[1]
    assert row.split()[0] == "1" and "deployed" in row and row.endswith("Install complete")
    dsn_file = tmp_path / "dsn"
    dsn_file.write_text(dsn + "\n")
    from_file = await steersman(
        "history", "db", "-n", namespace, "--sql-connection-string-file", str(dsn_file), **kc
    )
    assert from_file.code == 0 and from_file.out == history.out

    no_dsn = await steersman("history", "db", "-n", namespace, **kc)
    assert no_dsn.code == 1
    assert no_dsn.err.startswith("Error: the sql storage driver needs a connection string")
    assert len(no_dsn.err.splitlines()) == 1

    secret = "s3cr3t-pw-marker"
    unreachable = f"postgresql://steersman:{secret}@127.0.0.1:1/helm?sslmode=disable"
    down = await steersman(
        "history", "db", "-n", namespace,
        env={"HELM_DRIVER_SQL_CONNECTION_STRING": unreachable}, **kc,
    )  # fmt: skip
    assert down.code == 1 and down.err.startswith("Error: release storage: ")
    assert len(down.err.splitlines()) == 1
    assert secret not in down.err + down.out


async def test_diff_follows_values_from(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    kubeconfig: Path,
) -> None:
    values_cm = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "web-values"},
        "data": {"values.yaml": "greeting: from-configmap\n"},
    }
    await e2e_kube.create(values_cm, namespace=namespace)
    values_from = [{"kind": "ConfigMap", "name": "web-values"}]
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "vf", spec(chart_repo, valuesFrom=values_from))
    await wait_condition(e2e_kube, namespace, "vf")
    await patch_spec(e2e_kube, namespace, "vf", {"suspend": True})
    await e2e_kube.merge_patch(
        "v1", "ConfigMap", "web-values", namespace, {"data": {"values.yaml": "greeting: edited\n"}}
    )
    result = await steersman(
        "diff", "vf", "-n", namespace, "--detailed-exitcode", kubeconfig=kubeconfig
    )
    assert result.code == 2, result.out + result.err
    assert result.out.count("-  greeting: from-configmap") == 2
    assert result.out.count("+  greeting: edited") == 2

    await e2e_kube.delete("v1", "ConfigMap", "web-values", namespace)
    missing = await steersman("diff", "vf", "-n", namespace, kubeconfig=kubeconfig)
    assert missing.code == 1
    assert missing.err == f"Error: could not find ConfigMap '{namespace}/web-values'\n"


SECRET_CHART = {
    "Chart.yaml": "apiVersion: v2\nname: secretdemo\nversion: 0.1.0\nappVersion: '2.0'\n",
    "values.yaml": "password: first-password\ntoken: same-token\n",
    "templates/secret.yaml": (
        "apiVersion: v1\nkind: Secret\nmetadata:\n  name: {{ .Release.Name }}-creds\n"
        "data:\n  password: {{ .Values.password | b64enc | quote }}\n"
        "  token: {{ .Values.token | b64enc | quote }}\n"
    ),
}


async def test_diff_masks_secret_values(
    e2e_kube: KubeClient,
    namespace: str,
    start_operator: StartOperator,
    kubeconfig: Path,
    helm_v4: Path,
    helm_env: dict[str, str],
    oci_registry: str,
    tmp_path: Path,
) -> None:
    chart_dir = tmp_path / "secretdemo"
    for rel, text in SECRET_CHART.items():
        (chart_dir / rel).parent.mkdir(parents=True, exist_ok=True)
        (chart_dir / rel).write_text(text)
    repo = push_chart(helm_v4, helm_env, oci_registry, ["0.1.0"], chart_dir=chart_dir)
    body = {
        "chart": {"repository": repo, "name": "secretdemo", "version": "0.1.0", "insecure": True},
        "interval": "1m",
    }
    op = start_operator(namespace)
    await op.wait_ready()
    await create(e2e_kube, namespace, "sec", body)
    await wait_condition(e2e_kube, namespace, "sec")
    await e2e_kube.merge_patch(
        "helm.steersman.dev/v1alpha1", "HelmRelease", "sec", namespace,
        {"spec": {"suspend": True, "values": {"password": "second-password"}}},
    )  # fmt: skip

    result = await steersman("diff", "sec", "-n", namespace, "--detailed-exitcode",
                             kubeconfig=kubeconfig)  # fmt: skip
    assert result.code == 2, result.out + result.err
    assert f"{namespace}, sec-creds, Secret (v1) has changed:" in result.out
    assert result.out.count("-  password: '--------'") == 2
    assert result.out.count("+  password: ++++++++") == 2
    assert "token: REDACTED" in result.out  # unchanged keys are not marked as changes
    for plain in ("first-password", "second-password", "same-token"):
        assert plain not in result.out
        assert __import__("base64").b64encode(plain.encode()).decode() not in result.out
