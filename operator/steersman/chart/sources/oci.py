"""OCI registries (`oci://host[:port]/path/name`) over the distribution HTTP API v2, with Helm's
rules for references, tags (`+` stored as `_`) and version resolution."""

from __future__ import annotations

import json
import re
import ssl
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import aiohttp
from multidict import CIMultiDict

from .cache import ChartCache, normalize_digest, sha256_digest
from .errors import (
    AuthFailed,
    ChartNotFound,
    ChartSourceError,
    DigestMismatch,
    InvalidReference,
    SourceUnavailable,
)
from .goerrors import MAX_ERROR_BODY, decode_error, registry_status_error
from .model import ChartRef, CredentialSource, FetchedChart, RegistryCredential, RepoAuth
from .oci_auth import RegistryAuthenticator, error_response
from .proxy import proxy_for
from .transport import (
    MAX_ARCHIVE_BYTES,
    MAX_MANIFEST_BYTES,
    NO_RETRIES,
    RetryPolicy,
    check_status,
    network_errors,
    read_limited,
    redact,
    retrying,
    same_origin,
)
from .versions import (
    DEVEL_CONSTRAINT,
    describe_available,
    is_exact_version,
    pick_version,
    sort_newest_first,
)

MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json"
CONFIG_MEDIA_TYPE = "application/vnd.cncf.helm.config.v1+json"
CHART_LAYER_MEDIA_TYPE = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
LEGACY_CHART_LAYER_MEDIA_TYPE = "application/tar+gzip"
PROV_LAYER_MEDIA_TYPE = "application/vnd.cncf.helm.chart.provenance.v1.prov"

_REPO_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_REPOSITORY = re.compile(rf"{_REPO_COMPONENT}(?:/{_REPO_COMPONENT})*")
_REGISTRY = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9A-Fa-f:.]+\](?::[0-9]+)?")
_TAG = re.compile(r"[\w][\w.-]{0,127}")
_LINK_NEXT = re.compile(r'<([^>]+)>\s*;\s*rel="?next"?')
_MAX_TAG_PAGES = 1000


@dataclass(frozen=True)
class OciReference:
    registry: str  # host[:port]
    repository: str  # path/name
    tag: str  # as written, "" when absent
    digest: str  # "sha256:<hex>" or ""

    def __str__(self) -> str:
        text = f"oci://{self.registry}/{self.repository}"
        if self.tag:
            text += f":{self.tag}"
        return text + (f"@{self.digest}" if self.digest else "")


def parse_oci_reference(url: str, name: str = "") -> OciReference:
    if not url.startswith("oci://"):
        raise InvalidReference(f"not an OCI reference: {url!r}")
    raw = url.removeprefix("oci://")
    if name:
        raw = raw.rstrip("/") + "/" + name
    digest = ""
    if "@" in raw:
        raw, _, digest = raw.rpartition("@")
        digest = _digest_or_invalid(digest, url)
    tag = ""
    head, sep, last = raw.rpartition(":")
    if sep and "/" not in last:
        raw, tag = head, last
    registry, _, repository = raw.partition("/")
    if not _REGISTRY.fullmatch(registry) or not _REPOSITORY.fullmatch(repository):
        raise InvalidReference(f"invalid OCI reference {url!r}")
    if tag and not _TAG.fullmatch(tag.replace("+", "_")):
        raise InvalidReference(f"invalid tag {tag!r} in OCI reference {url!r}")
    return OciReference(registry, repository, tag, digest)


def _digest_or_invalid(text: str, where: str) -> str:
    try:
        return normalize_digest(text) if text.startswith("sha256:") else _bad_digest(text, where)
    except ValueError:
        return _bad_digest(text, where)


def _bad_digest(text: str, where: str) -> str:
    raise InvalidReference(f"invalid or unsupported digest {text!r} in {where!r} (sha256 only)")


@dataclass(frozen=True)
class _Response:
    status: int
    headers: CIMultiDict[str]
    body: bytes
    url: str


