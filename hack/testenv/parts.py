"""Start and stop the bench's servers. Synchronous on purpose: fixtures and scripts call it once."""

from __future__ import annotations

import base64
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

KUBE_VERSION = "1.20.2"
PG_VERSION = "15"
CACHE = Path(os.environ.get("STEERSMAN_CACHE", Path.home() / ".cache" / "steersman"))
PROVISION = Path(__file__).with_name("provision.sh")


class TestEnvError(RuntimeError):
    """A part of the bench is missing or did not start; the message says which and why."""


@dataclass(frozen=True)
class Binaries:
    etcd: Path
    kube_apiserver: Path
    pg_bin: Path | None  # None when STEERSMAN_TEST_PG_DSN points at an external server
    helm_v3: Path
    helm_v4: Path


def _need(path: Path | None, what: str) -> Path:
    if path is None or not path.exists():
        raise TestEnvError(f"{what} not found (looked at {path}); run `make provision` first")
    return path


# The helm v4 CLI, the rendering oracle (`helm template` v4.1.4): the one place its path is
# defined; STEERSMAN_HELM_V4 points the oracles at another build.
HELM_V4 = Path(os.environ.get("STEERSMAN_HELM_V4", CACHE / "helm-v4"))


def helm_binary(major: int) -> Path:
    """The cached helm v3 or v4 CLI (interop tests only); starts nothing."""
    return _need(HELM_V4 if major == 4 else CACHE / f"helm-v{major}", f"helm v{major}")


def kubectl_binary() -> Path:
    """The cached kubectl (with its built-in kustomize), the oracle for manifests/; starts
    nothing."""
    return _need(CACHE / "kubectl", "kubectl")


