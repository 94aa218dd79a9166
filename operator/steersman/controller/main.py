"""`steersman run`: start-up checks, then kopf, then a clean shutdown.

Order (README "Start-up order"): flags (cli.py, exit 2), the metrics and health ports, the SQL
probe when the default driver is sql, the cluster (credentials, then the apiserver answering,
then a wait for the HelmRelease CRD), leader election when enabled, then kopf (standalone, no
peering) with our handlers. A failed check raises `StartupError`: one line saying what is wrong
and what to do, exit code 1, before any handler runs.

`/readyz` turns ready once kopf is up, or, with `--leader-elect`, once the checks passed (a
standby is ready, only idle). On SIGTERM/SIGINT (or `stop` when embedded) running reconciles get
`--graceful-shutdown-timeout` to finish, then kopf stops, the lease is released, and SQL pools,
the chart HTTP session and the kube client are closed. A leader that cannot renew its lease
cancels its reconciles at once and exits 1 (its pod restarts as a standby).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import kopf

from steersman.api import API_VERSION, GROUP, KIND, PLURAL
from steersman.controller.charts import Charts
from steersman.controller.config_watch import ConfigWatch
from steersman.controller.context import Backends, Context
from steersman.controller.handlers import FINALIZER, Controller, register
from steersman.controller.http import Endpoints
from steersman.controller.kopf_storage import BoundedProgressStorage, DigestDiffBaseStorage
from steersman.controller.leader import (
    LeaderElector,
    LeaseError,
    Timing,
    default_namespace,
    new_identity,
)
from steersman.controller.metrics import Metrics
from steersman.controller.settings import Settings
from steersman.engine import Renderer, default_renderer
from steersman.errors import SteersmanError
from steersman.kube import KubeClient, KubeError, UnknownKind
from steersman.storage import DriverKind, RecordCodec, StorageError, load_codec, load_sql_dsn
from steersman.storage.sql import probe as probe_sql

log = logging.getLogger("steersman.operator")
PROBE_TIMEOUT = 10.0
CRD_POLL_SECONDS = 2.0
DAEMON_EXIT_POLL_SECONDS = 1.0
ANNOTATION_PREFIX = "helm.steersman.dev"
EXIT_MARGIN_SECONDS = 60.0


class StartupError(SteersmanError):
    """A start-up check failed. The message is one line: what is wrong and what to do."""


def kopf_settings(settings: Settings) -> kopf.OperatorSettings:
    ks = kopf.OperatorSettings()
    ks.persistence.finalizer = FINALIZER
    # Small, fixed-size bookkeeping: a spec near the object size limit must stay deletable.
    ks.persistence.progress_storage = BoundedProgressStorage(prefix=ANNOTATION_PREFIX)
    ks.persistence.diffbase_storage = DigestDiffBaseStorage(prefix=ANNOTATION_PREFIX)
    # We post our own Events (controller/events.py: from "steersman", annotated with the
    # release); kopf posts none, not even its log lines.
    ks.posting.enabled = False
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
    # Sharding: the apiserver filters the watch, so a shard never receives others' objects.
    if settings.watch_label_selector:
        ks.watching.label_selectors[GROUP, PLURAL] = settings.watch_label_selector
    # kopf's last resort (SIGKILL) must not cut the graceful shutdown short.
    ks.process.ultimate_exiting_timeout = settings.graceful_shutdown_timeout + EXIT_MARGIN_SECONDS
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
    """Run the operator until stopped; the exit code. Raises StartupError."""
    env = os.environ if environ is None else environ
    own_signals = stop is None and threading.current_thread() is threading.main_thread()
    stop = stop or asyncio.Event()
    if own_signals:
        _catch_signals(stop)
    metrics = Metrics()
    endpoints = Endpoints(metrics)
    kube: KubeClient | None = None
    backends: Backends | None = None
    charts = Charts(
        cache_dir or Path(tempfile.gettempdir()) / "steersman-charts",
        index_ttl=settings.helm_index_cache_ttl,
        http_retry=settings.http_retry,
    )
    try:
        await _listen(endpoints, "--metrics-addr", settings.metrics_addr, "0")
        await _listen(endpoints, "--health-addr", "0", settings.health_addr)
        if settings.helm_storage_driver is DriverKind.SQL:
            await _probe_database(settings, env)
        kube = await _connect(settings)
        backends = Backends(kube.api, metrics, settings.sql_connection_string_file, env)
        backends.codec = await _record_codec(settings, kube)
        metrics.watch_sql_pools(backends.sql_pool_stats)
        if not await _wait_for_crd(kube, stop):
            return 0
        ctx = Context(kube, settings, backends, charts, metrics, renderer)
        controller = Controller(ctx)
        registry = kopf.OperatorRegistry()
        kopf.on.login(registry=registry)(_login(kube.api.configuration))
        register(registry, controller)
        elector = _elector(kube, settings)
        if elector is not None:
            _mark(endpoints, "standby")  # ready: a standby must not be restarted for idling
            try:
                acquired = await elector.acquire(stop)
            except LeaseError as err:
                raise StartupError(
                    f"{_one_line(str(err))}; the operator needs get, create and update on "
                    f"leases in namespace {elector.namespace} (or set --leader-election-namespace)"
                ) from None
            if not acquired:
                return 0
        log.info(
            "starting: storage driver %s, %s, concurrency %d",
            settings.helm_storage_driver,
            "all namespaces"
            if settings.all_namespaces
            else "namespaces " + ",".join(settings.namespaces),
            settings.concurrent,
        )
        try:
            return await _operate(
                settings, registry, controller, elector, endpoints, stop, own_signals
            )
        finally:
            await ctx.remotes.close()
            log.info("stopped")
    finally:
        if own_signals:
            _release_signals()
        endpoints.health.ready = False
        await endpoints.stop()
        if backends is not None:
            await backends.close()
        await charts.close()
        if kube is not None:
            await kube.close()


def _watch_configs(settings: Settings, controller: Controller) -> asyncio.Task[None] | None:
    """The watch of labelled valuesFrom ConfigMaps/Secrets (none when turned off)."""
    if not settings.watch_configs_label_selectors:
        return None
    watch = ConfigWatch(
        controller.ctx.kube,
        settings.namespaces,
        settings.watch_configs_label_selectors,
        controller.on_config_changed,
    )
    return asyncio.create_task(watch.run())


async def _operate(
    settings: Settings,
    registry: kopf.OperatorRegistry,
    controller: Controller,
    elector: LeaderElector | None,
    endpoints: Endpoints,
    stop: asyncio.Event,
    own_signals: bool,
) -> int:
    """kopf until `stop` (or lost leadership); then drain, stop kopf, release the lease."""
    kopf_stop, ready, renewing = asyncio.Event(), asyncio.Event(), asyncio.Event()
    watcher = asyncio.create_task(_mark_ready(ready, endpoints, stop if own_signals else None))
    operator = asyncio.create_task(
        kopf.operator(
            registry=registry,
            settings=kopf_settings(settings),
            standalone=True,
            clusterwide=settings.all_namespaces,
            namespaces=list(settings.namespaces),
            stop_flag=kopf_stop,
            ready_flag=ready,
        )
    )
    stopping = asyncio.create_task(stop.wait())
    holder = asyncio.create_task(elector.hold(renewing)) if elector else None
    configs = _watch_configs(settings, controller)
    lost = False
    try:
        await asyncio.wait(
            [t for t in (operator, stopping, holder) if t is not None],
            return_when=asyncio.FIRST_COMPLETED,
        )
        lost = holder is not None and holder.done() and not holder.result()
        grace = 0.0 if lost else settings.graceful_shutdown_timeout
        drain = asyncio.create_task(controller.drain(grace))
        if holder is not None and not holder.done():
            await asyncio.wait([drain, holder], return_when=asyncio.FIRST_COMPLETED)
            if holder.done() and not holder.result():  # lost while draining: stop now
                lost = True
                await controller.drain(0)
        await drain
    finally:
        if configs is not None:
            configs.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await configs
        renewing.set()
        await controller.events.flush()
        if holder is not None:
            await holder
        kopf_stop.set()
        stopping.cancel()
        try:
            await operator
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            if elector is not None and not lost:
                await elector.release()
    if lost:
        log.error("exiting: leadership lost (a restarted operator rejoins as a standby)")
        return 1
    return 0


def _elector(kube: KubeClient, settings: Settings) -> LeaderElector | None:
    if not settings.leader_elect:
        return None
    timing = Timing(
        lease_duration=settings.leader_election_lease_duration,
        renew_deadline=settings.leader_election_renew_deadline,
        retry_period=settings.leader_election_retry_period,
    )
    namespace = settings.leader_election_namespace or default_namespace()
    return LeaderElector(kube, namespace, settings.leader_election_id, new_identity(), timing)


# -- start-up checks ------------------------------------------------------------------------


async def _listen(endpoints: Endpoints, flag: str, metrics_addr: str, health_addr: str) -> None:
    try:
        await endpoints.start(metrics_addr, health_addr)
    except OSError as err:
        addr = metrics_addr if flag == "--metrics-addr" else health_addr
        why = err.strerror or str(err)
        raise StartupError(
            f"{flag} {addr}: cannot listen ({why}); pick a free port, or 0 to disable it"
        ) from None


async def _probe_database(settings: Settings, env: Mapping[str, str]) -> None:
    try:
        await probe_sql(load_sql_dsn(settings.sql_connection_string_file, env), PROBE_TIMEOUT)
    except StorageError as err:  # sanitised by the storage layer: no DSN or password in it
        raise StartupError(
            f"storage startup check failed: {_one_line(str(err))}; check the DSN "
            "(--sql-connection-string-file or HELM_DRIVER_SQL_CONNECTION_STRING) and that "
            "PostgreSQL is reachable"
        ) from None


async def _record_codec(settings: Settings, kube: KubeClient) -> RecordCodec:
    """The release record keys, read once: a bad or missing key stops the start, in one line."""
    try:
        return await load_codec(
            seal_writes=settings.encrypt_release_records,
            keys_file=settings.release_record_keys,
            keys_secret=settings.release_record_keys_secret,
            kube=kube,
        )
    except StorageError as err:  # names the file or Secret and the line, never a key
        raise StartupError(_one_line(str(err))) from None


async def _connect(settings: Settings) -> KubeClient:
    """Cluster credentials, then one request the apiserver only answers to those credentials."""
    todo = "pass --kubeconfig FILE or set KUBECONFIG, or run in a pod with a service account"
    if settings.kubeconfig is None and not _any_credentials(os.environ):
        raise StartupError(f"no cluster credentials (no kubeconfig, not in a pod); {todo}")
    quiet = logging.getLogger("kubernetes_asyncio.config")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # its warnings repeat what the StartupError says
    try:
        kube = await KubeClient.from_kubeconfig(settings.kubeconfig)
    except Exception as err:  # kubernetes_asyncio's config errors have no common base
        reason = _one_line(str(err)) or type(err).__name__
        raise StartupError(f"no usable cluster credentials: {reason}; {todo}") from None
    finally:
        quiet.setLevel(level)
    server = kube.api.configuration.host
    try:
        async with asyncio.timeout(PROBE_TIMEOUT):
            await kube.request("GET", "/api")
    except TimeoutError:
        await kube.close()
        raise StartupError(
            f"the kube-apiserver at {server} did not answer within {PROBE_TIMEOUT:.0f}s; "
            "check the server in the kubeconfig and that the cluster is reachable"
        ) from None
    except KubeError as err:
        await kube.close()
        if err.status in (401, 403):
            raise StartupError(
                f"the kube-apiserver at {server} refused our credentials ({err.status}): "
                f"{_one_line(err.message)}; check the kubeconfig's user or the pod's token"
            ) from None
        raise StartupError(
            f"cannot reach the kube-apiserver at {server}: {_one_line(err.message)}; "
            "check the server in the kubeconfig and that the cluster is reachable"
        ) from None
    return kube


def _any_credentials(env: Mapping[str, str]) -> bool:
    """In a pod, or some kubeconfig file exists (what the client would try)."""
    if env.get("KUBERNETES_SERVICE_HOST"):
        return True
    paths = [p for p in env.get("KUBECONFIG", "").split(os.pathsep) if p]
    paths = paths or [str(Path("~/.kube/config").expanduser())]
    return any(Path(p).is_file() for p in paths)


def _one_line(text: str) -> str:
    return " ".join(text.split())


# -- signals --------------------------------------------------------------------------------

_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def _catch_signals(stop: asyncio.Event) -> None:
    """SIGTERM/SIGINT set `stop`: we, not kopf, decide how to stop (drain first)."""
    loop = asyncio.get_running_loop()
    for sig in _SIGNALS:
        loop.add_signal_handler(sig, stop.set)


def _release_signals() -> None:
    loop = asyncio.get_running_loop()
    for sig in _SIGNALS:
        loop.remove_signal_handler(sig)


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


async def _mark_ready(
    ready: asyncio.Event, endpoints: Endpoints, signals_stop: asyncio.Event | None
) -> None:
    await ready.wait()
    # kopf installed its own SIGTERM/SIGINT handlers while starting (they would stop it at once,
    # skipping the drain); ours go back in place.
    if signals_stop is not None:
        _catch_signals(signals_stop)
    _mark(endpoints, "ok")
    log.info("operator is ready")


def _mark(endpoints: Endpoints, reason: str) -> None:
    endpoints.health.ready = True
    endpoints.health.reason = reason