class RegistryClient:
    """The few distribution API v2 calls a chart pull needs, for one registry."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        registry: str,
        *,
        auth: RepoAuth | None,
        ssl_ctx: ssl.SSLContext | bool,
        timeout: aiohttp.ClientTimeout,
        retry: RetryPolicy = NO_RETRIES,
    ) -> None:
        plain = bool(auth and auth.plain_http)
        self.registry = registry
        self.base = f"{'http' if plain else 'https'}://{registry}"
        self._session = session
        self._ssl = ssl_ctx
        self._timeout = timeout
        self._retry = retry
        self._auth = RegistryAuthenticator(
            session,
            registry,
            credentials=_credential_source(auth),
            ssl_ctx=ssl_ctx,
            timeout=timeout,
            allow_http_realm=plain,
            retry=retry,
        )

    async def _request(
        self,
        method: str,
        path_or_url: str,
        *,
        scope: str,
        what: str,
        limit: int,
        accept: str | None = None,
        allow_404: bool = False,
    ) -> _Response:
        url = path_or_url if "://" in path_or_url else self.base + path_or_url
        for _attempt in range(3):  # first try, after a challenge, after a token (then fail)
            headers = self._auth.header_for(scope)
            if accept:
                headers["Accept"] = accept

            async def attempt(headers: dict[str, str] = headers) -> _Response:
                async with (
                    network_errors(what, url, self._timeout, method=method),
                    self._session.request(
                        method,
                        url,
                        headers=headers,
                        ssl=self._ssl,
                        timeout=self._timeout,
                        proxy=proxy_for(url),
                    ) as resp,
                ):
                    if resp.status == 401:
                        body = await read_limited(resp, MAX_MANIFEST_BYTES, what)
                        return _Response(401, CIMultiDict(resp.headers), body, url)
                    if resp.status >= 400:
                        body = b"" if method == "HEAD" else await resp.content.read(MAX_ERROR_BODY)
                        if resp.status == 404 and allow_404:
                            return _Response(404, CIMultiDict(resp.headers), body, url)
                        try:
                            check_status(resp, what, url)
                        except ChartSourceError as exc:
                            exc.helm = registry_status_error(method, url, resp.status, body)
                            raise
                    body = b"" if method == "HEAD" else await read_limited(resp, limit, what)
                    return _Response(resp.status, CIMultiDict(resp.headers), body, url)

            resp = await retrying(self._retry, attempt)
            if resp.status != 401:
                return resp
            # oras-go answers one challenge; a 401 after that is the registry's refusal
            request = f'{method} "{url}"'
            challenge = resp.headers.get("WWW-Authenticate", "")
            if self._auth.answered(scope) or not await self._auth.answer(challenge, scope, request):
                raise AuthFailed(error_response(request, 401, resp.body))
        raise SourceUnavailable(f"{what}: registry {self.registry} keeps answering 401")

    async def list_tags(self, repository: str, *, page_size: int | None = None) -> list[str]:
        """All tags, following `Link: <...>; rel="next"` pagination."""
        scope = f"repository:{repository}:pull"
        url = f"{self.base}/v2/{repository}/tags/list"
        if page_size:
            url += f"?n={page_size}"
        tags: list[str] = []
        for _page in range(_MAX_TAG_PAGES):
            resp = await self._request(
                "GET",
                url,
                scope=scope,
                what="listing tags",
                limit=MAX_MANIFEST_BYTES,
                allow_404=True,
            )
            if resp.status == 404:
                missing = ChartNotFound(f"repository {self.registry}/{repository} not found")
                missing.helm = registry_status_error("GET", url, 404, resp.body)
                raise missing
            doc = _json(resp.body, "tag list", self.registry, decode_error("GET", url, resp.body))
            page = doc.get("tags") or []
            tags.extend(t for t in page if isinstance(t, str))
            link = _LINK_NEXT.search(resp.headers.get("Link", ""))
            if link is None:
                return tags
            url = urljoin(resp.url, link.group(1))
            if not same_origin(url, self.base):
                # Our token or password would follow the link: only to the registry itself.
                raise SourceUnavailable(
                    f"registry {self.registry}: tag list continues on another host, refused"
                )
        raise SourceUnavailable(f"registry {self.registry}: tag list of {repository} never ends")

    async def resolve_digest(self, repository: str, reference: str) -> str | None:
        """The manifest digest a tag points to (HEAD), or None when the tag does not exist."""
        resp = await self._request(
            "HEAD",
            f"/v2/{repository}/manifests/{reference}",
            scope=f"repository:{repository}:pull",
            what=f"resolving {repository}:{reference}",
            limit=0,
            accept=MANIFEST_MEDIA_TYPE,
            allow_404=True,
        )
        if resp.status == 404:
            return None
        header = resp.headers.get("Docker-Content-Digest")
        if header:
            return header
        _, digest = await self.get_manifest(repository, reference)
        return digest

    async def get_manifest(self, repository: str, reference: str) -> tuple[dict[str, Any], str]:
        """The manifest and its digest, checked against `reference` when that is a digest and
        against the registry's Docker-Content-Digest header."""
        try:
            resp = await self._request(
                "GET",
                f"/v2/{repository}/manifests/{reference}",
                scope=f"repository:{repository}:pull",
                what=f"fetching manifest {repository}:{reference}",
                limit=MAX_MANIFEST_BYTES,
                accept=MANIFEST_MEDIA_TYPE,
                allow_404=True,
            )
        except AuthFailed as exc:  # helm's pull names the oras-go call that failed
            exc.helm = f'failed to perform "FetchReference" on source: {exc.helm or exc}'
            raise
        except ChartSourceError as exc:
            if exc.helm:
                exc.helm = f'failed to perform "FetchReference" on source: {exc.helm}'
            raise
        if resp.status == 404:
            # oras-go's FetchReference error, as helm v4 quotes it
            at = "@" if reference.startswith("sha256:") else ":"
            raise ChartNotFound(
                'failed to perform "FetchReference" on source: '
                f"{self.registry}/{repository}{at}{reference}: not found"
            )
        actual = sha256_digest(resp.body)
        expected = reference if reference.startswith("sha256:") else ""
        expected = expected or resp.headers.get("Docker-Content-Digest", "")
        if expected.startswith("sha256:") and expected != actual:
            raise DigestMismatch(
                f"manifest {repository}@{expected} from {self.registry} hashes to {actual}",
                expected=expected,
                actual=actual,
            )
        return _json(resp.body, "manifest", self.registry), actual

    async def get_blob(self, repository: str, digest: str, size: int | None = None) -> bytes:
        url = f"{self.base}/v2/{repository}/blobs/{digest}"
        what = f"downloading blob {repository}@{digest}"
        fetch = 'failed to perform "Fetch" on source: '  # oras-go's copy, as helm's pull says
        try:
            resp = await self._request(
                "GET",
                url,
                scope=f"repository:{repository}:pull",
                what=what,
                limit=MAX_ARCHIVE_BYTES,
                allow_404=True,
            )
        except ChartSourceError as exc:
            exc.helm = fetch + exc.helm if exc.helm else ""
            raise
        if resp.status == 404:
            missing = SourceUnavailable(f"{what}: 404 Not Found from {redact(url)}")
            missing.helm = f"{fetch}{digest}: not found"
            raise missing
        actual = sha256_digest(resp.body)
        if actual != digest or (size is not None and size != len(resp.body)):
            mismatch = DigestMismatch(
                f"blob {repository}@{digest} from {self.registry} hashes to {actual} "
                f"({len(resp.body)} bytes)",
                expected=digest,
                actual=actual,
            )
            if size is None or size == len(resp.body):
                mismatch.helm = 'failed to perform "Push" on destination: mismatched digest'
            raise mismatch
        return resp.body


