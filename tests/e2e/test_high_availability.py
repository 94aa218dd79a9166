"""High availability: leader election (failover after kill -9), label-selector shards that the
apiserver filters, and a graceful shutdown that never leaves a `pending-*` record."""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hack.operatorkit import OperatorProcess, wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import Conflict, KubeClient
from tests.e2e.conftest import StartOperator
from tests.e2e.support import condition, create, patch_spec, record_states, records, spec
from tests.e2e.test_remediation import make_deployment_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LEASE = "steersman-leader-election"
# Short timings, so that the test waits seconds, not the production 35 s lease.
ELECTION = [
    "--leader-elect",
    "--leader-election-lease-duration",
    "6s",
    "--leader-election-renew-deadline",
    "4s",
    "--leader-election-retry-period",
    "1s",
]
RELEASES = 20


def identity(op: OperatorProcess) -> str | None:
    """The lease holder identity the operator logged when it became a candidate."""
    found = re.search(r"(?:acquired|waiting to acquire) the leader lease \S+ as (\S+?)\"", op.log())
    return found[1] if found else None


def leads(op: OperatorProcess) -> bool:
    return "acquired the leader lease" in op.log()


def idle(op: OperatorProcess) -> bool:
    """No Helm action counted: the operator reconciled nothing."""
    return "steersman_actions_total{" not in op.metrics()


async def lease(kube: KubeClient, ns: str) -> dict[str, Any] | None:
    return await kube.get_or_none("coordination.k8s.io/v1", "Lease", LEASE, ns)


async def holder(kube: KubeClient, ns: str) -> str:
    found = await lease(kube, ns)
    return str(((found or {}).get("spec") or {}).get("holderIdentity") or "")


def chart_version(hr: dict[str, Any]) -> str | None:
    history = (hr.get("status") or {}).get("history") or []
    return history[0].get("chartVersion") if history else None


def ready_at(hr: dict[str, Any], version: str) -> bool:
    c = condition(hr, "Ready")
    return (
        c is not None
        and c["status"] == "True"
        and c.get("observedGeneration") == hr["metadata"]["generation"]
        and chart_version(hr) == version
    )


