"""Pure parts of how `steersman template --dependency-update` connects like helm v4.1.4's
getters: a repositories.yaml entry's options, the registry client's flags, where credentials
go, tlsutil's errors and Go's texts for failed requests. The flow against real HTTPS
repositories and registries, next to helm, is tests/integration/test_template_dependency_tls.py."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp
from aiohttp.client_reqrep import ConnectionKey

from hack.testkit.chart_servers import make_tls_material
from steersman.chart.sources import RepoAuth
from steersman.chart.sources.goerrors import go_error
from steersman.chart.sources.index import parse_index
from steersman.commands.template_depup import Settings, _archive_options, _Repo
from steersman.commands.template_depup_http import _same_host, entry_auth, usable_auth
from steersman.commands.template_tls import tls_config_error, wants_tls_config

_KEY = ConnectionKey("127.0.0.1", 8443, True, True, None, None, None, None)


def test_an_entry_gives_its_tls_files_and_credentials() -> None:
    entry = {
        "name": "r", "url": "https://r", "username": "u", "password": "p", "caFile": "/ca",
        "certFile": "/c", "keyFile": "/k", "insecure_skip_tls_verify": True,
        "pass_credentials_all": True,
    }  # fmt: skip
    assert entry_auth(entry) == RepoAuth(
        "u", "p", ca_file="/ca", cert_file="/c", key_file="/k",
        insecure_skip_tls_verify=True, pass_credentials_all=True,
    )  # fmt: skip
    assert entry_auth({"name": "r", "url": "https://r"}) == RepoAuth()


def test_registry_flags_drop_plain_http_when_helm_builds_a_tls_client() -> None:
    url = "oci://r.example/charts/sub"
    plain = Settings("", "", plain_http=True, username="u", password="p")
    assert plain.registry_auth(url) == RepoAuth("u", "p", plain_http=True)
    tls = Settings("", "", plain_http=True, insecure_skip_tls_verify=True)
    assert tls.registry_auth(url) == RepoAuth(insecure_skip_tls_verify=True)
    # a certificate without its key builds no TLS client: it is not used at all
    assert Settings("", "", cert_file="/c").registry_auth(url) == RepoAuth()


def test_tls_options_apply_only_when_helm_builds_a_tls_config() -> None:
    assert not wants_tls_config("", "/c", "", False)
    assert wants_tls_config("", "", "", True)
    assert usable_auth(RepoAuth("u", "p", cert_file="/c")) == RepoAuth("u", "p")
    with_ca = RepoAuth(ca_file="/ca", cert_file="/c")
    assert usable_auth(with_ca) == with_ca


def test_credentials_follow_gos_scheme_and_host() -> None:
    assert _same_host("https://h:8443/a", "https://h:8443/b/x.tgz")
    assert not _same_host("https://h/a", "https://h:443/a")  # Go compares Host as written
    assert not _same_host("http://h/a", "https://h/a")


def test_tls_file_errors_are_tlsutils(tmp_path: Path) -> None:
    missing = tmp_path / "missing.crt"
    assert tls_config_error(str(missing), "", "") == (
        f'can\'t read CA file: "{missing}": open {missing}: no such file or directory'
    )
    garbage = tmp_path / "garbage"
    garbage.write_text("nope\n")
    assert tls_config_error(str(garbage), "", "") == "failed to append certificates from pem block"
    material = make_tls_material()
    cert, key, other = tmp_path / "c.crt", tmp_path / "c.key", tmp_path / "o.key"
    cert.write_bytes(material.client_cert_pem)
    key.write_bytes(material.client_key_pem)
    other.write_bytes(make_tls_material().client_key_pem)
    assert tls_config_error("", str(cert), str(key)) is None
    assert tls_config_error("", str(cert), "") == (
        'unable to read key file: "": open : no such file or directory'
    )
    assert tls_config_error("", str(cert), str(other)) == (
        "unable to load cert from key pair: tls: private key does not match public key"
    )
    assert tls_config_error("", str(garbage), str(key)) == (
        "unable to load cert from key pair: tls: failed to find any PEM data in certificate input"
    )
    # both files' read errors, joined as errors.Join joins them
    both = tls_config_error(str(missing), str(missing), str(key))
    assert both is not None and both.count("\n") == 1


def test_failed_requests_read_as_go_prints_them() -> None:
    unknown = ssl.SSLCertVerificationError(1, "certificate verify failed")
    unknown.verify_code = 20
    assert go_error(aiohttp.ClientConnectorCertificateError(_KEY, unknown)) == (
        "tls: failed to verify certificate: x509: certificate signed by unknown authority"
    )
    refused = aiohttp.ClientConnectorError(_KEY, ConnectionRefusedError(111, "refused"))
    assert go_error(refused) == "dial tcp 127.0.0.1:8443: connect: connection refused"
    assert go_error(aiohttp.ServerDisconnectedError()) == "EOF"
    alert = ssl.SSLError(1, "[SSL: SSLV3_ALERT_BAD_CERTIFICATE] sslv3 alert bad certificate")
    alert.reason = "SSLV3_ALERT_BAD_CERTIFICATE"
    assert go_error(aiohttp.ClientConnectorSSLError(_KEY, alert)) == (
        "remote error: tls: bad certificate"
    )


def _repo(name: str, url: str, entry: dict[str, object], urls: list[str]) -> _Repo:
    items = "".join(f"    - {u}\n" for u in urls)
    index = parse_index(
        f"apiVersion: v1\nentries:\n  sub:\n  - name: sub\n    version: 0.1.0\n    urls:\n{items}"
        .encode(), name,
    )  # fmt: skip
    return _Repo(name, url, {"name": name, "url": url, **entry}, index)


def test_an_archive_url_named_by_a_configured_index_takes_that_entrys_options() -> None:
    """ResolveChartVersion's scan: the owner's TLS files and credentials, and its URL as the
    credentials' origin; otherwise the dependency's own entry and the archive's URL."""
    own = _repo("own", "https://own/charts", {"username": "a", "password": "1"}, ["sub.tgz"])
    lender = _repo(
        "lender", "https://lender", {"username": "b", "password": "2", "caFile": "/ca"},
        ["https://cdn/sub-0.1.0.tgz"],
    )  # fmt: skip
    repos = {"own": own, "lender": lender}
    relative = _archive_options("https://own/charts/sub.tgz", own, repos)
    assert (relative.origin, relative.auth) == ("https://own/charts/sub.tgz", own.auth)
    lent = _archive_options("https://cdn/sub-0.1.0.tgz", own, repos)
    assert lent.origin == "https://lender"
    assert (lent.auth.username, lent.auth.password, lent.auth.ca_file) == ("b", "2", "/ca")