def _credential_source(auth: RepoAuth | None) -> CredentialSource:
    """The registry config's stores when the caller gave them, else the fixed username and
    password (none: anonymous)."""
    if auth is not None and auth.credentials is not None:
        return auth.credentials
    fixed = RegistryCredential(auth.username, auth.password) if auth else RegistryCredential()

    async def static(_host: str) -> RegistryCredential:
        return fixed

    return static


def _json(body: bytes, what: str, registry: str, helm: str | None = None) -> dict[str, Any]:
    """The JSON object of a response; `helm` is helm's text for one that is not JSON."""
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict):
        invalid = SourceUnavailable(f"registry {registry} sent an invalid {what}")
        invalid.helm = helm or ""
        raise invalid
    return doc


async def fetch_from_oci(
    ref: ChartRef,
    *,
    cache: ChartCache,
    auth: RepoAuth | None,
    session: aiohttp.ClientSession,
    ssl_ctx: ssl.SSLContext | bool,
    http_timeout: aiohttp.ClientTimeout,
    identity: str,
    retry: RetryPolicy = NO_RETRIES,
    refresh_index: bool = False,  # HTTP repositories only: registries have no cached index
    provenance: bool = False,
) -> FetchedChart:
    """`provenance` also pulls the provenance layer (`helm push` adds one when the .prov
    lies beside the archive); None when the manifest has none."""
    oref = parse_oci_reference(ref.url, ref.name)
    client = RegistryClient(
        session, oref.registry, auth=auth, ssl_ctx=ssl_ctx, timeout=http_timeout, retry=retry
    )
    manifest_ref, pinned = await _resolve_reference(client, oref, ref)
    manifest, manifest_digest = await client.get_manifest(oref.repository, manifest_ref)
    if pinned and manifest_digest != pinned:
        raise DigestMismatch(
            f"{oref}: manifest digest is {manifest_digest}, not {pinned}",
            expected=pinned,
            actual=manifest_digest,
        )
    layer = _chart_layer(manifest, oref)
    layer_digest = _digest_or_invalid(str(layer.get("digest", "")), str(oref))
    size = layer.get("size") if isinstance(layer.get("size"), int) else None
    name, version = await _chart_identity(client, oref, manifest, manifest_ref)
    source = f"oci://{oref.registry}/{oref.repository}@{manifest_digest}"
    prov = await _provenance(client, oref, manifest) if provenance else None
    # The manifest was just read with our own credentials and trust; the blob cache is still
    # per identity so that a cached layer never stands in for a pull we could not make.
    async with cache.lock(layer_digest, scope=identity):
        cached = await cache.get(layer_digest, scope=identity)
        if cached is not None:
            return FetchedChart(
                name,
                version,
                layer_digest,
                cached,
                cache.path_for(layer_digest, scope=identity),
                source,
                manifest_digest=manifest_digest,
                from_cache=True,
                provenance=prov,
            )
        data = await client.get_blob(oref.repository, layer_digest, size)
        path = await cache.put(layer_digest, data, scope=identity)
    return FetchedChart(
        name,
        version,
        layer_digest,
        data,
        path,
        source,
        manifest_digest=manifest_digest,
        provenance=prov,
    )