def helm_env(home: Path, kubeconfig: Path | None = None, **extra: str) -> dict[str, str]:
    """An environment for running helm: no HELM_*/KUBE* from outside, its own config/cache/data
    dirs under `home`, and the given kubeconfig (if any)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBE"))}
    env.update(
        HELM_CONFIG_HOME=str(home / "config"),
        HELM_CACHE_HOME=str(home / "cache"),
        HELM_DATA_HOME=str(home / "data"),
        **extra,
    )
    if kubeconfig is not None:
        env["KUBECONFIG"] = str(kubeconfig)
    return env


def find_binaries() -> Binaries:
    """Locate every part; KUBEBUILDER_ASSETS (envtest convention) wins over our cache."""
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    etcd: Path | None = None
    apiserver: Path | None = None
    if assets and (Path(assets) / "kube-apiserver").exists():
        apiserver = Path(assets) / "kube-apiserver"
        etcd = Path(assets) / "etcd"
    else:
        apiserver = CACHE / f"kube-apiserver-{KUBE_VERSION}"
        found = shutil.which("etcd")
        etcd = Path(found) if found else None
    pg_bin = None
    if not os.environ.get("STEERSMAN_TEST_PG_DSN"):
        pg_bin = _need(Path(f"/usr/lib/postgresql/{PG_VERSION}/bin"), "PostgreSQL 15")
    return Binaries(
        etcd=_need(etcd, "etcd"),
        kube_apiserver=_need(apiserver, "kube-apiserver"),
        pg_bin=pg_bin,
        helm_v3=helm_binary(3),
        helm_v4=helm_binary(4),
    )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(
    check: Callable[[], bool], what: str, timeout: float, proc: subprocess.Popen[bytes], log: Path
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise TestEnvError(f"{what} exited with {proc.returncode}:\n{_tail(log)}")
        if check():
            return
        time.sleep(0.1)
    raise TestEnvError(f"{what} not ready after {timeout:.0f}s:\n{_tail(log)}")


def _tail(log: Path, lines: int = 30) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _stop(proc: subprocess.Popen[bytes] | None, timeout: float = 10) -> None:
    if proc is None or proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _spawn(argv: list[str], log: Path, **kw: object) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    try:
        # A session of its own, so stopping it also stops anything it started.
        return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
            argv,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            **kw,
        )
    finally:
        out.close()


@dataclass
class ControlPlane:
    """etcd + kube-apiserver on loopback, admin token auth, RBAC on."""

    binaries: Binaries
    workdir: Path
    server: str = ""
    token: str = ""
    kubeconfig: Path = field(default_factory=Path)
    _etcd: subprocess.Popen[bytes] | None = None
    _api: subprocess.Popen[bytes] | None = None
    _api_argv: list[str] = field(default_factory=list)

    def start(self, timeout: float = 60) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        # etcd on tmpfs when there is one: fsync-heavy, and the data is throwaway.
        shm = Path("/dev/shm")
        data_root = shm if shm.is_dir() and os.access(shm, os.W_OK) else self.workdir
        self._etcd_data = Path(tempfile.mkdtemp(prefix="steersman-etcd-", dir=data_root))
        client, peer = free_port(), free_port()
        etcd_url = f"http://127.0.0.1:{client}"
        self._etcd = _spawn(
            [
                str(self.binaries.etcd),
                "--name=bench",
                f"--data-dir={self._etcd_data}",
                f"--listen-client-urls={etcd_url}",
                f"--advertise-client-urls={etcd_url}",
                f"--listen-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-advertise-peer-urls=http://127.0.0.1:{peer}",
                f"--initial-cluster=bench=http://127.0.0.1:{peer}",
                "--log-level=warn",
            ],
            self.workdir / "etcd.log",
        )
        _wait(
            lambda: _http_ok(f"{etcd_url}/health"),
            "etcd",
            timeout,
            self._etcd,
            self.workdir / "etcd.log",
        )

        self.token = secrets.token_hex(16)
        tokens = self.workdir / "tokens.csv"
        tokens.write_text(f'{self.token},admin,admin,"system:masters"\n')
        key = self.workdir / "sa.key"
        subprocess.run(
            ["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True
        )
        port = free_port()
        self.server = f"https://127.0.0.1:{port}"
        self._api_argv = [
            str(self.binaries.kube_apiserver),
            f"--etcd-servers={etcd_url}",
            "--bind-address=127.0.0.1",
            f"--secure-port={port}",
            f"--cert-dir={self.workdir / 'certs'}",
            f"--token-auth-file={tokens}",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={key}",
            f"--service-account-signing-key-file={key}",
            # A /16: room for 65k Services (a /24 ran out at 254 in the 1000-release benchmark).
            "--service-cluster-ip-range=10.0.0.0/16",
            "--authorization-mode=RBAC",
            "--allow-privileged=true",
            # No controller-manager creates service accounts here, so pods would be refused.
            "--disable-admission-plugins=ServiceAccount",
        ]
        self.start_apiserver(timeout)
        self.kubeconfig = self.workdir / "kubeconfig"
        self.kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\n"
            "clusters:\n- name: bench\n  cluster:\n"
            f"    server: {self.server}\n    insecure-skip-tls-verify: true\n"
            "users:\n- name: admin\n  user:\n"
            f"    token: {self.token}\n"
            "contexts:\n- name: bench\n  context:\n    cluster: bench\n    user: admin\n"
            "    namespace: default\n"
            "current-context: bench\n"
        )
        self.kubeconfig.chmod(0o600)

    def inline_kubeconfig(self, token: str | None = None, server: str | None = None) -> str:
        """A kubeconfig that reads no file: the apiserver's self-signed certificate inline as
        its CA, and `token` (the admin's by default). What a Secret of another cluster holds
        to reach this one (a HelmRelease's spec.kubeConfig)."""
        ca = (self.workdir / "certs" / "apiserver.crt").read_bytes()
        return (
            "apiVersion: v1\nkind: Config\n"
            "clusters:\n- name: remote\n  cluster:\n"
            f"    server: {server or self.server}\n"
            f"    certificate-authority-data: {base64.b64encode(ca).decode()}\n"
            "users:\n- name: remote-admin\n  user:\n"
            f"    token: {token or self.token}\n"
            "contexts:\n- name: remote\n  context:\n    cluster: remote\n    user: remote-admin\n"
            "current-context: remote\n"
        )

    def start_apiserver(self, timeout: float = 60) -> None:
        """(Re)start kube-apiserver: same port, certificates, tokens and etcd as before."""
        self._api = _spawn(self._api_argv, self.workdir / "kube-apiserver.log")
        self.wait_apiserver(timeout)

    def wait_apiserver(self, timeout: float = 60) -> None:
        """Until kube-apiserver answers /readyz (after a start, or a SIGCONT)."""
        assert self._api is not None, "kube-apiserver not started"
        _wait(
            lambda: _http_ok(f"{self.server}/readyz", self.token),
            "kube-apiserver",
            timeout,
            self._api,
            self.workdir / "kube-apiserver.log",
        )

    def kill_apiserver(self) -> None:
        """SIGKILL kube-apiserver (etcd keeps running); `start_apiserver` brings it back."""
        if self._api is not None and self._api.poll() is None:
            os.killpg(self._api.pid, signal.SIGKILL)
            self._api.wait()

    def signal_apiserver(self, sig: signal.Signals) -> None:
        """SIGSTOP freezes kube-apiserver (connections hang, nothing is refused); SIGCONT."""
        assert self._api is not None and self._api.poll() is None, "kube-apiserver not running"
        os.killpg(self._api.pid, sig)

    def stop(self) -> None:
        if self._api is not None and self._api.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._api.pid, signal.SIGCONT)  # a frozen one can't handle SIGTERM
        _stop(self._api)
        _stop(self._etcd)
        self._api = self._etcd = None
        data = getattr(self, "_etcd_data", None)
        if data is not None:
            shutil.rmtree(data, ignore_errors=True)


def _http_ok(url: str, token: str | None = None) -> bool:
    req = urllib.request.Request(url)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(req, timeout=2, context=ctx) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Postgres:
    """A throwaway PostgreSQL 15 cluster: trust for `postgres` on loopback, scram for others."""

    pg_bin: Path
    workdir: Path
    port: int = 0
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _as_owner(self) -> dict[str, object]:
        # PostgreSQL refuses to run as root; drop to the `postgres` system user then.
        if os.geteuid() != 0:
            return {}
        pw = pwd.getpwnam("postgres")
        return {"user": pw.pw_uid, "group": pw.pw_gid, "extra_groups": []}

    def init(self) -> None:
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.data = self.workdir / "data"
        self.sockets = self.workdir / "sock"
        self.sockets.mkdir(exist_ok=True)
        owner = self._as_owner()
        if owner:
            for path in (self.workdir, self.sockets):
                os.chown(path, int(owner["user"]), int(owner["group"]))  # type: ignore[call-overload]
        subprocess.run(
            [
                str(self.pg_bin / "initdb"),
                "-D",
                str(self.data),
                "-U",
                "postgres",
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-E",
                "UTF8",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            **owner,  # type: ignore[call-overload]
        )
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            "local all all trust\n"
            "host all postgres 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n"
        )

    def start(self, timeout: float = 30) -> None:
        if not hasattr(self, "data"):
            self.init()
        self.port = self.port or free_port()
        log = self.workdir / "postgres.log"
        if os.geteuid() == 0 and not log.exists():
            log.touch()
            pw = pwd.getpwnam("postgres")
            os.chown(log, pw.pw_uid, pw.pw_gid)
        self._proc = _spawn(
            [
                str(self.pg_bin / "postgres"),
                "-D",
                str(self.data),
                "-p",
                str(self.port),
                "-k",
                str(self.sockets),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "synchronous_commit=off",
                "-c",
                "full_page_writes=off",
                "-c",
                "max_connections=200",
            ],
            log,
            **self._as_owner(),
        )
        _wait(self._accepting, "PostgreSQL", timeout, self._proc, log)

    def _accepting(self) -> bool:
        res = subprocess.run(
            [str(self.pg_bin / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port), "-q"],
            capture_output=True,
        )
        return res.returncode == 0

    def stop(self) -> None:
        """Fast shutdown (SIGINT: clients are disconnected, not waited for); the data dir stays
        so `start()` can bring the same server back."""
        if self._proc is not None and self._proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGINT)
        _stop(self._proc, timeout=20)
        self._proc = None

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None


