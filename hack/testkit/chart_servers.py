"""Real servers on loopback for the chart-source tests.

- RepoServer: a static Helm repository over HTTP(S) (aiohttp) with optional basic auth and
  ETag support, recording every request so tests can see what was sent.
- TokenServer: a Docker-registry token service issuing RS256 JWTs (x5c header) that
  docker-registry verifies against the certificate bundle we give it.
- TLS material (a CA, a server cert for 127.0.0.1, a client cert) made with `cryptography`,
  and a docker-registry pair that demands a client certificate and basic auth.
- FailingRegistry: a distribution API v2 endpoint that answers every request of a repository
  with one canned response (a status and body), for registry errors as oras-go reports them.
- Helpers to build chart archives and index.yaml with the real helm binary.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import hashlib
import io
import json
import secrets
import shutil
import ssl
import subprocess
import tarfile
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from ipaddress import IPv4Address
from pathlib import Path
from typing import Any

import bcrypt
import yaml
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from hack.testenv import OciRegistry, RegistryTls
from hack.testenv import helm_env as testenv_helm_env

# -- charts built by helm --

VERSIONS = ["0.9.0", "1.0.0", "1.0.1", "1.1.0", "1.1.1+build.7", "1.2.0-rc.1", "2.0.0-alpha.1"]


def write_tiny_chart(parent: Path, name: str) -> Path:
    chart = parent / name
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(
        f"apiVersion: v2\nname: {name}\nversion: 0.0.0\ndescription: chart-source fixture\n"
    )
    (chart / "values.yaml").write_text("greeting: hello\n")
    (chart / "templates" / "configmap.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
        "data:\n  greeting: {{ .Values.greeting | quote }}\n"
        "  version: {{ .Chart.Version | quote }}\n"
    )
    return chart


def helm(helm_bin: Path, env: dict[str, str], *args: str) -> str:
    res = subprocess.run(
        [str(helm_bin), *args], env=env, capture_output=True, text=True, timeout=120
    )
    if res.returncode != 0:
        raise AssertionError(f"helm {' '.join(args)} failed:\n{res.stdout}\n{res.stderr}")
    return res.stdout + res.stderr


def helm_package(
    helm_bin: Path, env: dict[str, str], chart: Path, version: str, dest: Path
) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    helm(helm_bin, env, "package", str(chart), "--version", version, "-d", str(dest))
    return dest / f"{chart.name}-{version}.tgz"


def helm_env(home: Path) -> dict[str, str]:
    return testenv_helm_env(home)


async def helm_pull(helm4: Path, env: dict[str, str], dest: Path, *args: str) -> tuple[str, bytes]:
    """Run `helm pull` in a thread (the servers share our event loop); return the pulled
    chart's version (from its Chart.yaml) and bytes."""
    return await asyncio.to_thread(_helm_pull, helm4, env, dest, *args)


def _helm_pull(helm4: Path, env: dict[str, str], dest: Path, *args: str) -> tuple[str, bytes]:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    helm(helm4, env, "pull", *args, "-d", str(dest))
    (pulled,) = list(dest.glob("*.tgz"))
    data = pulled.read_bytes()
    return chart_version(data), data


def chart_version(tgz: bytes) -> str:
    with tarfile.open(fileobj=io.BytesIO(tgz)) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("/Chart.yaml"))
        extracted = tar.extractfile(member)
        assert extracted is not None
        return str(yaml.safe_load(extracted.read())["version"])


# -- TLS material --


@dataclass(frozen=True)
class TlsMaterial:
    ca_pem: bytes
    server_cert_pem: bytes
    server_key_pem: bytes
    client_cert_pem: bytes
    client_key_pem: bytes

    def server_context(self, tmp: Path, *, require_client_cert: bool = False) -> ssl.SSLContext:
        cert, key = tmp / "server.crt", tmp / "server.key"
        cert.write_bytes(self.server_cert_pem)
        key.write_bytes(self.server_key_pem)
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(cert, key)
        if require_client_cert:
            ctx.verify_mode = ssl.CERT_REQUIRED
            ctx.load_verify_locations(cadata=self.ca_pem.decode())
        return ctx


