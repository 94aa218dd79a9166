"""What callers pass in (ChartRef, RepoAuth) and get back (FetchedChart)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class ChartRef:
    """A chart to fetch.

    `url` is either an HTTP(S) Helm repository (`https://charts.example.com/stable`, with `name`
    the chart inside it) or an OCI reference `oci://host[:port]/path/name[:tag][@sha256:...]`
    (`name`, when given, is appended as the last path segment, as Flux's OCI HelmRepository does).
    `version` is an exact version, a Masterminds semver constraint (`^1.2`, `>=1, <2`, `1.2.x`),
    empty for the latest stable version, or for OCI a manifest digest `sha256:...`.
    `devel` lets an empty version pick pre-releases too (Helm's `--devel`). `digest` pins an OCI
    chart to one manifest `sha256:...` (Flux's OCIRepository `ref.digest`); an exact `version`
    given with it must be a tag pointing at that manifest. `tag_as_is` pulls an OCI
    reference's tag as written, semver or not, with no tag list (helm's OCI getter does so).
    """

    url: str
    name: str = ""
    version: str = ""
    devel: bool = False
    digest: str = ""
    tag_as_is: bool = False

    @property
    def is_oci(self) -> bool:
        return self.url.startswith("oci://")


@dataclass(frozen=True)
class RegistryCredential:
    """What a registry credential store holds for a host, as oras-go's auth.Credential: a
    username and password, an identity (refresh) token for the OAuth2 token endpoint, or a
    registry (access) token sent as the Bearer token itself. All empty: no credential."""

    username: str = ""
    password: str = field(default="", repr=False)
    refresh_token: str = field(default="", repr=False)
    access_token: str = field(default="", repr=False)

    @property
    def is_empty(self) -> bool:
        return not (self.username or self.password or self.refresh_token or self.access_token)


# host[:port] -> its credential; looked up only when a registry answers 401 (as oras-go does),
# so a credential helper runs only for registries that ask. Raises AuthFailed with the store's
# own error text.
CredentialSource = Callable[[str], Awaitable[RegistryCredential]]


@dataclass(frozen=True)
class RepoAuth:
    """How to connect to and authenticate with one repository or registry.

    Credentials go only to the repository's own scheme+host+port unless `pass_credentials_all`
    (Helm's `--pass-credentials`). PEM fields are for material that comes from a Kubernetes
    Secret rather than a file. `plain_http` allows `http://` for OCI registries (Helm's
    `--plain-http`); HTTP repositories use whatever scheme their URL names.
    """

    username: str = ""
    password: str = field(default="", repr=False)
    ca_file: str | None = None
    ca_pem: bytes | None = None
    cert_file: str | None = None
    key_file: str | None = None
    cert_pem: bytes | None = None
    key_pem: bytes | None = field(default=None, repr=False)
    insecure_skip_tls_verify: bool = False
    pass_credentials_all: bool = False
    plain_http: bool = False
    # For OCI registries, instead of username/password: the registry config's stores (helm's
    # --registry-config, then Docker's), consulted lazily.
    credentials: CredentialSource | None = field(default=None, compare=False, repr=False)

    @property
    def has_credentials(self) -> bool:
        # Helm sends basic auth only when both parts are set.
        return bool(self.username and self.password)

    @property
    def has_tls_options(self) -> bool:
        return bool(
            self.ca_file
            or self.ca_pem
            or self.cert_file
            or self.cert_pem
            or self.insecure_skip_tls_verify
        )


@dataclass(frozen=True)
class FetchedChart:
    """A resolved and verified chart archive.

    `digest` is `sha256:<hex>` of the .tgz bytes; `path` is its file in the on-disk cache (it may
    be evicted later, `data` stays valid). `manifest_digest` is set for OCI charts.
    `provenance` is the chart's signed `.prov` when fetch_chart was asked for it and the
    source has one (None otherwise); nothing here checks its signature.
    """

    name: str
    version: str
    digest: str
    data: bytes = field(repr=False)
    path: Path
    source_url: str
    manifest_digest: str | None = None
    from_cache: bool = False
    provenance: bytes | None = field(default=None, repr=False)
