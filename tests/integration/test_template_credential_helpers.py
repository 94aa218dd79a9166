"""`steersman template` next to helm v4.1.4 when --registry-config names credential helpers or
holds tokens: credHelpers[host] before credsStore before auths, the `docker-credential-<name>
get` protocol (shell scripts on a PATH of the test's own), identity tokens traded at the token
service with oras-go's OAuth2 POST, registry tokens sent as they are, and every failure's text
(helper missing, failing, printing bad JSON; no credential; refused). Each case: the same exit
code, stdout and stderr bytes."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from hack.testenv import OciRegistry, RegistryTokenAuth
from hack.testkit.chart_servers import (
    TokenServer,
    helm,
    helm_package,
    write_htpasswd,
    write_tiny_chart,
)
from tests.integration.test_template_dependency_update import _parent, _run_both

pytestmark = [pytest.mark.integration, pytest.mark.interop]

USER, PASSWORD = "helperuser", "help-Pa55word"
IDENTITY_TOKEN = "identity-token-0451"
Run = tuple[int, str, str]

# name -> shell script body; each logs the server address it was asked for to $HELPER_LOG
HELPERS = {
    "ok": f'printf \'{{"ServerURL":"%s","Username":"{USER}","Secret":"{PASSWORD}"}}\' "$addr"',
    "token": f'echo \'{{"ServerURL":"x","Username":"<token>","Secret":"{IDENTITY_TOKEN}"}}\'',
    "fail": 'echo "helper on stderr" >&2; echo "the keychain is locked"; exit 3',
    "quiet": 'echo "helper on stderr" >&2; exit 4',
    "notfound": 'echo "credentials not found in native keychain"; exit 1',
    "badjson": "echo not json",
    "wrongtype": 'echo \'{"Username": 7, "Secret": "x"}\'',
    "array": "echo '[1]'",
}


@dataclass
class Registries:
    basic: str  # host:port demanding basic auth
    token: str  # host:port demanding tokens from `tokens`
    tokens: TokenServer
    helpers: Path  # a PATH dir with the docker-credential-* scripts


@pytest.fixture(scope="module")
async def registries(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Registries]:
    root = tmp_path_factory.mktemp("cred-helpers")
    storage = root / "storage"
    tokens = TokenServer(
        workdir=root / "tokens",
        users={USER: PASSWORD},
        refresh_tokens={IDENTITY_TOKEN: USER},
    )
    await tokens.start()
    token_auth = RegistryTokenAuth(tokens.realm, tokens.service, tokens.issuer, tokens.bundle)
    open_one = OciRegistry(root / "open", storage=storage)
    htpasswd = write_htpasswd(root / "htpasswd", {USER: PASSWORD})
    basic = OciRegistry(root / "basic", storage=storage, htpasswd=htpasswd)
    token = OciRegistry(root / "token", storage=storage, token=token_auth)
    started = []
    helpers = root / "bin"
    helpers.mkdir()
    for name, body in HELPERS.items():
        script = helpers / f"docker-credential-{name}"
        script.write_text(f'#!/bin/sh\nread addr\necho "$addr" >> "$HELPER_LOG"\n{body}\n')
        script.chmod(0o755)
    try:
        for registry in (open_one, basic, token):
            await asyncio.to_thread(registry.start)
            started.append(registry)
        src = write_tiny_chart(root / "src", "sub")
        archive = await asyncio.to_thread(
            helm_package, helm_v4, helm_home_env, src, "0.2.0", root / "archives"
        )
        await asyncio.to_thread(
            helm, helm_v4, helm_home_env, "push", str(archive),
            f"oci://{open_one.address}/charts", "--plain-http",
        )  # fmt: skip
        yield Registries(basic.address, token.address, tokens, helpers)
    finally:
        for registry in started:
            await asyncio.to_thread(registry.stop)
        await tokens.stop()


def _env(base: dict[str, str], where: Path, helpers: Path) -> dict[str, str]:
    """helm's dirs of this test's own, no Docker credentials, the helpers first on PATH."""
    (where / "docker").mkdir(parents=True, exist_ok=True)
    return dict(
        base,
        HELM_CONFIG_HOME=str(where / "config"),
        DOCKER_CONFIG=str(where / "docker"),
        KUBECONFIG=os.devnull,
        PATH=f"{helpers}{os.pathsep}{os.environ.get('PATH', '')}",
    )


def _template_both(env: dict[str, str], helm_v4: Path, log: Path, *args: str) -> dict[str, Run]:
    """Both runs; each helper call's server address is checked to be the same for both."""
    got: dict[str, Run] = {}
    asked = {}
    for who, argv in (
        ("helm", [str(helm_v4)]),
        ("steersman", [sys.executable, "-m", "steersman"]),
    ):
        log.write_text("")
        res = subprocess.run(
            [*argv, "template", "rel", *args],
            capture_output=True,
            text=True,
            env=dict(env, HELPER_LOG=str(log)),
            timeout=120,
        )
        got[who] = (res.returncode, res.stdout, res.stderr)
        asked[who] = log.read_text()
    assert asked["steersman"] == asked["helm"], asked
    return got


