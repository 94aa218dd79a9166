"""The operator's HTTP endpoints: `/metrics` on --metrics-addr, `/healthz` and `/readyz` on
--health-addr. Served by aiohttp on the operator's event loop.

`/healthz` answers as long as the event loop does (a stuck loop fails the liveness probe);
`/readyz` answers 200 once startup (storage probe, CRD check, handlers) is complete.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aiohttp import web

from steersman.controller.metrics import CONTENT_TYPE, Metrics


@dataclass
class Health:
    ready: bool = False
    reason: str = "starting"


def _split(addr: str) -> tuple[str, int]:
    host, _, port = addr.rpartition(":")
    return host or "0.0.0.0", int(port)


@dataclass
class Endpoints:
    metrics: Metrics
    health: Health = field(default_factory=Health)
    _runners: list[web.AppRunner] = field(default_factory=list)

    async def _metrics(self, _: web.Request) -> web.Response:
        return web.Response(body=self.metrics.exposition(), headers={"Content-Type": CONTENT_TYPE})

    async def _healthz(self, _: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def _readyz(self, _: web.Request) -> web.Response:
        if self.health.ready:
            return web.Response(text="ok")
        return web.Response(status=503, text=self.health.reason)

    async def start(self, metrics_addr: str, health_addr: str) -> list[tuple[str, int]]:
        """Start the servers (an address of "0" or "" disables one); returns bound addresses."""
        apps: list[tuple[str, web.Application]] = []
        if metrics_addr not in ("", "0"):
            app = web.Application()
            app.router.add_get("/metrics", self._metrics)
            apps.append((metrics_addr, app))
        if health_addr not in ("", "0"):
            app = web.Application()
            app.router.add_get("/healthz", self._healthz)
            app.router.add_get("/readyz", self._readyz)
            apps.append((health_addr, app))
        bound: list[tuple[str, int]] = []
        for addr, app in apps:
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            host, port = _split(addr)
            site = web.TCPSite(runner, host, port)
            await site.start()
            self._runners.append(runner)
            server = site._server
            sockets = getattr(server, "sockets", None) or []
            bound.extend((str(s.getsockname()[0]), int(s.getsockname()[1])) for s in sockets[:1])
        return bound

    async def stop(self) -> None:
        for runner in self._runners:
            await runner.cleanup()
        self._runners.clear()
