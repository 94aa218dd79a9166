"""Getting the chart a HelmRelease names: credentials from its secretRef, the fetch through the
identity-keyed on-disk cache, and the parsed chart kept in memory by digest (parsing a chart on
every interval would cost more CPU than everything else an idle operator does).

Waiting on a chart repository is not work: while a fetch waits on the network, the reconcile
gives its concurrency slot (`--concurrent`) back, so repositories that never answer cannot hold
every slot and starve healthy HelmReleases. The whole fetch is bounded by the HelmRelease's own
`spec.timeout`, each request by connect/read timeouts; transient failures (no connection,
429, 5xx) are retried with backoff (`--http-retry`) within that bound. Repository indexes are
cached for `--helm-index-cache-ttl`, except that a requested reconcile (the reconcile
annotation) revalidates them at once.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import contextvars
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp

from steersman.api import ChartSpec, HelmRelease, annotation_names
from steersman.chart import Chart, ChartError, load_archive
from steersman.chart.sources import (
    ChartCache,
    ChartRef,
    ChartSourceError,
    RepoAuth,
    RetryPolicy,
    apply_values_files,
    fetch_chart,
    last_transient,
    new_session,
    parse_oci_reference,
    redact,
    registry_credentials,
)
from steersman.errors import SteersmanError
from steersman.kube import KubeClient

PARSED_CHARTS_KEPT = 64
DOCKER_CONFIG_TYPE = "kubernetes.io/dockerconfigjson"
DOCKER_CONFIG_KEY = ".dockerconfigjson"


class ChartFetchError(SteersmanError):
    """The chart could not be fetched or loaded; the message is safe to show (no secrets)."""


class SlotLease:
    """One reconcile's hold on the `--concurrent` semaphore, which it may hand back while it
    waits on the network. `held` says whether it must still be released: a re-acquire that is
    cancelled (the HelmRelease was deleted meanwhile) leaves nothing to release."""

    def __init__(self, slots: asyncio.Semaphore) -> None:
        self._slots = slots
        self.held = False

    async def __aenter__(self) -> SlotLease:
        await self._slots.acquire()
        self.held = True
        return self

    async def __aexit__(self, *_: object) -> None:
        if self.held:
            self.held = False
            self._slots.release()

    @contextlib.asynccontextmanager
    async def handed_back(self) -> AsyncIterator[None]:
        if not self.held:
            yield
            return
        self.held = False
        self._slots.release()
        try:
            yield
        finally:
            await self._slots.acquire()
            self.held = True


_lease: contextvars.ContextVar[SlotLease | None] = contextvars.ContextVar(
    "steersman_slot_lease", default=None
)


@contextlib.contextmanager
def holding(lease: SlotLease) -> Iterator[None]:
    """Tasks created inside (the reconcile) hand `lease` back while they fetch charts."""
    token = _lease.set(lease)
    try:
        yield
    finally:
        _lease.reset(token)


@contextlib.asynccontextmanager
async def _waiting_on_network() -> AsyncIterator[None]:
    lease = _lease.get()
    if lease is None:
        yield
        return
    async with lease.handed_back():
        yield


class Charts:
    def __init__(
        self,
        cache_dir: Path,
        *,
        request_timeout: float = 60.0,
        index_ttl: float = 300.0,
        http_retry: int = 9,
    ) -> None:
        self.cache = ChartCache(cache_dir, max_bytes=512 << 20, index_ttl=index_ttl)
        self.request_timeout = request_timeout
        self.retry = RetryPolicy(retries=http_retry)
        self._parsed: OrderedDict[str, Chart] = OrderedDict()
        self._session: aiohttp.ClientSession | None = None
        self._lock = asyncio.Lock()

    async def _client(self) -> aiohttp.ClientSession:
        async with self._lock:
            if self._session is None or self._session.closed:
                self._session = new_session()
            return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(
        self,
        spec: ChartSpec,
        kube: KubeClient,
        namespace: str,
        *,
        within: float | None = None,
        within_text: str = "",
        refresh: bool = False,
    ) -> tuple[Chart, str]:
        """The chart (with `valuesFiles` applied) and the sha256 digest of its archive; the
        fetch takes at most `within` seconds (the HelmRelease's `spec.timeout`, shown as
        `within_text`). `refresh` revalidates a cached repository index at once."""
        auth = await _auth(spec, kube, namespace)
        ref = ChartRef(
            spec.repository,
            spec.name,
            "" if spec.version == "*" else spec.version,
            digest=spec.digest or "",
        )
        session = await self._client()
        request_timeout = min(self.request_timeout, within or self.request_timeout)
        last_transient.set("")
        try:
            async with _waiting_on_network(), asyncio.timeout(within):
                fetched = await fetch_chart(
                    ref,
                    cache=self.cache,
                    auth=auth,
                    session=session,
                    request_timeout=request_timeout,
                    retry=self.retry,
                    refresh_index=refresh,
                )
        except TimeoutError:
            limit = within_text or f"{within}s"
            retried = last_transient.get()
            raise ChartFetchError(
                f"failed to fetch chart {spec.name}: no complete answer from "
                f"{redact(spec.repository)} within the HelmRelease's timeout of {limit} "
                "(spec.timeout); the repository is unreachable, stalled or too slow"
                + (f"; retrying after: {retried}" if retried else "")
            ) from None
        except Exception as err:  # every ChartSourceError; their messages are redacted
            raise ChartFetchError(f"failed to fetch chart {spec.name}: {_safe(err)}") from None
        # The same archive with other valuesFiles is another chart: keyed by both.
        key = "\0".join([fetched.digest, str(spec.ignore_missing_values_files), *spec.values_files])
        chart = self._parsed.get(key)
        if chart is None:
            try:
                chart = await asyncio.to_thread(
                    _load, fetched.data, spec.values_files, spec.ignore_missing_values_files
                )
            except Exception as err:
                raise ChartFetchError(f"failed to load chart {spec.name}: {_safe(err)}") from None
            self._parsed[key] = chart
            while len(self._parsed) > PARSED_CHARTS_KEPT:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(key)
        return chart, fetched.digest


def _load(data: bytes, values_files: list[str], ignore_missing: bool) -> Chart:
    chart = load_archive(data)
    return apply_values_files(chart, values_files, ignore_missing=ignore_missing)


def reconcile_requested(hr: HelmRelease) -> bool:
    """An unhandled reconcile annotation: the user wants what the repository has now, so the
    cached index is revalidated (a chart pushed a moment ago must not stay "not found")."""
    token = annotation_names.unhandled_token(
        hr.annotations, annotation_names.RECONCILE, hr.status.last_handled_reconcile_at
    )
    return token is not None


def _safe(err: Exception) -> str:
    if isinstance(err, ChartSourceError | ChartError | ValueError):
        return str(err)
    return type(err).__name__


def _decode(data: dict[str, str], key: str) -> bytes | None:
    raw = data.get(key)
    return base64.b64decode(raw) if raw else None


async def _auth(spec: ChartSpec, kube: KubeClient, namespace: str) -> RepoAuth | None:
    if spec.secret_ref is None:
        return RepoAuth(plain_http=True) if spec.insecure else None
    secret = await kube.get_or_none("v1", "Secret", spec.secret_ref.name, namespace)
    if secret is None:
        raise ChartFetchError(
            f"chart secretRef Secret '{namespace}/{spec.secret_ref.name}' not found"
        )
    data: dict[str, str] = secret.get("data") or {}
    user, password = _decode(data, "username"), _decode(data, "password")
    username = user.decode() if user else ""
    secret_password = password.decode() if password else ""
    if secret.get("type") == DOCKER_CONFIG_TYPE or DOCKER_CONFIG_KEY in data:
        username, secret_password = _docker_credentials(spec, data, namespace)
    return RepoAuth(
        username=username,
        password=secret_password,
        ca_pem=_decode(data, "ca.crt"),
        cert_pem=_decode(data, "tls.crt"),
        key_pem=_decode(data, "tls.key"),
        plain_http=spec.insecure,
    )


def _docker_credentials(spec: ChartSpec, data: dict[str, str], namespace: str) -> tuple[str, str]:
    """Flux's HelmRepository secretRef of type dockerconfigjson: the registry's entry."""
    where = (
        f"chart secretRef Secret '{namespace}/{spec.secret_ref.name if spec.secret_ref else ''}'"
    )
    if not spec.repository.startswith("oci://"):
        raise ChartFetchError(
            f"{where} is a {DOCKER_CONFIG_TYPE} Secret, which is only for oci:// repositories"
        )
    raw = _decode(data, DOCKER_CONFIG_KEY)
    if raw is None:
        raise ChartFetchError(f"{where} has no {DOCKER_CONFIG_KEY} key")
    try:
        registry = parse_oci_reference(spec.repository, spec.name).registry
        return registry_credentials(raw, registry)
    except ChartSourceError as err:
        raise ChartFetchError(f"{where}: {err}") from None