async def _provenance(
    client: RegistryClient, oref: OciReference, manifest: dict[str, Any]
) -> bytes | None:
    layers = manifest.get("layers")
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict) and layer.get("mediaType") == PROV_LAYER_MEDIA_TYPE:
            digest = _digest_or_invalid(str(layer.get("digest", "")), str(oref))
            size = layer.get("size") if isinstance(layer.get("size"), int) else None
            return await client.get_blob(oref.repository, digest, size)
    return None


async def _resolve_reference(
    client: RegistryClient, oref: OciReference, ref: ChartRef
) -> tuple[str, str]:
    """(manifest reference to GET, pinned digest or ""), following Helm's ValidateReference."""
    version, pinned = ref.version, oref.digest
    if ref.tag_as_is and oref.tag and not pinned:
        return oref.tag, ""
    if ref.digest:  # spec.chart.digest (Flux's OCIRepository ref.digest)
        digest = _digest_or_invalid(ref.digest, ref.digest)
        if pinned and pinned != digest:
            raise InvalidReference(f"digest mismatch: {digest} is not {pinned} in {oref}")
        pinned = digest
    if version.startswith("sha256:"):  # a digest given as the version: pin to it
        digest = _digest_or_invalid(version, version)
        if pinned and pinned != digest:
            raise InvalidReference(f"digest mismatch: {digest} is not {pinned} in {oref}")
        pinned, version = digest, ""
    ref_tag = oref.tag.replace("_", "+")
    if not version:
        version = ref_tag
    elif ref_tag and ref_tag != version:
        tag = oref.tag.replace("+", "_")  # helm names the tag as it cleaned it
        raise InvalidReference(f"chart reference and version mismatch: {version} is not {tag}")
    if pinned:
        tag = version.replace("+", "_")
        if tag and _TAG.fullmatch(tag):
            # A tag given with a digest must point at it; an absent tag is fine (as in Helm).
            try:
                tagged = await client.resolve_digest(oref.repository, tag)
            except ChartSourceError:  # helm ignores a failed Resolve of the tag (of any kind)
                tagged = None
            if tagged is not None and tagged != pinned:
                raise DigestMismatch(
                    f"chart reference digest mismatch: {oref.repository}:{tag} is {tagged}, "
                    f"not {pinned}",
                    expected=pinned,
                    actual=tagged,
                )
        return pinned, pinned
    if version and is_exact_version(version):
        return version.replace("+", "_"), ""
    wanted = version or (DEVEL_CONSTRAINT if ref.devel else "")
    tags = await client.list_tags(oref.repository)
    candidates = sort_newest_first((t.replace("_", "+") for t in tags), strict=True)
    if not candidates:
        raise ChartNotFound(f"unable to locate any tags in provided repository: {oref}")
    chosen = pick_version(candidates, wanted)
    if chosen is None:
        missing = ChartNotFound(
            f"{oref}: no version matching {wanted or '(latest stable)'!r}; "
            f"available: {describe_available(candidates)}",
            available=tuple(candidates),
        )
        missing.helm = f"could not locate a version matching provided version string {wanted}"
        raise missing
    return chosen.replace("+", "_"), ""


