"""Run the real helm CLI (an oracle in tests and benchmarks) without blocking the event loop."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HelmFailed(AssertionError):
    pass


@dataclass
class Helm:
    binary: Path
    env: dict[str, str]
    namespace: str

    @classmethod
    def for_driver(
        cls, binary: Path, base_env: dict[str, str], namespace: str, kind: str, dsn: str = ""
    ) -> Helm:
        env = dict(base_env)
        env["HELM_DRIVER"] = kind
        if kind == "sql":
            # lib/pq defaults to sslmode=require; the bench server has no TLS.
            sep = "&" if "?" in dsn else "?"
            env["HELM_DRIVER_SQL_CONNECTION_STRING"] = f"{dsn}{sep}sslmode=disable"
        return cls(binary, env, namespace)

    async def run(self, *args: str, check: bool = True) -> tuple[int, str, str]:
        proc = await asyncio.create_subprocess_exec(
            str(self.binary), *args, "--namespace", self.namespace,
            env=self.env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        out, err = await proc.communicate()
        code = proc.returncode or 0
        if check and code != 0:
            raise HelmFailed(f"helm {' '.join(args)} exited {code}:\n{err.decode()}")
        return code, out.decode(), err.decode()

    async def json(self, *args: str) -> Any:
        _, out, _ = await self.run(*args, "-o", "json")
        return json.loads(out)

    async def text(self, *args: str) -> str:
        return (await self.run(*args))[1]


def normalise(doc: dict[str, Any]) -> dict[str, Any]:
    """Drop what differs only in spelling between helm v3 and our (v4-shaped) output:
    v3 writes zero times as "" where we omit them."""
    doc = json.loads(json.dumps(doc))
    for key in ("first_deployed", "last_deployed", "deleted"):
        if doc["info"].get(key) == "":
            del doc["info"][key]
    for hook in doc.get("hooks") or []:
        for key in ("started_at", "completed_at"):
            if hook["last_run"].get(key) == "":
                del hook["last_run"][key]
    return doc
