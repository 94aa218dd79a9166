"""`steersman template --dependency-update` next to helm v4.1.4 for repositories that need TLS
files or credentials: a repositories.yaml entry's caFile/certFile/keyFile/username/password/
insecure_skip_tls_verify/pass_credentials_all reach the index and archive downloads of that
repository only; the CLI's --ca-file/--cert-file/--key-file/--username/--password reach oci://
dependencies only. Same stdout, stderr, exit code, charts/ and Chart.lock as helm's, success
or failure."""

from __future__ import annotations

import asyncio
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from hack.testkit.chart_servers import (
    RepoServer,
    TlsMaterial,
    helm,
    helm_package,
    make_tls_material,
    mutual_tls_registries,
    write_tiny_chart,
)
from tests.integration.test_template_dependency_update import _parent, _run_both

pytestmark = [pytest.mark.integration, pytest.mark.interop]

USER, PASSWORD = "depuser", "dep-Pa55word"
Result = dict[str, tuple[int, str, str, list[str], str]]
_RACY = re.compile(r'(\tGet "[^"]*": ).*')


@dataclass(frozen=True)
class Tls:
    material: TlsMaterial
    ca: Path
    cert: Path  # a client certificate the CA signed
    key: Path


@pytest.fixture(scope="module")
def tls(tmp_path_factory: pytest.TempPathFactory) -> Tls:
    root = tmp_path_factory.mktemp("tls")
    material = make_tls_material()
    files = {
        "ca.crt": material.ca_pem,
        "client.crt": material.client_cert_pem,
        "client.key": material.client_key_pem,
    }
    for name, pem in files.items():
        (root / name).write_bytes(pem)
    return Tls(material, root / "ca.crt", root / "client.crt", root / "client.key")