def _auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _basic_cases(host: str) -> list[tuple[dict[str, object], str]]:
    """(registry config, what helm's stderr shows) for the basic-auth registry."""
    good = {"auth": _auth(USER, PASSWORD)}
    return [
        ({}, "basic credential not found"),
        ({"credHelpers": {host: "absent"}}, 'exec: "docker-credential-absent": executable'),
        ({"credsStore": "absent", "auths": {host: good}}, "executable file not found"),
        ({"credHelpers": {host: "fail"}}, "failed to resolve credential: the keychain is locked"),
        ({"credHelpers": {host: "quiet"}}, "failed to resolve credential: exit status 4"),
        ({"credHelpers": {host: "notfound"}}, "basic credential not found"),
        ({"credsStore": "notfound", "auths": {host: good}}, "basic credential not found"),
        ({"credHelpers": {host: "badjson"}}, "invalid character 'o' in literal null"),
        ({"credHelpers": {host: "wrongtype"}}, "cannot unmarshal number into Go struct field"),
        ({"credHelpers": {host: "array"}}, "cannot unmarshal array into Go value"),
        ({"credHelpers": {host: "token"}}, "missing username or password for basic auth"),
        ({"credHelpers": {host: "ok"}}, "Pulled: "),
        ({"credsStore": "ok"}, "Pulled: "),
        # credHelpers keys are matched exactly; auths keys as hosts
        ({"credHelpers": {f"https://{host}": "fail"}, "auths": {host: good}}, "Pulled: "),
        ({"credHelpers": {"other.example": "fail"}, "credsStore": "ok"}, "Pulled: "),
        ({"auths": {f"https://{host}/v1/": good}}, "Pulled: "),
        ({"auths": {host: {"identitytoken": IDENTITY_TOKEN}}}, "missing username or password"),
        ({"auths": {host: {"auth": "@@@@"}}}, "illegal base64 data at input byte 0"),
        ({"auths": {host: "x"}}, "failed to unmarshal auth field: invalid config format"),
        ({"auths": {host: {"auth": _auth(USER, "wrong")}}}, "response status code 401"),
    ]


