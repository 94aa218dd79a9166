"""A fleet of HelmReleases under fault: concurrent upgrades, waiting for recovery, and the
checks every fault must pass (all Ready, no `pending-*` record, no lost or duplicated revision,
helm v4 `list` and `history` read them, no secret marker in any status, Event or operator log
line)."""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg

from hack.operatorkit import wait_until
from steersman.api import API_VERSION, KIND
from steersman.kube import KubeClient
from tests.integration.storage.helmcli import Helm

FIGURES: list[str] = []  # printed in the terminal summary (tests/chaos/conftest.py)
RECOVERY_WITHIN = 90.0


def record(figure: str) -> None:
    print(figure)
    FIGURES.append(figure)


@dataclass
class Fleet:
    kube: KubeClient
    namespace: str
    repo: str
    size: int
    driver: str = "secret"
    dsn: str = ""  # the SQL storage (driver "sql")
    helm_binary: Path | None = None
    helm_env: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # the greeting each one must show

    @property
    def names(self) -> list[str]:
        return [f"r{i:02d}" for i in range(self.size)]

    def _spec(self) -> dict[str, Any]:
        return {
            "chart": {
                "repository": self.repo,
                "name": "demo",
                "version": "0.1.0",
                "insecure": True,  # the bench's OCI registry speaks plain HTTP
            },
            "interval": "5m",
            "timeout": "30s",
            "maxHistory": 0,  # keep every revision, so a lost one would show
            "values": {"greeting": "initial"},
        }

    async def create(self) -> None:
        self.tokens = dict.fromkeys(self.names, "initial")
        await asyncio.gather(
            *(
                self.kube.create(
                    {
                        "apiVersion": API_VERSION,
                        "kind": KIND,
                        "metadata": {"name": name},
                        "spec": self._spec(),
                    },
                    namespace=self.namespace,
                )
                for name in self.names
            )
        )

    async def upgrade_all(self, label: str) -> None:
        """A new greeting for every HelmRelease at once: `size` concurrent upgrades."""
        token = f"{label}-{secrets.token_hex(3)}"
        self.tokens = dict.fromkeys(self.names, token)
        patch = {"spec": {"values": {"greeting": token}}}
        await asyncio.gather(
            *(
                self.kube.merge_patch(API_VERSION, KIND, name, self.namespace, patch)
                for name in self.names
            )
        )

    async def upgrade_one(self, name: str, label: str) -> float:
        """Change one HelmRelease; seconds until it is Ready with the change."""
        token = f"{label}-{secrets.token_hex(3)}"
        patch = {"spec": {"values": {"greeting": token}}}
        await self.kube.merge_patch(API_VERSION, KIND, name, self.namespace, patch)
        self.tokens[name] = token
        started = time.monotonic()

        async def applied() -> bool:
            hr = await self.kube.get(API_VERSION, KIND, name, self.namespace)
            return _ready(hr) and _greeting(hr) == token

        await wait_until(applied, RECOVERY_WITHIN, f"{name} Ready with {token}", every=0.05)
        return time.monotonic() - started

    async def done(self) -> int:
        """How many HelmReleases are Ready for their current spec, with its change applied."""
        found = await self.kube.list(API_VERSION, KIND, self.namespace)
        return sum(
            _ready(hr) and _greeting(hr) == self.tokens.get(hr["metadata"]["name"]) for hr in found
        )

    async def wait_ready(self, within: float = RECOVERY_WITHIN) -> float:
        """Wait until every HelmRelease is Ready with the current values; seconds it took."""
        started = time.monotonic()

        async def all_ready() -> bool:
            try:
                return await self.done() == self.size
            except Exception:  # the apiserver may still be coming back
                return False

        # Polled 5 times a second: closer would take CPU from the operator on a 2-core bench.
        await wait_until(all_ready, within, f"all {self.size} HelmReleases Ready", every=0.2)
        return time.monotonic() - started

    async def wait_progress(self, at_least: int, within: float = 60) -> int:
        async def enough() -> int:
            n = await self.done()
            return n if n >= at_least else 0

        return await wait_until(enough, within, f"{at_least} upgrades done", every=0.02)

    async def wait_pending(self, within: float = 30) -> int:
        """Until some upgrade is under way (a `pending-*` record written); how many are."""

        async def pending() -> int:
            return sum(status.startswith("pending-") for _, _, status in await self._records())

        return await wait_until(pending, within, "an upgrade under way", every=0.02)

    # -- the checks after each fault --------------------------------------------------------

    async def check(
        self, markers: Sequence[str], logs: Sequence[str], every_history: bool = True
    ) -> int:
        """Every invariant; returns how many revisions are `failed` (interrupted, unlocked).

        helm v4 reads the storage: `helm list --all` (every release's newest record) and
        `helm history` of every release, or (`every_history=False`, between faults of one
        test) of those with a failed revision, the ones a fault hit."""
        revisions, failed = await self._check_records()
        await self._check_live()
        hit = [name for name in self.names if every_history or failed[name]]
        await self._check_helm(revisions, hit)
        await self._check_no_marker(markers, logs)
        return sum(failed.values())

    async def _records(self) -> list[tuple[str, int, str]]:
        if self.driver == "sql":
            conn = await asyncpg.connect(self.dsn)
            try:
                rows = await conn.fetch(
                    "SELECT name, version, status FROM releases_v1 WHERE namespace = $1",
                    self.namespace,
                )
            finally:
                await conn.close()
            return [(r["name"], int(r["version"]), str(r["status"])) for r in rows]
        found = await self.kube.list("v1", "Secret", self.namespace, label_selector="owner=helm")
        return [
            (
                o["metadata"]["labels"]["name"],
                int(o["metadata"]["labels"]["version"]),
                o["metadata"]["labels"]["status"],
            )
            for o in found
        ]

    async def _check_records(self) -> tuple[dict[str, list[int]], dict[str, int]]:
        by_name: dict[str, list[tuple[int, str]]] = defaultdict(list)
        for name, version, status in await self._records():
            by_name[name].append((version, status))
        assert sorted(by_name) == self.names
        revisions, failed = {}, {}
        for name, found in by_name.items():
            found.sort()
            versions = [v for v, _ in found]
            assert versions == list(range(1, len(versions) + 1)), f"{name}: lost/dup {found}"
            assert not [s for _, s in found if s.startswith("pending-")], f"{name}: {found}"
            deployed = [v for v, s in found if s == "deployed"]
            assert deployed == [versions[-1]], f"{name}: deployed is not the newest: {found}"
            revisions[name] = versions
            failed[name] = sum(s == "failed" for _, s in found)
        return revisions, failed

    async def _check_live(self) -> None:
        found = {
            hr["metadata"]["name"]: hr
            for hr in await self.kube.list(API_VERSION, KIND, self.namespace)
        }
        maps = await self.kube.list("v1", "ConfigMap", self.namespace)
        greetings = {cm["metadata"]["name"]: (cm.get("data") or {}).get("greeting") for cm in maps}
        for name in self.names:
            hr = found[name]
            assert _ready(hr), f"{name}: {hr.get('status')}"
            assert greetings.get(f"{name}-config") == self.tokens[name], name

    async def _check_helm(self, revisions: dict[str, list[int]], names: list[str]) -> None:
        assert self.helm_binary is not None
        helm = Helm.for_driver(
            self.helm_binary, self.helm_env, self.namespace, self.driver, self.dsn
        )
        newest = await helm.json("list", "--deployed", "--failed", "--pending")
        listed = {e["name"]: e for e in newest}
        assert sorted(listed) == self.names, listed
        for name, entry in listed.items():
            assert (entry["revision"], entry["status"]) == (str(revisions[name][-1]), "deployed")
        gate = asyncio.Semaphore(4)

        async def history(name: str) -> None:
            async with gate:
                entries = await helm.json("history", name)
            assert [e["revision"] for e in entries] == revisions[name], f"{name}: {entries}"
            assert entries[-1]["status"] == "deployed"

        await asyncio.gather(*(history(name) for name in names))

    async def _check_no_marker(self, markers: Sequence[str], logs: Sequence[str]) -> None:
        status = json.dumps(await self.kube.list(API_VERSION, KIND, self.namespace))
        events = json.dumps(await self.kube.list("v1", "Event", self.namespace))
        for marker in markers:
            for where, text in (
                ("status", status),
                ("events", events),
                *(("log", t) for t in logs),
            ):
                assert marker not in text, f"a secret marker leaked into the {where}"


def _ready(hr: dict[str, Any]) -> bool:
    generation = hr["metadata"].get("generation")
    for c in (hr.get("status") or {}).get("conditions") or []:
        if c["type"] == "Ready":
            return bool(c["status"] == "True" and c.get("observedGeneration") == generation)
    return False


def _greeting(hr: dict[str, Any]) -> str:
    return str(((hr.get("spec") or {}).get("values") or {}).get("greeting", ""))
