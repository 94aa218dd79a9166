"""Getting the chart a HelmRelease names: credentials from its secretRef, the fetch through the
digest-keyed on-disk cache, and the parsed chart kept in memory by digest (parsing a chart on
every interval would cost more CPU than everything else an idle operator does)."""

from __future__ import annotations

import asyncio
import base64
from collections import OrderedDict
from pathlib import Path

import aiohttp

from steersman.api.spec import ChartSpec
from steersman.chart.loader import load_archive
from steersman.chart.model import Chart, ChartError
from steersman.chart.sources import (
    ChartCache,
    ChartRef,
    ChartSourceError,
    RepoAuth,
    fetch_chart,
)
from steersman.chart.sources.transport import new_session
from steersman.kube import KubeClient

PARSED_CHARTS_KEPT = 64


class ChartFetchError(Exception):
    """The chart could not be fetched or loaded; the message is safe to show (no secrets)."""


class Charts:
    def __init__(self, cache_dir: Path, *, request_timeout: float = 60.0) -> None:
        self.cache = ChartCache(cache_dir, max_bytes=512 << 20)
        self.request_timeout = request_timeout
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

    async def get(self, spec: ChartSpec, kube: KubeClient, namespace: str) -> tuple[Chart, str]:
        """The chart and the sha256 digest of its archive."""
        auth = await _auth(spec, kube, namespace)
        ref = ChartRef(spec.repository, spec.name, "" if spec.version == "*" else spec.version)
        try:
            fetched = await fetch_chart(
                ref,
                cache=self.cache,
                auth=auth,
                session=await self._client(),
                request_timeout=self.request_timeout,
            )
        except Exception as err:  # every ChartSourceError; their messages are redacted
            raise ChartFetchError(f"failed to fetch chart {spec.name}: {_safe(err)}") from None
        chart = self._parsed.get(fetched.digest)
        if chart is None:
            try:
                chart = await asyncio.to_thread(load_archive, fetched.data)
            except Exception as err:
                raise ChartFetchError(f"failed to load chart {spec.name}: {_safe(err)}") from None
            self._parsed[fetched.digest] = chart
            while len(self._parsed) > PARSED_CHARTS_KEPT:
                self._parsed.popitem(last=False)
        else:
            self._parsed.move_to_end(fetched.digest)
        return chart, fetched.digest


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
    return RepoAuth(
        username=user.decode() if user else "",
        password=password.decode() if password else "",
        ca_pem=_decode(data, "ca.crt"),
        cert_pem=_decode(data, "tls.crt"),
        key_pem=_decode(data, "tls.key"),
        plain_http=spec.insecure,
    )