@dataclass
class TestBench:
    """All parts together, in one temp dir that `stop()` removes."""

    control_plane: ControlPlane
    postgres: Postgres | None
    postgres_dsn: str
    binaries: Binaries
    root: Path

    @classmethod
    def start(cls, *, with_kube: bool = True, with_postgres: bool = True) -> TestBench:
        binaries = find_binaries()
        root = Path(tempfile.mkdtemp(prefix="steersman-bench-"))
        os.chmod(root, 0o755)  # the postgres user must reach its own subdir
        cp = ControlPlane(binaries, root / "kube")
        pg: Postgres | None = None
        dsn = os.environ.get("STEERSMAN_TEST_PG_DSN", "")
        bench = cls(cp, None, dsn, binaries, root)
        try:
            if with_kube:
                cp.start()
            if with_postgres and not dsn and binaries.pg_bin is not None:
                pg = Postgres(binaries.pg_bin, root / "pg")
                bench.postgres = pg
                pg.start()
                bench.postgres_dsn = pg.dsn
        except BaseException:
            bench.stop()
            raise
        return bench

    def stop(self) -> None:
        self.control_plane.stop()
        if self.postgres is not None:
            self.postgres.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    def describe(self) -> str:
        lines = [
            f"kube-apiserver: {self.control_plane.server or '(not started)'}",
            f"kubeconfig:     {self.control_plane.kubeconfig}",
            f"postgres:       {self.postgres_dsn or '(not started)'}",
            f"helm v3:        {self.binaries.helm_v3}",
            f"helm v4:        {self.binaries.helm_v4}",
            f"workdir:        {self.root}",
        ]
        return "\n".join(lines)


