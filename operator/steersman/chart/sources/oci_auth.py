"""Registry authentication as oras-go's auth.Client does it: answer a 401 challenge with Basic
credentials, or with a Bearer token from the challenge's realm for the needed scope (a GET with
basic credentials, a POST of an identity token, or a registry token used as it is). The
credential is looked up only when a challenge asks for it; failures read as oras-go's."""

from __future__ import annotations

import json
import re
import ssl
from typing import Any
from urllib.parse import urlencode

import aiohttp

from steersman.golang.floatfmt import format_float

from .errors import AuthFailed
from .model import CredentialSource, RegistryCredential
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

_CLIENT_ID = "oras-go"  # oras-go's default OAuth2 client_id; helm sets none
_STATUS_TEXT = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}

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
        credentials: CredentialSource,
        ssl_ctx: ssl.SSLContext | bool,
        timeout: aiohttp.ClientTimeout,
        allow_http_realm: bool,
        retry: RetryPolicy = NO_RETRIES,
    ) -> None:
        self._session = session
        self._registry = registry
        self._credentials = credentials
        self._ssl = ssl_ctx
        self._timeout = timeout
        self._allow_http_realm = allow_http_realm
        self._retry = retry
        self._basic = ""  # the Authorization header once a Basic challenge was answered
        self._tokens: dict[str, str] = {}

    def header_for(self, scope: str) -> dict[str, str]:
        token = self._tokens.get(scope)
        if token:
            return {"Authorization": f"Bearer {token}"}
        if self._basic:
            return {"Authorization": self._basic}
        return {}

    def answered(self, scope: str) -> bool:
        """Whether our credentials were already sent for `scope` (a new 401 is a refusal)."""
        return bool(self._basic) or scope in self._tokens

    async def answer(self, challenge: str, scope: str, request: str) -> bool:
        """Prepare credentials for a retry after a 401; False when the challenge is not one we
        can answer (the 401 is then the registry's error). `request` is `METHOD "URL"`, the
        prefix of oras-go's errors; AuthFailed when the credential lookup or token fails."""
        scheme, params = parse_challenge(challenge)
        if scheme == "basic":
            cred = await self._credential(request, basic=True)
            if cred.is_empty:
                raise _refused(
                    f"registry {self._registry} requires credentials, and none are configured "
                    "for it",
                    f"{request}: basic credential not found",
                )
            if not (cred.username and cred.password):
                raise _refused(
                    f"registry {self._registry} requires a username and password; the "
                    "credential configured for it lacks one",
                    f"{request}: missing username or password for basic auth",
                )
            self._basic = basic_authorization(cred.username, cred.password)
            return True
        if scheme == "bearer":
            asked = [scope, *params.get("scope", "").split(" ")]
            wanted = " ".join(dict.fromkeys(s for s in asked if s))
            cred = await self._credential(request, basic=False)
            self._tokens[scope] = await self._bearer_token(
                request, cred, params.get("realm", ""), params.get("service", ""), wanted
            )
            return True
        return False

    async def _credential(self, request: str, *, basic: bool) -> RegistryCredential:
        try:
            return await self._credentials(self._registry)
        except AuthFailed as exc:
            # oras-go says so for Basic only; a Bearer lookup's error is passed on bare
            why = f"failed to resolve credential: {exc}" if basic else str(exc)
            raise AuthFailed(f"{request}: {why}") from None

    async def _bearer_token(
        self, request: str, cred: RegistryCredential, realm: str, service: str, scope: str
    ) -> str:
        if cred.access_token:
            return cred.access_token
        if not realm.startswith("https://") and not (
            self._allow_http_realm and realm.startswith("http://")
        ):
            raise AuthFailed(
                f"registry {self._registry}: refusing token realm {redact(realm)} "
                "(not HTTPS; use plain-http only for local registries)"
            )
        scopes = [s for s in scope.split(" ") if s]
        if cred.refresh_token:
            form = {
                "grant_type": "refresh_token",
                "refresh_token": cred.refresh_token,
                "service": service,
                "client_id": _CLIENT_ID,
            }
            if scopes:
                form["scope"] = " ".join(scopes)
            return await self._token_request(request, "POST", realm, form=form)
        # url.Values.Encode sorts by key: scope before service
        query = [("scope", s) for s in scopes] + ([("service", service)] if service else [])
        headers = {}
        if cred.username or cred.password:
            headers["Authorization"] = basic_authorization(cred.username, cred.password)
        return await self._token_request(request, "GET", realm, query=query, headers=headers)

    async def _token_request(
        self,
        request: str,
        method: str,
        realm: str,
        *,
        query: list[tuple[str, str]] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> str:
        what = f"getting a token for {self._registry}"
        # as Go's url.Values.Encode writes the query oras-go sends (the realm's URL is the
        # registry's, and the query holds no credential)
        shown = f'{method} "{realm}?{urlencode(query)}"' if query else f'{method} "{realm}"'

        async def attempt() -> bytes:
            async with (
                network_errors(what, realm, self._timeout),
                self._session.request(
                    method,
                    realm,
                    params=query or None,
                    data=form,
                    headers=headers or {},
                    ssl=self._ssl,
                    timeout=self._timeout,
                    proxy=proxy_for(realm),
                ) as resp,
            ):
                if is_transient_status(resp.status):
                    raise Transient(f"token service {redact(realm)} answered {resp.status}")
                body = await read_limited(resp, _MAX_TOKEN_RESPONSE, "token response")
                if resp.status != 200:
                    raise AuthFailed(f"{request}: {error_response(shown, resp.status, body)}")
                return body

        body = await retrying(self._retry, attempt)
        try:
            doc = json.loads(body)
        except ValueError:
            raise AuthFailed(
                f"{request}: {shown}: failed to decode response: invalid token JSON"
            ) from None
        fields = ("access_token",) if form is not None else ("access_token", "token")
        for key in fields:
            token = doc.get(key) if isinstance(doc, dict) else None
            if isinstance(token, str) and token:
                return token
        raise AuthFailed(f"{request}: {shown}: empty token returned")


def _refused(message: str, helm: str) -> AuthFailed:
    """Our message for the operator's conditions, oras-go's (`helm`) for `steersman template`."""
    refused = AuthFailed(message)
    refused.helm = helm
    return refused


def error_response(request: str, status: int, body: bytes) -> str:
    """oras-go's ErrorResponse text: `METHOD "URL": response status code N: <errors>`, the
    errors being the distribution spec's `{"errors": [{code, message, detail}]}` of the body,
    else the status text."""
    errors: list[str] = []
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    entries = doc.get("errors") if isinstance(doc, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        code = str(entry.get("code") or "").replace("_", " ").lower()
        message = str(entry.get("message") or "")
        text = code
        if message:
            text += f": {message}"
            if entry.get("detail") is not None:
                text += f": {_go_value(entry['detail'])}"
        errors.append(text)
    reason = "; ".join(errors) if errors else _STATUS_TEXT.get(status, str(status))
    return f"{request}: response status code {status}: {reason}"


def _go_value(value: Any) -> str:
    """fmt's %v of a JSON value decoded into `any` (maps print with sorted keys)."""
    if isinstance(value, dict):
        inner = " ".join(f"{k}:{_go_value(value[k])}" for k in sorted(value))
        return f"map[{inner}]"
    if isinstance(value, list):
        return "[" + " ".join(_go_value(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return format_float(float(value), "g")
    return "<nil>" if value is None else str(value)