async def helm_history(helm: Path, env: dict[str, str], ns: str, name: str) -> list[Any]:
    res = await asyncio.to_thread(
        subprocess.run,
        [str(helm), "history", name, "-n", ns, "-o", "json"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0, res.stderr
    return list(json.loads(res.stdout))


async def test_standby_takes_over_after_the_leader_is_killed(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> None:
    elect = [*ELECTION, "--leader-election-namespace", namespace]
    first = start_operator(namespace, *elect)
    await first.wait_ready()
    await wait_until(lambda: _async(leads(first)), 30, "the first operator to lead")
    second = start_operator(namespace, *elect)
    await second.wait_ready()  # a standby is ready, only idle
    await wait_until(lambda: _async(identity(second)), 30, "the second operator to stand by")
    lead = await lease(e2e_kube, namespace)
    assert lead is not None and lead["spec"]["holderIdentity"] == identity(first)
    assert identity(first) != identity(second)
    assert lead["spec"]["leaseDurationSeconds"] == 6
    assert lead["spec"]["acquireTime"] and lead["spec"]["renewTime"]

    names = [f"hr{i:02d}" for i in range(RELEASES)]
    for name in names:
        await create(e2e_kube, namespace, name, spec(chart_repo, interval="10m"))

    async def all_at(version: str) -> bool:
        found = await e2e_kube.list(API_VERSION, KIND, namespace)
        return len(found) == RELEASES and all(ready_at(hr, version) for hr in found)

    await wait_until(lambda: all_at("0.1.0"), 240, "20 HelmReleases installed")
    assert idle(second), "the standby reconciled"
    assert not leads(second)

    for name in names:
        await patch_spec(e2e_kube, namespace, name, {"chart": {"version": "0.2.0"}})

    async def some_upgraded() -> bool:
        found = await e2e_kube.list(API_VERSION, KIND, namespace)
        return any(chart_version(hr) == "0.2.0" for hr in found)

    await wait_until(some_upgraded, 120, "the first upgrade", every=0.05)
    before = {
        hr["metadata"]["name"]: hr.get("status")
        for hr in await e2e_kube.list(API_VERSION, KIND, namespace)
    }
    upgraded = sum(
        1
        for hr in await e2e_kube.list(API_VERSION, KIND, namespace)
        if chart_version(hr) == "0.2.0"
    )
    assert idle(second), "the standby reconciled while the leader was alive"
    killed_at = time.monotonic()
    first.kill()

    async def taken_over() -> bool:
        return await holder(e2e_kube, namespace) == identity(second)

    await wait_until(taken_over, 30, "the standby to take the lease", every=0.05)
    acquired_at = time.monotonic()

    async def first_reconcile() -> bool:
        # A status the new leader wrote (kopf's own annotations do not count).
        for hr in await e2e_kube.list(API_VERSION, KIND, namespace):
            if hr.get("status") != before[hr["metadata"]["name"]]:
                return True
        return False

    await wait_until(first_reconcile, 60, "the new leader's first reconcile", every=0.05)
    reconciled_at = time.monotonic()
    acquire_s, first_s = acquired_at - killed_at, reconciled_at - killed_at
    print(
        f"\nFAILOVER: {upgraded}/{RELEASES} upgraded when the leader was killed; "
        f"lease taken over after {acquire_s:.2f}s, first reconcile after {first_s:.2f}s "
        f"(lease duration 6s)"
    )
    assert acquire_s <= 6 + 2, "the standby took longer than the lease duration (+ a retry)"

    await wait_until(lambda: all_at("0.2.0"), 300, "20 HelmReleases upgraded")
    final = await lease(e2e_kube, namespace)
    assert final is not None and final["spec"]["leaseTransitions"] >= 1
    for name in names:
        states = record_states(await records(e2e_kube, namespace, name))
        versions = [v for v, _ in states]
        assert versions == list(range(1, len(versions) + 1)), f"{name}: {states}"
        assert not [s for _, s in states if s.startswith("pending")], f"{name}: {states}"
        assert states[-1][1] == "deployed", f"{name}: {states}"
        history = await helm_history(helm_v4, helm_env, namespace, name)
        assert [h["revision"] for h in history] == versions
        assert history[-1]["chart"] == "demo-0.2.0", f"{name}: {history}"
        # No rollback: nothing went back to 0.1.0 after an upgrade to 0.2.0.
        assert not any("Rollback" in h["description"] for h in history), f"{name}: {history}"
        charts = [h["chart"] for h in history]
        assert charts == sorted(charts), f"{name} went back to an older chart: {history}"
    assert "Traceback" not in second.log()


async def _async(value: Any) -> Any:
    return value


async def test_sigterm_releases_the_lease_for_a_quick_takeover(
    e2e_kube: KubeClient, namespace: str, start_operator: StartOperator
) -> None:
    elect = [*ELECTION, "--leader-election-namespace", namespace]
    first = start_operator(namespace, *elect)
    await first.wait_ready()
    await wait_until(lambda: holder(e2e_kube, namespace), 30, "a leader")
    second = start_operator(namespace, *elect)
    await second.wait_ready()
    assert first.stop() == 0
    released = await lease(e2e_kube, namespace)
    assert released is not None
    # Released (as client-go's ReleaseOnCancel), unless the standby was already quicker.
    if released["spec"].get("holderIdentity") in ("", None):
        assert released["spec"]["leaseDurationSeconds"] == 1
    started = time.monotonic()

    async def second_leads() -> bool:
        return "acquired the leader lease" in second.log()

    await wait_until(second_leads, 10, "the standby to lead after the release")
    # Well under the 6 s lease: the standby did not wait for the released lease to expire.
    assert time.monotonic() - started < 6


async def test_label_selector_shards_never_receive_each_others_objects(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    shard_a = start_operator(namespace, "--watch-label-selector", "shard=a", "--log-level", "debug")
    shard_b = start_operator(
        namespace, "--watch-label-selector", "shard in (b),tier!=x", "--log-level", "debug"
    )
    await shard_a.wait_ready()
    await shard_b.wait_ready()
    for name, shard in (("alpha", "a"), ("beta", "b"), ("gamma", "c")):
        await create(e2e_kube, namespace, name, spec(chart_repo), labels={"shard": shard})

    async def ready(name: str) -> bool:
        hr = await e2e_kube.get(API_VERSION, KIND, name, namespace)
        return ready_at(hr, "0.1.0")

    await wait_until(lambda: ready("alpha"), 90, "alpha reconciled by shard a")
    await wait_until(lambda: ready("beta"), 90, "beta reconciled by shard b")
    await asyncio.sleep(2)
    gamma = await e2e_kube.get(API_VERSION, KIND, "gamma", namespace)
    assert not (gamma.get("status") or {}).get("conditions"), "no shard should take gamma"
    # The operator logs (at debug) every watch event it receives, with the object's name: a
    # shard filtered by the apiserver never even receives the others' objects.
    for op, mine, others in (
        (shard_a, "alpha", ("beta", "gamma")),
        (shard_b, "beta", ("alpha", "gamma")),
    ):
        received = _received(op.log())
        assert mine in received, f"{mine} never reached its shard: {sorted(received)}"
        for other in others:
            assert other not in received, f"{other} reached the wrong shard"


def _received(log: str) -> set[str]:
    names = set()
    for line in log.splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if entry.get("message") == "watch event received" and entry.get("release"):
            names.add(str(entry["release"]))
    return names


async def test_sigterm_during_a_stuck_install_cancels_it_without_pending_records(
    e2e_kube: KubeClient,
    namespace: str,
    chart_repo: str,
    start_operator: StartOperator,
    helm_v4: Path,
    helm_env: dict[str, str],
) -> None:
    grace = 3
    op = start_operator(namespace, "--graceful-shutdown-timeout", f"{grace}s")
    await op.wait_ready()
    # The Deployment never becomes ready on the bench: the install would wait 10 minutes.
    body = spec(chart_repo, timeout="10m", values={"deployment": {"enabled": True}})
    await create(e2e_kube, namespace, "slow", body)

    async def installing() -> bool:
        return record_states(await records(e2e_kube, namespace, "slow")) == [(1, "pending-install")]

    await wait_until(installing, 60, "the install to be under way")
    started = time.monotonic()
    code = await asyncio.to_thread(op.stop, grace + 30)
    took = time.monotonic() - started
    print(f"\nSHUTDOWN: exit {code} {took:.1f}s after SIGTERM (grace {grace}s)")
    assert code == 0, op.log()[-3000:]
    # The drain waits the grace, then the cancel and the record update take well under 30 s.
    assert grace <= took < grace + 30, f"stopped after {took:.1f}s"
    states = record_states(await records(e2e_kube, namespace, "slow"))
    assert states == [(1, "failed")], states
    history = await helm_history(helm_v4, helm_env, namespace, "slow")
    assert [h["status"] for h in history] == ["failed"]
    assert "the operator is shutting down" in op.log()

    # A later operator carries on from the failed record (here: the install remediation). The
    # spec is fixed first: started on the old one, its first reconcile would wait on the
    # Deployment for the whole 10-minute timeout (a new generation does not cancel an action).
    await patch_spec(e2e_kube, namespace, "slow", {"values": {"deployment": {"enabled": False}}})
    again = start_operator(namespace, "--graceful-shutdown-timeout", "0s")
    await again.wait_ready()

    async def recovered() -> bool:
        hr = await e2e_kube.get(API_VERSION, KIND, "slow", namespace)
        return ready_at(hr, "0.1.0")

    await wait_until(recovered, 120, "the release to recover after the restart")
    states = record_states(await records(e2e_kube, namespace, "slow"))
    assert not [s for _, s in states if s.startswith("pending")], states


async def test_sigterm_lets_a_short_action_finish(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, "--graceful-shutdown-timeout", "40s")
    await op.wait_ready()
    body = spec(chart_repo, timeout="10m", values={"deployment": {"enabled": True}})
    await create(e2e_kube, namespace, "finish", body)

    async def installing() -> bool:
        return record_states(await records(e2e_kube, namespace, "finish")) == [
            (1, "pending-install")
        ]

    await wait_until(installing, 60, "the install to be under way")
    stopping = asyncio.create_task(asyncio.to_thread(op.stop, 90))
    await asyncio.sleep(2)
    assert not stopping.done(), "the operator did not wait for the running install"
    # Play the missing controller: the Deployment becomes available, the install completes.
    await make_deployment_ready(e2e_kube, namespace, "finish")
    assert await stopping == 0
    assert record_states(await records(e2e_kube, namespace, "finish")) == [(1, "deployed")]


async def test_a_leader_that_cannot_renew_stops_reconciling_and_exits(
    e2e_kube: KubeClient, namespace: str, start_operator: StartOperator
) -> None:
    op = start_operator(namespace, *ELECTION, "--leader-election-namespace", namespace)
    await op.wait_ready()
    await wait_until(lambda: _async(leads(op)), 30, "the operator to lead")
    path = f"/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases/{LEASE}"
    started = time.monotonic()
    # Someone else holds the lease now and keeps renewing it (a split brain seen from here):
    # the operator's renewals fail until its renew deadline (4 s), then it must give up.
    while op.proc is not None and op.proc.poll() is None and time.monotonic() - started < 20:
        current = await e2e_kube.request("GET", path)
        current["spec"]["holderIdentity"] = "intruder"
        current["spec"]["renewTime"] = _now()
        with contextlib.suppress(Conflict):
            await e2e_kube.request("PUT", path, body=current)
        await asyncio.sleep(0.5)
    took = time.monotonic() - started
    assert op.proc is not None and op.proc.poll() == 1, op.log()[-3000:]
    assert 4 <= took < 4 + 6, f"exited after {took:.1f}s"
    assert "lost the leader lease" in op.log()
    assert await holder(e2e_kube, namespace) == "intruder"  # not released: it was not ours


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


async def test_candidates_starting_together_elect_exactly_one_leader(
    e2e_kube: KubeClient, namespace: str, chart_repo: str, start_operator: StartOperator
) -> None:
    elect = [*ELECTION, "--leader-election-namespace", namespace]
    # Both race to create the same Lease; the apiserver lets exactly one write through.
    ops = [start_operator(namespace, *elect), start_operator(namespace, *elect)]
    for op in ops:
        await op.wait_ready()
    await wait_until(lambda: holder(e2e_kube, namespace), 30, "a leader")
    await create(e2e_kube, namespace, "only", spec(chart_repo))

    async def ready() -> bool:
        return ready_at(await e2e_kube.get(API_VERSION, KIND, "only", namespace), "0.1.0")

    await wait_until(ready, 90, "the HelmRelease reconciled by the leader")
    await asyncio.sleep(3)  # several renewals: the leadership stays put
    leaders = [op for op in ops if leads(op)]
    assert len(leaders) == 1, [op.log()[-2000:] for op in ops]
    assert await holder(e2e_kube, namespace) == identity(leaders[0])
    standby = next(op for op in ops if op is not leaders[0])
    assert idle(standby) and not idle(leaders[0])
    found = await lease(e2e_kube, namespace)
    assert found is not None and found["spec"]["leaseTransitions"] == 0


async def test_an_unusable_lease_namespace_is_a_one_line_start_up_failure(
    namespace: str, start_operator: StartOperator
) -> None:
    missing = f"{namespace}-absent"
    op = start_operator(namespace, *ELECTION, "--leader-election-namespace", missing)
    assert op.proc is not None
    assert await asyncio.to_thread(op.proc.wait, 60) == 1
    failure = op.log().splitlines()
    assert len(failure) == 1, op.log()  # nothing but the failure on stderr
    assert failure[0].startswith(f"steersman run: cannot use the leader lease {missing}/{LEASE}")
    assert "get, create and update on leases" in failure[0]
    assert "Traceback" not in op.log()