@dataclass(frozen=True)
class RegistryTokenAuth:
    """Token auth settings for OciRegistry: who issues tokens, and the cert that signs them."""

    realm: str
    service: str
    issuer: str
    root_cert_bundle: Path


@dataclass(frozen=True)
class RegistryTls:
    """HTTPS for OciRegistry: its certificate and key files; with `client_ca`, clients must
    present a certificate signed by it (mutual TLS)."""

    certificate: Path
    key: Path
    client_ca: Path | None = None


@dataclass
class OciRegistry:
    """Debian's docker-registry (distribution 2.8) on loopback with a config we write.

    Anonymous by default; `htpasswd` (bcrypt file) or `token` turns on auth, `tls` HTTPS. Several
    instances may share one `storage` dir, e.g. an open one to push into and a protected one to
    pull from.
    """

    workdir: Path
    storage: Path | None = None
    htpasswd: Path | None = None
    token: RegistryTokenAuth | None = None
    tls: RegistryTls | None = None
    port: int = 0
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        binary = shutil.which("docker-registry")
        if binary is None:
            raise TestEnvError("docker-registry not found; run `make provision` (part: registry)")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.storage = self.storage or self.workdir / "storage"
        self.storage.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        auth = ""
        if self.htpasswd is not None:
            auth = f"auth:\n  htpasswd:\n    realm: steersman-test\n    path: {self.htpasswd}\n"
        elif self.token is not None:
            t = self.token
            auth = (
                f"auth:\n  token:\n    realm: {t.realm}\n    service: {t.service}\n"
                f"    issuer: {t.issuer}\n    rootcertbundle: {t.root_cert_bundle}\n"
            )
        tls = ""
        if self.tls is not None:
            tls = f"  tls:\n    certificate: {self.tls.certificate}\n    key: {self.tls.key}\n"
            if self.tls.client_ca is not None:
                tls += f"    clientcas:\n      - {self.tls.client_ca}\n"
        config = self.workdir / "config.yml"
        config.write_text(
            "version: 0.1\n"
            "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
            f"storage:\n  filesystem:\n    rootdirectory: {self.storage}\n"
            "  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{self.port}\n  secret: {secrets.token_hex(16)}\n"
            + tls
            + "health:\n  storagedriver:\n    enabled: false\n"
            + auth
        )
        log = self.workdir / "registry.log"
        self._proc = _spawn([binary, "serve", str(config)], log)
        # /v2/ answers 200 when open and 401 when auth is on: either means it is serving. Over
        # TLS (maybe mutual) an accepted TCP connection is the sign.
        _wait(
            lambda: (
                _accepts(self.port)
                if self.tls is not None
                else _http_status(f"http://{self.address}/v2/") in (200, 401)
            ),
            "docker-registry",
            timeout,
            self._proc,
            log,
        )

    def stop(self) -> None:
        _stop(self._proc)
        self._proc = None


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)
    except (urllib.error.URLError, OSError):
        return 0