@pytest.fixture(scope="module")
def archives(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """sub 0.1.0 and 0.2.0 with an index of relative URLs, in a/ and b/ alike."""
    src = write_tiny_chart(tmp_path_factory.mktemp("sub-src"), "sub")
    root = tmp_path_factory.mktemp("archives")
    for part in ("a", "b"):
        for version in ("0.1.0", "0.2.0"):
            helm_package(helm_v4, helm_home_env, src, version, root / part)
        helm(helm_v4, helm_home_env, "repo", "index", str(root / part))
    return root


@pytest.fixture(scope="module")
async def servers(
    archives: Path, tls: Tls, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[dict[str, RepoServer]]:
    """https (private CA), mtls (and a client certificate), auth (plain HTTP, basic auth)."""
    where = tmp_path_factory.mktemp("server-tls")
    started = {
        "https": RepoServer(archives, ssl_context=tls.material.server_context(where)),
        "mtls": RepoServer(
            archives,
            ssl_context=tls.material.server_context(where, require_client_cert=True),
        ),
        "auth": RepoServer(archives, username=USER, password=PASSWORD),
    }
    for server in started.values():
        await server.start()
    yield started
    for server in started.values():
        await server.stop()


def _config(where: Path, **entries: dict[str, Any]) -> list[str]:
    """repositories.yaml with these entries (name -> fields); the flags naming it and a
    repository cache of its own."""
    where.mkdir(parents=True, exist_ok=True)
    repos = [{"name": name, **fields} for name, fields in entries.items()]
    config = where / "repositories.yaml"
    config.write_text(yaml.safe_dump({"apiVersion": "", "repositories": repos}))
    return ["--repository-config", str(config), "--repository-cache", str(where / "cache")]


async def _both(
    helm_v4: Path, env: dict[str, str], chart: Path, where: Path, *flags: str
) -> Result:
    return await asyncio.to_thread(_run_both, helm_v4, env, chart, where, *flags)


def _any_order(stdout: str) -> str:
    """helm updates the repositories in parallel: their progress entries ("...", each with its
    tab-indented detail lines) come in any order, in helm's output as in steersman's."""
    entries: list[str] = []
    rest: list[str] = []
    for line in stdout.splitlines(keepends=True):
        if line.startswith("..."):
            entries.append(line)
        elif line.startswith("\t") and entries:
            entries[-1] += line
        else:
            rest.append(line)
    return "".join(rest) + "".join(sorted(entries))


def _ordered(got: Result) -> Result:
    return {who: (r[0], _any_order(r[1]), *r[2:]) for who, r in got.items()}


def _same_success(got: Result) -> None:
    got = _ordered(got)
    assert got["helm"][0] == 0, got["helm"][1] + got["helm"][2]
    assert got["helm"][3] == ["sub-0.2.0.tgz"]
    assert "name: sub\n" in got["helm"][4]
    assert got["steersman"] == got["helm"]


def _same_failure(got: Result, *expected: str, racy: bool = False) -> None:
    """Both fail with one `Error:` line (no traceback) and print the same; `expected` are
    parts of helm's output (stdout + stderr). `racy`: how a failed request reads (EOF, a
    reset) depends on timing, for helm too, so that part of the progress lines is left out."""
    if racy:
        got = {who: (r[0], _RACY.sub(r"\1", r[1]), *r[2:]) for who, r in got.items()}
    got = _ordered(got)
    assert got["helm"][0] == 1, got["helm"]
    assert got["helm"][2].startswith("Error: ") and got["helm"][2].count("\n") == 1
    for part in expected:
        assert part in got["helm"][1] + got["helm"][2], (part, got["helm"])
    assert "Traceback" not in got["steersman"][2]
    assert got["steersman"] == got["helm"]


async def test_ca_file_of_the_entry_verifies_the_repository(
    servers: dict[str, RepoServer],
    tls: Tls,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """With the entry's caFile the index and archive download; without it (or with one that
    is not there) both fail the same way, and the CLI's --ca-file does not reach an HTTP
    dependency; insecure_skip_tls_verify needs no CA."""
    url = servers["https"].url + "/a"
    chart = _parent(tmp_path / "src", url, "~0.2")
    flags = _config(tmp_path / "with-ca", subs={"url": url, "caFile": str(tls.ca)})
    _same_success(await _both(helm_v4, helm_home_env, chart, tmp_path / "ok", *flags))

    unknown = "x509: certificate signed by unknown authority"
    flags = _config(tmp_path / "no-ca", subs={"url": url})
    _same_failure(
        await _both(helm_v4, helm_home_env, chart, tmp_path / "no-ca-run", *flags),
        f'...Unable to get an update from the "subs" chart repository ({url}):',
        unknown,
        "no cached repository for subs found",
    )
    flags = _config(tmp_path / "cli-ca", subs={"url": url})
    got = await _both(
        helm_v4, helm_home_env, chart, tmp_path / "cli-ca-run", *flags, "--ca-file", str(tls.ca)
    )
    _same_failure(got, unknown)

    # another entry whose update fails for want of its CA leaves no index: helm gives up too
    other = {"url": servers["https"].url + "/b"}
    flags = _config(tmp_path / "other", subs={"url": url, "caFile": str(tls.ca)}, other=other)
    _same_failure(
        await _both(helm_v4, helm_home_env, chart, tmp_path / "other-run", *flags),
        unknown,
        "other-index.yaml: no such file or directory",
    )

    flags = _config(tmp_path / "gone", subs={"url": url, "caFile": str(tmp_path / "nope.crt")})
    _same_failure(
        await _both(helm_v4, helm_home_env, chart, tmp_path / "gone-run", *flags),
        "\tcan't create TLS config for client: can't read CA file:",
    )

    flags = _config(tmp_path / "insecure", subs={"url": url, "insecure_skip_tls_verify": True})
    _same_success(await _both(helm_v4, helm_home_env, chart, tmp_path / "insecure-run", *flags))


async def test_client_certificate_of_the_entry_passes_mutual_tls(
    servers: dict[str, RepoServer],
    tls: Tls,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    url = servers["mtls"].url + "/a"
    chart = _parent(tmp_path / "src", url, "~0.2")
    entry = {"url": url, "caFile": str(tls.ca), "certFile": str(tls.cert), "keyFile": str(tls.key)}
    flags = _config(tmp_path / "cert", subs=entry)
    _same_success(await _both(helm_v4, helm_home_env, chart, tmp_path / "ok", *flags))

    flags = _config(tmp_path / "no-cert", subs={"url": url, "caFile": str(tls.ca)})
    _same_failure(
        await _both(helm_v4, helm_home_env, chart, tmp_path / "no-cert-run", *flags),
        f'Get "{url}/index.yaml": ',  # the server hangs up on a client without one
        racy=True,
    )


async def test_credentials_go_to_the_entrys_url_only(
    servers: dict[str, RepoServer], helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """The entry's username/password open its repository; the same server under a URL that
    is not in repositories.yaml gets no credentials (helm's 401), the CLI's --username and
    --password not either."""
    base = servers["auth"].url
    entry = {"url": base + "/a", "username": USER, "password": PASSWORD}
    flags = _config(tmp_path / "cfg", subs=entry)
    chart = _parent(tmp_path / "src", base + "/a", "~0.2")
    _same_success(await _both(helm_v4, helm_home_env, chart, tmp_path / "ok", *flags))

    other = _parent(tmp_path / "other", base + "/b", "~0.2")
    flags = _config(tmp_path / "cfg-other", subs=entry)
    got = await _both(
        helm_v4,
        helm_home_env,
        other,
        tmp_path / "other-run",
        *flags,
        "--username",
        USER,
        "--password",
        PASSWORD,
    )
    _same_failure(got, f"failed to fetch {base}/b/index.yaml : 401 Unauthorized")

    flags = _config(tmp_path / "cfg-wrong", subs={**entry, "password": "wrong"})
    _same_failure(
        await _both(helm_v4, helm_home_env, chart, tmp_path / "wrong-run", *flags),
        "401 Unauthorized",
    )


async def test_archive_on_another_host_gets_credentials_with_pass_credentials_all(
    archives: Path, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """An index naming archives on another server: the credentials go there only with the
    entry's pass_credentials_all."""
    archive_server = RepoServer(archives / "b", username=USER, password=PASSWORD)
    index_dir = tmp_path / "index"
    index_dir.mkdir()
    index_server = RepoServer(index_dir, username=USER, password=PASSWORD)
    await archive_server.start()
    await index_server.start()
    try:
        for version in ("0.1.0", "0.2.0"):
            shutil.copy(archives / "b" / f"sub-{version}.tgz", index_dir)
        await asyncio.to_thread(
            helm, helm_v4, helm_home_env, "repo", "index", str(index_dir), "--url",
            archive_server.url,
        )  # fmt: skip
        entry = {"url": index_server.url, "username": USER, "password": PASSWORD}
        chart = _parent(tmp_path / "src", index_server.url, "~0.2")
        flags = _config(tmp_path / "cfg", subs=entry)
        _same_failure(
            await _both(helm_v4, helm_home_env, chart, tmp_path / "no-pass", *flags),
            f"could not download {archive_server.url}/sub-0.2.0.tgz",
            "401 Unauthorized",
        )
        flags = _config(tmp_path / "cfg-pass", subs={**entry, "pass_credentials_all": True})
        _same_success(await _both(helm_v4, helm_home_env, chart, tmp_path / "pass", *flags))
    finally:
        await index_server.stop()
        await archive_server.stop()


@pytest.fixture(scope="module")
async def mtls_registry(
    archives: Path,
    tls: Tls,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
) -> AsyncIterator[str]:
    """host:port of a registry over HTTPS demanding a client certificate and basic auth,
    serving the storage of an open one that sub 0.1.0 and 0.2.0 are pushed into."""
    root = tmp_path_factory.mktemp("mtls-registry")
    async with mutual_tls_registries(root, tls.material, {USER: PASSWORD}) as (open_one, guarded):
        for version in ("0.1.0", "0.2.0"):
            await asyncio.to_thread(
                helm, helm_v4, helm_home_env, "push", str(archives / "a" / f"sub-{version}.tgz"),
                f"oci://{open_one.address}/deps", "--plain-http",
            )  # fmt: skip
        yield guarded.address


async def test_cli_tls_flags_and_credentials_reach_oci_dependencies(
    mtls_registry: str, tls: Tls, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """--ca-file/--cert-file/--key-file/--username/--password: an exact version and a
    constraint resolved from the tags; without the client certificate both fail."""
    flags = ["--ca-file", str(tls.ca), "--cert-file", str(tls.cert), "--key-file", str(tls.key)]
    creds = ["--username", USER, "--password", PASSWORD]
    for wanted in ("0.2.0", "~0.2"):
        chart = _parent(tmp_path / wanted / "src", f"oci://{mtls_registry}/deps", wanted)
        got = await _both(helm_v4, helm_home_env, chart, tmp_path / wanted, *flags, *creds)
        _same_success(got)
    chart = _parent(tmp_path / "no-cert" / "src", f"oci://{mtls_registry}/deps", "0.2.0")
    got = await _both(
        helm_v4, helm_home_env, chart, tmp_path / "no-cert", "--ca-file", str(tls.ca), *creds
    )
    assert got["helm"][0] == got["steersman"][0] == 1
    for who in ("helm", "steersman"):
        stderr = got[who][2]
        assert stderr.startswith("Error: ") and stderr.count("\n") == 1, (who, stderr)
        assert "could not download oci://" in stderr, (who, stderr)


async def test_tls_flags_win_over_plain_http_for_oci_dependencies(
    oci_registry: str, archives: Path, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """helm builds its TLS registry client, which never speaks plain HTTP, when a TLS flag is
    set: --plain-http with --insecure-skip-tls-verify fails on a plain-HTTP registry."""
    await asyncio.to_thread(
        helm, helm_v4, helm_home_env, "push", str(archives / "a" / "sub-0.2.0.tgz"),
        f"oci://{oci_registry}/deptls-plain", "--plain-http",
    )  # fmt: skip
    chart = _parent(tmp_path / "src", f"oci://{oci_registry}/deptls-plain", "0.2.0")
    _same_success(await _both(helm_v4, helm_home_env, chart, tmp_path / "ok", "--plain-http"))
    got = await _both(
        helm_v4, helm_home_env, chart, tmp_path / "tls", "--plain-http",
        "--insecure-skip-tls-verify",
    )  # fmt: skip
    assert got["helm"][0] == got["steersman"][0] == 1
    for who in ("helm", "steersman"):
        stderr = got[who][2]
        assert stderr.startswith("Error: could not download oci://"), (who, stderr)
        assert stderr.count("\n") == 1, (who, stderr)


async def test_unusable_tls_files_are_helms_errors(
    servers: dict[str, RepoServer],
    tls: Tls,
    helm_v4: Path,
    helm_home_env: dict[str, str],
    tmp_path: Path,
) -> None:
    """tlsutil.NewTLSConfig's errors: for the registry client's flags (checked before
    anything else), and for a repositories.yaml entry (in the index update's line)."""
    other_key = tmp_path / "other.key"
    other_key.write_bytes(make_tls_material().client_key_pem)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    url = servers["mtls"].url + "/a"
    chart = _parent(tmp_path / "src", url, "~0.2")
    cases = {
        "ca-not-pem": ["--ca-file", str(garbage)],
        "key-mismatch": ["--cert-file", str(tls.cert), "--key-file", str(other_key)],
        "cert-not-pem": ["--cert-file", str(garbage), "--key-file", str(tls.key)],
        "no-key": ["--ca-file", str(tls.ca), "--cert-file", str(tls.cert)],
    }
    for case, flags in cases.items():
        got = await _both(helm_v4, helm_home_env, chart, tmp_path / case, *flags)
        _same_failure(got, "Error: missing registry client: can't create TLS config for client: ")
    entry = {
        "url": url,
        "caFile": str(tls.ca),
        "certFile": str(tls.cert),
        "keyFile": str(other_key),
    }
    flags = _config(tmp_path / "cfg", subs=entry)
    _same_failure(
        await _both(helm_v4, helm_home_env, chart, tmp_path / "entry", *flags),
        "\tcan't create TLS config for client: unable to load cert from key pair: ",
    )