async def test_credential_helpers_and_auths_against_basic_auth(
    registries: Registries, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """An exact version (helm's FetchReference of the manifest) and a constraint (the tag
    list first): credential lookups happen at the 401, with the texts of oras-go."""
    host = registries.basic
    env = _env(helm_home_env, tmp_path, registries.helpers)
    cases = [(doc, shows, v) for doc, shows in _basic_cases(host) for v in ("0.2.0", "~0.2")]
    slots = asyncio.Semaphore(4)  # a few at a time, each with its own config and helper log

    async def run(n: int, doc: dict[str, object], version: str) -> dict[str, Run]:
        config, log = tmp_path / f"registry-{n}.json", tmp_path / f"helper-{n}.log"
        config.write_text(json.dumps(doc))
        args = [f"oci://{host}/charts/sub", "--version", version, "--plain-http"]
        async with slots:
            return await asyncio.to_thread(
                _template_both, env, helm_v4, log, *args, "--registry-config", str(config)
            )

    results = await asyncio.gather(*(run(n, d, v) for n, (d, _, v) in enumerate(cases)))
    same = 0
    for (doc, shows, version), got in zip(cases, results, strict=True):
        code, out, err = got["helm"]
        assert shows in err, (doc, version, err)
        assert code == (0 if shows == "Pulled: " else 1), (doc, err)
        if code == 0:
            assert '  version: "0.2.0"\n' in out
        else:
            assert out == "" and err.count("Error: ") == 1, (doc, err)
        assert got["steersman"] == got["helm"], (doc, version)
        same += 1
    assert same == 2 * len(_basic_cases(host))


async def test_a_helpers_stderr_reaches_ours(
    registries: Registries, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """oras-go hands the helper our stderr: its line comes before helm's Error line."""
    env = _env(helm_home_env, tmp_path, registries.helpers)
    config = tmp_path / "registry.json"
    config.write_text(json.dumps({"credHelpers": {registries.basic: "fail"}}))
    args = [f"oci://{registries.basic}/charts/sub", "--version", "0.2.0", "--plain-http"]
    got = await asyncio.to_thread(
        _template_both, env, helm_v4, tmp_path / "log", *args, "--registry-config", str(config)
    )
    assert got["helm"][2].startswith("helper on stderr\nError: "), got["helm"]
    assert got["steersman"] == got["helm"]


async def test_identity_and_registry_tokens(
    registries: Registries, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """A token registry: an identity token (a helper's `<token>` user, or `identitytoken` in
    auths) is POSTed to the realm as a refresh_token grant with client_id oras-go; a
    `registrytoken` is the Bearer token itself; username/password go to the realm by GET."""
    host, tokens = registries.token, registries.tokens
    env = _env(helm_home_env, tmp_path, registries.helpers)
    config, log = tmp_path / "registry.json", tmp_path / "helper.log"
    registry_token = tokens.pull_token(USER, "repository:charts/sub:pull")
    cases: list[tuple[dict[str, object], str]] = [
        ({"credHelpers": {host: "token"}}, "Pulled: "),
        ({"auths": {host: {"identitytoken": IDENTITY_TOKEN}}}, "Pulled: "),
        ({"auths": {host: {"registrytoken": registry_token}}}, "Pulled: "),
        ({"auths": {host: {"username": USER, "password": PASSWORD}}}, "Pulled: "),
        ({"credsStore": "ok"}, "Pulled: "),
        ({}, f'GET "{tokens.realm}?scope=repository%3Acharts%2Fsub%3Apull&service='),
        ({"auths": {host: {"identitytoken": "not-known"}}}, "unauthorized: unknown identity"),
        # a Bearer lookup's error is not prefixed "failed to resolve credential"
        ({"credHelpers": {host: "fail"}}, '/manifests/0.2.0": the keychain is locked'),
        ({"credHelpers": {host: "absent"}}, 'exec: "docker-credential-absent"'),
    ]
    for doc, shows in cases:
        config.write_text(json.dumps(doc))
        tokens.refreshed.clear()
        args = [f"oci://{host}/charts/sub", "--version", "0.2.0", "--plain-http"]
        got = await asyncio.to_thread(
            _template_both, env, helm_v4, log, *args, "--registry-config", str(config)
        )
        code, _out, err = got["helm"]
        assert shows in err and code == (0 if shows == "Pulled: " else 1), (doc, err)
        assert got["steersman"] == got["helm"], doc
        uses_identity = "identitytoken" in json.dumps(doc) or doc.get("credHelpers") == {
            host: "token"
        }
        if uses_identity:
            # helm's POST, then ours: the same form
            assert len(tokens.refreshed) == 2, tokens.refreshed
            assert tokens.refreshed[0] == tokens.refreshed[1]
            form = tokens.refreshed[0]
            assert form["grant_type"] == "refresh_token" and form["client_id"] == "oras-go"
            assert form["scope"] == "repository:charts/sub:pull"
            assert form["service"] == tokens.service
        else:
            assert tokens.refreshed == []


async def test_credential_helpers_for_oci_dependencies(
    registries: Registries, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """--dependency-update: an exact version and a constraint, with a helper that answers and
    one that fails (helm's `could not download` / `could not retrieve list of tags`)."""
    host = registries.basic
    env = _env(helm_home_env, tmp_path, registries.helpers)
    for helper in ("ok", "fail"):
        config = tmp_path / f"{helper}.json"
        config.write_text(json.dumps({"credHelpers": {host: helper}}))
        for wanted in ("0.2.0", "~0.2"):
            where = tmp_path / helper / wanted
            chart = _parent(where / "src", f"oci://{host}/charts", wanted)
            got = await asyncio.to_thread(
                _run_both, helm_v4, dict(env, HELPER_LOG=str(tmp_path / "log")), chart, where,
                "--plain-http", "--registry-config", str(config),
            )  # fmt: skip
            code, _out, err, charts, _lock = got["helm"]
            if helper == "ok":
                assert code == 0 and charts == ["sub-0.2.0.tgz"], err
            else:
                assert code == 1 and "the keychain is locked" in err, err
            assert got["steersman"] == got["helm"], (helper, wanted)


async def test_digest_references(
    registries: Registries, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """`sub@DIGEST` and `sub:TAG@DIGEST`: helm ignores a failed Resolve of the tag (a 401 too)
    and fails at the manifest's FetchReference, running the helper for each request."""
    host = registries.basic
    env = _env(helm_home_env, tmp_path, registries.helpers)
    config, log = tmp_path / "registry.json", tmp_path / "helper.log"
    config.write_text(json.dumps({"credHelpers": {host: "ok"}}))
    first = await asyncio.to_thread(
        _template_both, env, helm_v4, log, f"oci://{host}/charts/sub", "--version", "0.2.0",
        "--plain-http", "--registry-config", str(config),
    )  # fmt: skip
    digest = first["helm"][2].split("Digest: ", 1)[1].strip()
    assert digest.startswith("sha256:") and first["steersman"] == first["helm"]
    docs: list[dict[str, object]] = [
        {},
        {"credHelpers": {host: "fail"}},
        {"auths": {host: {"auth": _auth(USER, "wrong")}}},
        {"credHelpers": {host: "ok"}},
    ]
    for i, doc in enumerate(docs):
        config.write_text(json.dumps(doc))
        for ref in (f"oci://{host}/charts/sub@{digest}", f"oci://{host}/charts/sub:0.2.0@{digest}"):
            # a digest's pull is kept in helm's content cache: a fresh one for each run
            cache = tmp_path / f"cache-{i}-{len(ref)}"
            got = await asyncio.to_thread(
                _template_both, dict(env, HELM_CACHE_HOME=str(cache)), helm_v4, log, ref,
                "--plain-http", "--registry-config", str(config),
            )  # fmt: skip
            code, _out, err = got["helm"]
            if doc.get("credHelpers") == {host: "ok"}:
                assert code == 0 and f"Pulled: {host}/charts/sub@{digest}\n" in err, err
            else:
                manifest = f'GET "http://{host}/v2/charts/sub/manifests/{digest}": '
                assert code == 1 and f'FetchReference" on source: {manifest}' in err, err
            assert got["steersman"] == got["helm"], (doc, ref)
