"""Leader election on a `coordination.k8s.io/v1` Lease, with client-go's semantics.

- A candidate takes the lease when it does not exist, when its holder released it (empty
  `holderIdentity`), or when the record stayed unchanged for `leaseDurationSeconds` as observed
  on *our* clock (renewTime is another machine's clock, so it is not compared with ours);
- every write is a PUT carrying the resourceVersion that was read: of two candidates racing for
  the same record, the apiserver lets one through (409 Conflict for the other);
- the leader renews every retry period; when no renewal succeeded for the renew deadline, it
  gives leadership up, before any standby may take over (lease duration > renew deadline);
- on shutdown the leader releases the lease (empty holder, leaseDurationSeconds 1, as client-go's
  ReleaseOnCancel does), so a standby takes over at its next retry instead of after a lease.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from steersman.errors import SteersmanError
from steersman.kube import KubeClient, KubeError

LEASES = "/apis/coordination.k8s.io/v1/namespaces/{namespace}/leases"
SERVICE_ACCOUNT_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
FALLBACK_NAMESPACE = "steersman-system"
log = logging.getLogger("steersman.leader")


def default_namespace(path: Path = SERVICE_ACCOUNT_NAMESPACE) -> str:
    """The pod's own namespace (from its service-account mount), else steersman-system."""
    try:
        found = path.read_text().strip()
    except OSError:
        return FALLBACK_NAMESPACE
    return found or FALLBACK_NAMESPACE


def new_identity() -> str:
    """hostname_<random>: unique even for two processes on one host (or one pod restarting)."""
    return f"{socket.gethostname()}_{secrets.token_hex(5)}"


