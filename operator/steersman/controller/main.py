"""`steersman run`: start-up checks, then kopf, then a clean shutdown.

Order: kube client, metrics/health endpoints (not ready yet), the SQL startup probe when the
default driver is sql (failure: sanitised message, exit 1, no handler ever runs), then kopf
(standalone, no peering) with our handlers. `/readyz` turns ready once kopf is up. On stop
(SIGTERM/SIGINT, or `stop` for embedding), kopf finishes, then SQL pools, the chart HTTP session
and the kube client are closed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kopf

from steersman.api import API_VERSION, KIND
from steersman.controller.charts import Charts
from steersman.controller.context import Backends, Context
from steersman.controller.handlers import FINALIZER, Controller, register
from steersman.controller.http import Endpoints
from steersman.controller.kopf_storage import BoundedProgressStorage, DigestDiffBaseStorage
from steersman.controller.metrics import Metrics
from steersman.controller.settings import Settings
from steersman.engine.render import Renderer, default_renderer
from steersman.kube import KubeClient, KubeError, UnknownKind
from steersman.storage import DriverKind, StorageError

log = logging.getLogger("steersman.operator")
PROBE_TIMEOUT = 10.0
CRD_POLL_SECONDS = 2.0
DAEMON_EXIT_POLL_SECONDS = 1.0
ANNOTATION_PREFIX = "helm.steersman.dev"


def kopf_settings(settings: Settings) -> kopf.OperatorSettings:
    ks = kopf.OperatorSettings()
    ks.persistence.finalizer = FINALIZER
    # Small, fixed-size bookkeeping: a spec near the object size limit must stay deletable.
    ks.persistence.progress_storage = BoundedProgressStorage(prefix=ANNOTATION_PREFIX)
    ks.persistence.diffbase_storage = DigestDiffBaseStorage(prefix=ANNOTATION_PREFIX)
    ks.posting.enabled = True  # our explicit events; log lines are not posted (loggers=False)
    ks.posting.loggers = False
    ks.scanning.disabled = True  # no CRD/namespace discovery: less RBAC, fixed namespaces
    ks.watching.server_timeout = 300
    ks.watching.client_timeout = 330
    # After an apiserver outage the watch must resume within seconds: kopf's default backoffs
    # (1, 1, 2, 3, 5, 8, 13, 21) left up to 13 s between the last failed attempt and the next.
    # Retry every 2 s for about a minute before a request is given up (a watch then reconnects).
    ks.watching.connect_timeout = 5.0
    ks.watching.reconnect_backoff = 0.5
    ks.networking.connect_timeout = 5.0
    ks.networking.request_timeout = 60.0
    ks.networking.error_backoffs = (0.5, 1.0, *([2.0] * 30))
    ks.queueing.worker_limit = None
    ks.execution.max_workers = 2
    # A daemon still busy when its HelmRelease is deleted (a reconcile in flight) is re-checked at
    # this pace; kopf's default of 60 s would hold the finalizer, and the uninstall, that long.
    ks.background.cancellation_polling = DAEMON_EXIT_POLL_SECONDS
    ks.background.instant_exit_timeout = DAEMON_EXIT_POLL_SECONDS
    return ks


def _login(api_config: Any) -> Any:
    """kopf logs in with what our kube client already loaded (kubeconfig or in-cluster)."""

    async def login(**_: Any) -> kopf.ConnectionInfo:
        found: Any = api_config.get_api_key_with_prefix("BearerToken")
        if asyncio.iscoroutine(found):
            found = await found
        scheme, space, token = str(found or "").partition(" ")
        if not space:  # a bare token
            scheme, token = "Bearer", scheme
        return kopf.ConnectionInfo(
            server=api_config.host,
            ca_path=api_config.ssl_ca_cert,
            insecure=not api_config.verify_ssl,
            scheme=scheme or None,
            token=token or None,
            certificate_path=api_config.cert_file,
            private_key_path=api_config.key_file,
        )

    return login


async def run(
    settings: Settings,
    *,
    environ: Mapping[str, str] | None = None,
    stop: asyncio.Event | None = None,
    renderer: Renderer = default_renderer,
    cache_dir: Path | None = None,
) -> int:
    """Run the operator until stopped; the exit code."""
    env = os.environ if environ is None else environ
    kube = await KubeClient.from_kubeconfig(settings.kubeconfig)
    metrics = Metrics()
    endpoints = Endpoints(metrics)
    backends = Backends(kube.api, metrics, settings.sql_connection_string_file, env)
    metrics.watch_sql_pools(backends.sql_pool_stats)
    charts = Charts(cache_dir or Path(tempfile.gettempdir()) / "steersman-charts")
    try:
        await endpoints.start(settings.metrics_addr, settings.health_addr)
        try:
            default = backends.get(settings.helm_storage_driver)
            if settings.helm_storage_driver is DriverKind.SQL:
                await default.probe(PROBE_TIMEOUT)
        except StorageError as err:  # sanitised by the storage layer
            log.error("storage startup check failed: %s", err)
            return 1
        if not await _wait_for_crd(kube, stop):
            return 0
        ctx = Context(kube, settings, backends, charts, metrics, renderer)
        registry = kopf.OperatorRegistry()
        kopf.on.login(registry=registry)(_login(kube.api.configuration))
        register(registry, Controller(ctx))
        ready = asyncio.Event()
        watcher = asyncio.create_task(_mark_ready(ready, endpoints))
        log.info(
            "starting: storage driver %s, %s, concurrency %d",
            settings.helm_storage_driver,
            "all namespaces"
            if settings.all_namespaces
            else "namespaces " + ",".join(settings.namespaces),
            settings.concurrent,
        )
        try:
            await kopf.operator(
                registry=registry,
                settings=kopf_settings(settings),
                standalone=True,
                clusterwide=settings.all_namespaces,
                namespaces=list(settings.namespaces),
                stop_flag=stop,
                ready_flag=ready,
            )
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        return 0
    finally:
        endpoints.health.ready = False
        await endpoints.stop()
        await backends.close()
        await charts.close()
        await kube.close()
        log.info("stopped")


async def _wait_for_crd(kube: KubeClient, stop: asyncio.Event | None) -> bool:
    """kopf resolves its resources once (no CRD scanning, which would need more RBAC), so
    start only when the apiserver serves HelmReleases. False if stopped while waiting."""
    warned = False
    while stop is None or not stop.is_set():
        kube.discovery.invalidate(API_VERSION)
        try:
            await kube.resource(API_VERSION, KIND)
            return True
        except UnknownKind:
            if not warned:
                log.warning("waiting for the HelmRelease CRD (%s) to be installed", API_VERSION)
                warned = True
        except KubeError as err:
            log.warning("kube-apiserver not reachable yet: %s", err.message)
        await asyncio.sleep(CRD_POLL_SECONDS)
    return False


async def _mark_ready(ready: asyncio.Event, endpoints: Endpoints) -> None:
    await ready.wait()
    endpoints.health.ready = True
    endpoints.health.reason = "ok"
    log.info("operator is ready")
