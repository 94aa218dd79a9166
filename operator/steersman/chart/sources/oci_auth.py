"""Registry authentication (distribution token spec): answer a 401 challenge with Basic
credentials, or by fetching a Bearer token from the challenge's realm for the needed scope."""

from __future__ import annotations

import json
import re
import ssl

import aiohttp

from .errors import AuthFailed
from .proxy import proxy_for
from .transport import (
    NO_RETRIES,
    RetryPolicy,
    Transient,
    basic_authorization,
    is_transient_status,
    network_errors,
    read_limited,
    redact,
    retrying,
)

_PARAM = re.compile(r'([A-Za-z][A-Za-z0-9_-]*)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))')
_MAX_TOKEN_RESPONSE = 1 << 20


def parse_challenge(header: str) -> tuple[str, dict[str, str]]:
    """`Bearer realm="https://x/token",service="reg",scope="repository:a/b:pull"` ->
    (`bearer`, {realm, service, scope}); quoted values may contain commas and escapes."""
    scheme, _, rest = header.strip().partition(" ")
    params: dict[str, str] = {}
    for m in _PARAM.finditer(rest):
        quoted, bare = m.group(2), m.group(3)
        value = re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else bare or ""
        params[m.group(1).lower()] = value
    return scheme.lower(), params


class RegistryAuthenticator:
    """Per-fetch auth state for one registry: which scheme it wants and the tokens we hold."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        registry: str,
        *,
        username: str,
        password: str,
        ssl_ctx: ssl.SSLContext | bool,
        timeout: aiohttp.ClientTimeout,
        allow_http_realm: bool,
        retry: RetryPolicy = NO_RETRIES,
    ) -> None:
        self._session = session
        self._registry = registry
        self._username = username
        self._password = password
        self._ssl = ssl_ctx
        self._timeout = timeout
        self._allow_http_realm = allow_http_realm
        self._retry = retry
        self._use_basic = False
        self._tokens: dict[str, str] = {}

    @property
    def _has_credentials(self) -> bool:
        return bool(self._username and self._password)

    def header_for(self, scope: str) -> dict[str, str]:
        token = self._tokens.get(scope)
        if token:
            return {"Authorization": f"Bearer {token}"}
        if self._use_basic:
            return {"Authorization": basic_authorization(self._username, self._password)}
        return {}

    async def answer(self, challenge: str, scope: str) -> None:
        """Prepare credentials for a retry after a 401, or raise AuthFailed."""
        scheme, params = parse_challenge(challenge)
        if not scheme:
            raise AuthFailed(f"registry {self._registry} requires authentication (no challenge)")
        if scheme == "basic":
            if not self._has_credentials:
                raise AuthFailed(f"registry {self._registry} requires credentials")
            if self._use_basic:
                raise AuthFailed(f"registry {self._registry} rejected the credentials")
            self._use_basic = True
            return
        if scheme == "bearer":
            realm = params.get("realm", "")
            if not realm:
                raise AuthFailed(f"registry {self._registry} sent a Bearer challenge without realm")
            if scope in self._tokens:
                raise AuthFailed(f"registry {self._registry} rejected our token for {scope}")
            wanted = params.get("scope") or scope
            self._tokens[scope] = await self._fetch_token(realm, params.get("service", ""), wanted)
            return
        raise AuthFailed(f"registry {self._registry} wants unsupported auth scheme {scheme!r}")

    async def _fetch_token(self, realm: str, service: str, scope: str) -> str:
        if not realm.startswith("https://") and not (
            self._allow_http_realm and realm.startswith("http://")
        ):
            raise AuthFailed(
                f"registry {self._registry}: refusing token realm {redact(realm)} "
                "(not HTTPS; use plain-http only for local registries)"
            )
        query = [("service", service)] if service else []
        query += [("scope", s) for s in scope.split(" ") if s]
        headers = {}
        if self._has_credentials:
            headers["Authorization"] = basic_authorization(self._username, self._password)
        what = f"getting a token for {self._registry}"

        async def attempt() -> bytes:
            async with (
                network_errors(what, realm, self._timeout),
                self._session.get(
                    realm,
                    params=query,
                    headers=headers,
                    ssl=self._ssl,
                    timeout=self._timeout,
                    proxy=proxy_for(realm),
                ) as resp,
            ):
                if resp.status in (401, 403):
                    who = "the credentials" if self._has_credentials else "anonymous access"
                    raise AuthFailed(f"token service {redact(realm)} refused {who} for {scope}")
                if is_transient_status(resp.status):
                    raise Transient(f"token service {redact(realm)} answered {resp.status}")
                if resp.status >= 400:
                    raise AuthFailed(f"token service {redact(realm)} answered {resp.status}")
                return await read_limited(resp, _MAX_TOKEN_RESPONSE, "token response")

        body = await retrying(self._retry, attempt)
        try:
            doc = json.loads(body)
        except ValueError:
            raise AuthFailed(f"token service {redact(realm)} sent invalid JSON") from None
        token = doc.get("token") or doc.get("access_token") if isinstance(doc, dict) else None
        if not isinstance(token, str) or not token:
            raise AuthFailed(f"token service {redact(realm)} sent no token")
        return token