def _micro_time(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaseError(SteersmanError):
    """The lease cannot be used at all (forbidden, or its namespace does not exist)."""


@dataclass(frozen=True)
class Timing:
    lease_duration: float
    renew_deadline: float
    retry_period: float


class LeaderElector:
    def __init__(
        self, kube: KubeClient, namespace: str, name: str, identity: str, timing: Timing
    ) -> None:
        self.kube = kube
        self.namespace, self.name, self.identity = namespace, name, identity
        self.timing = timing
        self.is_leader = False
        self._record: dict[str, Any] | None = None  # the lease as we last read or wrote it
        self._observed: tuple[Any, ...] = ()  # (holder, renewTime, transitions) last seen
        self._observed_at = 0.0  # our monotonic clock when _observed last changed

    @property
    def where(self) -> str:
        return f"{self.namespace}/{self.name}"

    def _path(self, name: str | None = None) -> str:
        base = LEASES.format(namespace=self.namespace)
        return f"{base}/{name}" if name else base

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Try every retry period until we hold the lease (True) or `stop` is set (False).
        LeaseError if the first try shows that no try can succeed (RBAC, namespace)."""
        holder = None
        first = True
        while not stop.is_set():
            if await self._attempt(self.timing.retry_period, strict=first):
                self.is_leader = True
                log.info("acquired the leader lease %s as %s", self.where, self.identity)
                return True
            if first:  # logged after the first try, so a failing start-up stays one line
                log.info("waiting to acquire the leader lease %s as %s", self.where, self.identity)
                first = False
            current = self._observed[0] if self._observed else None
            if current and current != holder:
                log.info("the leader is %s", current)
                holder = current
            await _wait(stop, self.timing.retry_period)
        return False

    async def hold(self, stop: asyncio.Event) -> bool:
        """Renew until `stop` is set (True) or the renew deadline passes without a successful
        renewal (False: leadership lost, stop reconciling now)."""
        last_renewed = time.monotonic()
        while not stop.is_set():
            await _wait(stop, self.timing.retry_period)
            if stop.is_set():
                break
            left = last_renewed + self.timing.renew_deadline - time.monotonic()
            if left > 0 and await self._attempt(left):
                last_renewed = time.monotonic()
                continue
            if time.monotonic() - last_renewed >= self.timing.renew_deadline:
                self.is_leader = False
                log.error(
                    "lost the leader lease %s: not renewed within %.0fs",
                    self.where,
                    self.timing.renew_deadline,
                )
                return False
        return True

    async def release(self) -> None:
        """Give the lease up (only if we still hold it), so a standby need not wait it out."""
        if not self.is_leader or self._record is None:
            return
        self.is_leader = False
        now = _micro_time(datetime.now(UTC))
        spec = dict(self._record.get("spec") or {})
        spec.update(holderIdentity="", leaseDurationSeconds=1, acquireTime=now, renewTime=now)
        try:
            async with asyncio.timeout(self.timing.retry_period):
                await self.kube.request(
                    "PUT", self._path(self.name), body={**self._record, "spec": spec}
                )
        except (KubeError, TimeoutError) as err:
            detail = err.message if isinstance(err, KubeError) else "timed out"
            log.warning("could not release the leader lease %s: %s", self.where, detail)
            return
        log.info("released the leader lease %s", self.where)

    # -- one try --------------------------------------------------------------------------

    async def _attempt(self, within: float, strict: bool = False) -> bool:
        try:
            async with asyncio.timeout(within):
                return await self._try_acquire_or_renew()
        except TimeoutError:
            log.warning("leader lease %s: the apiserver did not answer in time", self.where)
        except KubeError as err:
            if strict and err.status in (401, 403, 404):  # 404: from the create, no namespace
                raise LeaseError(
                    f"cannot use the leader lease {self.where}: {err.message}"
                ) from None
            if err.status != 409:  # a conflict is another candidate winning the race
                log.warning("leader lease %s: %s", self.where, err.message)
        return False

    async def _try_acquire_or_renew(self) -> bool:
        now = datetime.now(UTC)
        try:
            current = await self.kube.request("GET", self._path(self.name))
        except KubeError as err:
            if err.status != 404:
                raise
            self._record = await self.kube.request("POST", self._path(), body=self._new(now))
            self._observe(self._record)
            return True
        spec = current.get("spec") or {}
        self._observe(current)
        holder = spec.get("holderIdentity") or ""
        duration = float(spec.get("leaseDurationSeconds") or self.timing.lease_duration)
        held = holder and holder != self.identity
        if held and time.monotonic() < self._observed_at + duration:
            return False  # held, and renewed within its duration as far as we can tell
        ours = holder == self.identity
        transitions = int(spec.get("leaseTransitions") or 0)
        updated = {
            **spec,
            "holderIdentity": self.identity,
            "leaseDurationSeconds": round(self.timing.lease_duration),
            "renewTime": _micro_time(now),
            "acquireTime": spec.get("acquireTime") if ours else _micro_time(now),
            "leaseTransitions": transitions if ours else transitions + 1,
        }
        # resourceVersion travels in metadata: the PUT fails with 409 if anyone wrote since.
        body = {**current, "spec": updated}
        self._record = await self.kube.request("PUT", self._path(self.name), body=body)
        self._observe(self._record)
        return True

    def _new(self, now: datetime) -> dict[str, Any]:
        return {
            "apiVersion": "coordination.k8s.io/v1",
            "kind": "Lease",
            "metadata": {"name": self.name, "namespace": self.namespace},
            "spec": {
                "holderIdentity": self.identity,
                "leaseDurationSeconds": round(self.timing.lease_duration),
                "acquireTime": _micro_time(now),
                "renewTime": _micro_time(now),
                "leaseTransitions": 0,
            },
        }

    def _observe(self, lease: dict[str, Any]) -> None:
        spec = lease.get("spec") or {}
        seen = (spec.get("holderIdentity"), spec.get("renewTime"), spec.get("leaseTransitions"))
        if seen != self._observed:
            self._observed = seen
            self._observed_at = time.monotonic()


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        pass