def _chart_layer(manifest: dict[str, Any], oref: OciReference) -> dict[str, Any]:
    config = manifest.get("config")
    config_type = config.get("mediaType") if isinstance(config, dict) else None
    if config_type != CONFIG_MEDIA_TYPE:
        raise InvalidReference(f"{oref} is not a Helm chart (config media type {config_type!r})")
    layers = manifest.get("layers")
    for layer in layers if isinstance(layers, list) else []:
        if isinstance(layer, dict) and layer.get("mediaType") in (
            CHART_LAYER_MEDIA_TYPE,
            LEGACY_CHART_LAYER_MEDIA_TYPE,
        ):
            return layer
    raise InvalidReference(f"{oref}: manifest has no layer of type {CHART_LAYER_MEDIA_TYPE}")


async def _chart_identity(
    client: RegistryClient, oref: OciReference, manifest: dict[str, Any], manifest_ref: str
) -> tuple[str, str]:
    """Chart name and version: from the annotations `helm push` writes, else the config blob."""
    notes = manifest.get("annotations")
    if isinstance(notes, dict):
        name = notes.get("org.opencontainers.image.title")
        version = notes.get("org.opencontainers.image.version")
        if isinstance(name, str) and isinstance(version, str) and name and version:
            return name, version
    config = manifest["config"]
    digest = _digest_or_invalid(str(config.get("digest", "")), str(oref))
    body = await client.get_blob(oref.repository, digest)
    meta = _json(body, "chart config", client.registry)
    fallback = manifest_ref.replace("_", "+")
    return str(meta.get("name") or oref.repository.rsplit("/", 1)[-1]), str(
        meta.get("version") or fallback
    )