def _pem_key(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    issuer: x509.Name | None,
    issuer_key: ec.EllipticCurvePrivateKey,
    *,
    ca: bool,
    server: bool = False,
) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)])
    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer or name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        ).add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(IPv4Address("127.0.0.1"))]),
            critical=False,
        )
    return builder.sign(issuer_key, hashes.SHA256())


def make_tls_material() -> TlsMaterial:
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("steersman test CA", ca_key, None, ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert("127.0.0.1", server_key, ca.subject, ca_key, ca=False, server=True)
    client_key = ec.generate_private_key(ec.SECP256R1())
    client = _cert("steersman client", client_key, ca.subject, ca_key, ca=False)
    pem = serialization.Encoding.PEM
    return TlsMaterial(
        ca_pem=ca.public_bytes(pem),
        server_cert_pem=server.public_bytes(pem),
        server_key_pem=_pem_key(server_key),
        client_cert_pem=client.public_bytes(pem),
        client_key_pem=_pem_key(client_key),
    )


def write_htpasswd(path: Path, users: Mapping[str, str]) -> Path:
    """A bcrypt htpasswd file, as docker-registry reads it."""
    lines = [
        f"{user}:{bcrypt.hashpw(pw.encode(), bcrypt.gensalt(rounds=4)).decode()}\n"
        for user, pw in users.items()
    ]
    path.write_text("".join(lines))
    return path


@contextlib.asynccontextmanager
async def mutual_tls_registries(
    root: Path, tls: TlsMaterial, users: Mapping[str, str]
) -> AsyncIterator[tuple[OciRegistry, OciRegistry]]:
    """(open, guarded): an anonymous plain-HTTP registry to push into and, over the same
    storage, one over HTTPS that demands a client certificate of `tls`'s CA and basic auth."""
    open_one, guarded = await asyncio.to_thread(_mutual_tls_pair, root, tls, users)
    try:
        for registry in (open_one, guarded):
            await asyncio.to_thread(registry.start)
        yield open_one, guarded
    finally:
        for registry in (open_one, guarded):
            await asyncio.to_thread(registry.stop)


def _mutual_tls_pair(
    root: Path, tls: TlsMaterial, users: Mapping[str, str]
) -> tuple[OciRegistry, OciRegistry]:
    root.mkdir(parents=True, exist_ok=True)
    for name, pem in (
        ("ca.crt", tls.ca_pem),
        ("srv.crt", tls.server_cert_pem),
        ("srv.key", tls.server_key_pem),
    ):
        (root / name).write_bytes(pem)
    storage = root / "storage"
    guarded = OciRegistry(
        root / "guarded",
        storage=storage,
        htpasswd=write_htpasswd(root / "htpasswd", users),
        tls=RegistryTls(root / "srv.crt", root / "srv.key", client_ca=root / "ca.crt"),
    )
    return OciRegistry(root / "open", storage=storage), guarded


# -- a static Helm repository --


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    authorization: str | None
    status: int


def _basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class _Server:
    """An aiohttp app on 127.0.0.1 with a random port."""

    def __init__(self, app: web.Application, ssl_context: ssl.SSLContext | None = None) -> None:
        self._app = app
        self._ssl = ssl_context
        self._runner: web.AppRunner | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"{'https' if self._ssl else 'http'}://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._runner = web.AppRunner(self._app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0, ssl_context=self._ssl)
        await site.start()
        self.port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None


class RepoServer(_Server):
    """Serves files under `root`; with credentials set, every request needs basic auth."""

    def __init__(
        self,
        root: Path,
        *,
        username: str = "",
        password: str = "",
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        app = web.Application()
        app.router.add_get("/{path:.*}", self._handle)
        super().__init__(app, ssl_context)
        self.root = root
        self._expected_auth = _basic(username, password) if username else None
        self.seen: list[Seen] = []
        self.redirects: dict[str, str] = {}  # request path -> Location (302)

    def paths(self, suffix: str = "") -> list[str]:
        return [s.path for s in self.seen if s.path.endswith(suffix)]

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        auth = request.headers.get("Authorization")
        status, response = self._respond(request, auth)
        self.seen.append(Seen(request.method, request.path, auth, status))
        return response

    def _respond(self, request: web.Request, auth: str | None) -> tuple[int, web.StreamResponse]:
        if self._expected_auth is not None and auth != self._expected_auth:
            headers = {"WWW-Authenticate": 'Basic realm="charts"'}
            return 401, web.Response(status=401, headers=headers)
        if request.path in self.redirects:
            return 302, web.Response(status=302, headers={"Location": self.redirects[request.path]})
        path = (self.root / request.match_info["path"]).resolve()
        if self.root.resolve() not in path.parents or not path.is_file():
            return 404, web.Response(status=404)
        data = path.read_bytes()
        etag = '"' + hashlib.sha256(data).hexdigest()[:32] + '"'
        if request.headers.get("If-None-Match") == etag:
            return 304, web.Response(status=304, headers={"ETag": etag})
        return 200, web.Response(body=data, headers={"ETag": etag})


class FlakyRepo(RepoServer):
    """A RepoServer that first answers each listed path with the given statuses."""

    def __init__(self, root: Path, **kwargs: Any) -> None:
        super().__init__(root, **kwargs)
        self.failures: dict[str, list[int]] = {}

    def _respond(self, request: web.Request, auth: str | None) -> tuple[int, web.StreamResponse]:
        pending = self.failures.get(request.path)
        if pending:
            status = pending.pop(0)
            headers = {"Retry-After": "0"} if status == 429 else {}
            return status, web.Response(status=status, headers=headers)
        return super()._respond(request, auth)


# -- a registry that fails --


@dataclass(frozen=True)
class Canned:
    """One answer: `status` with `body` (a JSON document when `body` is not bytes), of
    `content_type` when given; a 200 names its digest (`digest`, else the body's) in
    Docker-Content-Digest, as a registry does."""

    status: int
    body: bytes | Mapping[str, Any] = b""
    content_type: str | None = None

    @property
    def data(self) -> bytes:
        return self.body if isinstance(self.body, bytes) else json.dumps(self.body).encode()

    def response(self, digest: str = "") -> web.Response:
        default = "application/octet-stream" if isinstance(self.body, bytes) else "application/json"
        digest = digest or "sha256:" + hashlib.sha256(self.data).hexdigest()
        return web.Response(
            status=self.status,
            body=self.data,
            content_type=self.content_type or default,
            headers={"Docker-Content-Digest": digest} if self.status == 200 else None,
        )


class FailingRegistry(_Server):
    """Answers `/v2/` with 200 and each request under `/v2/<repository>/` with the canned
    answer of that repository (`tags` for its tag list, `manifests` for its manifests) or of
    the digest (`blobs`), else 404. Over TLS with `ssl_context` (a certificate the client does
    not trust, say)."""

    def __init__(
        self,
        tags: Mapping[str, Canned],
        manifests: Mapping[str, Canned] | None = None,
        blobs: Mapping[str, Canned] | None = None,
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        app = web.Application()
        app.router.add_route("*", "/{path:.*}", self._handle)
        super().__init__(app, ssl_context)
        self.tags = dict(tags)
        self.manifests = dict(manifests or {})
        self.blobs = dict(blobs or {})

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def _handle(self, request: web.Request) -> web.Response:
        path = request.path
        if path == "/v2/":
            return web.json_response({})
        if path.endswith("/tags/list"):
            canned = self.tags.get(path.removeprefix("/v2/").removesuffix("/tags/list"))
        elif "/blobs/" in path:
            digest = path.rpartition("/blobs/")[2]  # a registry stores blobs by digest
            return (self.blobs.get(digest) or Canned(404)).response(digest)
        else:
            repository = path.removeprefix("/v2/").rpartition("/manifests/")[0]
            canned = self.manifests.get(repository)
        return (canned or Canned(404)).response()


# -- a Docker registry token service --


@dataclass
class TokenServer(_Server):
    """Issues pull tokens for known users (anonymous requests are refused): on GET for basic
    credentials, on POST (the OAuth2 form oras-go sends) for a known identity token
    (`refresh_tokens`: token -> user), recording each POST's form in `refreshed`."""

    workdir: Path
    users: dict[str, str]
    service: str = "steersman-test-registry"
    issuer: str = "steersman-test-issuer"
    issued: list[tuple[str, str]] = field(default_factory=list)
    refresh_tokens: dict[str, str] = field(default_factory=dict)
    refreshed: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        app = web.Application()
        app.router.add_get("/token", self._token)
        app.router.add_post("/token", self._oauth2_token)
        super().__init__(app)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, self.issuer)])
        now = datetime.datetime.now(datetime.UTC)
        self._cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self._key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(self._key, hashes.SHA256())
        )
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.bundle = self.workdir / "token-ca.pem"
        self.bundle.write_bytes(self._cert.public_bytes(serialization.Encoding.PEM))

    @property
    def realm(self) -> str:
        return f"{self.url}/token"

    def _user(self, header: str | None) -> str | None:
        for user, password in self.users.items():
            if header == _basic(user, password):
                return user
        return None

    async def _token(self, request: web.Request) -> web.Response:
        user = self._user(request.headers.get("Authorization"))
        if user is None or request.query.get("service") != self.service:
            return web.Response(status=401, text="unauthorized")
        access = []
        for scope in request.query.getall("scope", []):
            kind, _, rest = scope.partition(":")
            repo, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if a == "pull"]
            access.append({"type": kind, "name": repo, "actions": granted})
            self.issued.append((user, scope))
        token = self._jwt(user, access)
        return web.json_response({"token": token, "expires_in": 300})

    async def _oauth2_token(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        self.refreshed.append(form)
        user = self.refresh_tokens.get(form.get("refresh_token", ""))
        if (
            user is None
            or form.get("grant_type") != "refresh_token"
            or form.get("service") != self.service
        ):
            return web.json_response(
                {"errors": [{"code": "UNAUTHORIZED", "message": "unknown identity token"}]},
                status=401,
            )
        return web.json_response({"access_token": self.pull_token(user, form.get("scope", ""))})

    def pull_token(self, user: str, scopes: str) -> str:
        """A signed token granting pull on each `repository:NAME:...` scope (space-separated)."""
        access = []
        for scope in scopes.split():
            kind, _, rest = scope.partition(":")
            repo, _, _actions = rest.rpartition(":")
            access.append({"type": kind, "name": repo, "actions": ["pull"]})
            self.issued.append((user, scope))
        return self._jwt(user, access)

    def _jwt(self, user: str, access: Sequence[Mapping[str, object]]) -> str:
        der = self._cert.public_bytes(serialization.Encoding.DER)
        header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": user,
            "aud": self.service,
            "exp": now + 300,
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signing_input = f"{_b64url(header)}.{_b64url(claims)}"
        signature = self._key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{_b64url_bytes(signature)}"


def _b64url_bytes(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _b64url(doc: Mapping[str, object]) -> str:
    return _b64url_bytes(json.dumps(doc, separators=(",", ":")).encode())


# -- repositories that never answer --


class BlackHole:
    """A TCP server on 127.0.0.1 that accepts connections and then never answers; with
    `headers`, it sends a 200 status line and headers promising a body, a few bytes of it, and
    then stalls. Connections stay open until `stop`."""

    def __init__(self, *, headers: bool = False) -> None:
        self.headers = headers
        self.accepted = 0
        self._server: asyncio.Server | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def oci_url(self) -> str:
        """As a plain-HTTP OCI registry (`insecure: true`)."""
        return f"oci://127.0.0.1:{self.port}/charts"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        self._writers.append(writer)
        if self.headers:
            await reader.readuntil(b"\r\n\r\n")
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/x-yaml\r\n"
                b"Content-Length: 100000\r\n\r\napiVersion: v1\n"
            )
            await writer.drain()
        await asyncio.Event().wait()  # never more; cancelled when the server closes

    async def stop(self) -> None:
        for writer in self._writers:
            writer.close()
        if self._server is not None:
            self._server.close()
            self._server = None
