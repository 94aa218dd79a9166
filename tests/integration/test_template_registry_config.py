"""`steersman template --registry-config` next to helm v4.1.4: the registry credentials file
(docker config.json's `auths`) opens a registry demanding basic auth for an oci:// chart and for
oci:// dependencies under --dependency-update; helm's default file ($HELM_CONFIG_HOME/registry/
config.json) and Docker's config.json ($DOCKER_CONFIG) serve when the flag is absent, and
--username/--password win over them. Without credentials both fail with one `Error:` line."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from hack.testenv.parts import OciRegistry
from hack.testkit.chart_servers import helm, helm_package, write_htpasswd, write_tiny_chart
from tests.integration.test_template_dependency_update import _parent, _run_both

pytestmark = [pytest.mark.integration, pytest.mark.interop]

USER, PASSWORD = "reguser", "reg-Pa55word"
Run = tuple[int, str, str]


@pytest.fixture(scope="module")
def registry(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """host:port of a plain-HTTP registry demanding basic auth, serving the storage of an open
    one that sub 0.1.0 and 0.2.0 are pushed into."""
    root = tmp_path_factory.mktemp("registry")
    storage = root / "storage"
    open_one = OciRegistry(root / "open", storage=storage)
    guarded = OciRegistry(
        root / "guarded",
        storage=storage,
        htpasswd=write_htpasswd(root / "htpasswd", {USER: PASSWORD}),
    )
    src = write_tiny_chart(root / "src", "sub")
    open_one.start()
    guarded.start()
    try:
        for version in ("0.1.0", "0.2.0"):
            archive = helm_package(helm_v4, helm_home_env, src, version, root / "archives")
            helm(
                helm_v4, helm_home_env, "push", str(archive), f"oci://{open_one.address}/charts",
                "--plain-http",
            )  # fmt: skip
        yield guarded.address
    finally:
        guarded.stop()
        open_one.stop()


def _config(path: Path, registry: str, **entry: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"auths": {registry: entry}}))
    return path


def _auth(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def _env(base: dict[str, str], where: Path) -> dict[str, str]:
    """helm's dirs of this test's own, and a Docker config dir without credentials."""
    (where / "docker").mkdir(parents=True, exist_ok=True)
    return dict(
        base,
        HELM_CONFIG_HOME=str(where / "config"),
        DOCKER_CONFIG=str(where / "docker"),
        KUBECONFIG=os.devnull,
    )


def _template_both(helm_v4: Path, env: dict[str, str], *args: str) -> dict[str, Run]:
    got = {}
    for who, argv in (
        ("helm", [str(helm_v4)]),
        ("steersman", [sys.executable, "-m", "steersman"]),
    ):
        res = subprocess.run(
            [*argv, "template", *args], capture_output=True, text=True, env=env, timeout=120
        )
        got[who] = (res.returncode, res.stdout, res.stderr)
    return got


def _fails_alike(got: dict[str, Run]) -> None:
    """Both exit 1 with one `Error:` line and nothing on stdout (the texts differ: helm's
    quote oras' HTTP errors)."""
    for who, (code, out, err) in got.items():
        assert code == 1, (who, out, err)
        assert out == "" and err.startswith("Error: ") and err.count("\n") == 1, (who, err)
        assert "Traceback" not in err


async def test_registry_config_opens_an_oci_chart(
    registry: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    ref = f"oci://{registry}/charts/sub"
    args = ["rel", ref, "--version", "0.2.0", "--plain-http"]
    env = _env(helm_home_env, tmp_path)

    def both(*extra: str, env: dict[str, str] = env) -> dict[str, Run]:
        return _template_both(helm_v4, env, *args, *extra)

    good = _config(tmp_path / "auth.json", registry, auth=_auth(USER, PASSWORD))
    got = await asyncio.to_thread(both, "--registry-config", str(good))
    assert got["helm"][0] == 0, got["helm"][2]
    assert got["helm"][2].startswith(f"Pulled: {registry}/charts/sub:0.2.0\nDigest: ")
    assert '  version: "0.2.0"\n' in got["helm"][1]
    assert got["steersman"] == got["helm"]

    # username/password fields, and a key written as a URL
    fields = _config(
        tmp_path / "fields.json", f"http://{registry}/v2/", username=USER, password=PASSWORD
    )
    ok = await asyncio.to_thread(both, "--registry-config", str(fields))
    assert ok["helm"] == ok["steersman"] == got["helm"]

    # helm's default file, and Docker's config.json when helm's has nothing
    _config(tmp_path / "config" / "registry" / "config.json", registry, auth=_auth(USER, PASSWORD))
    ok = await asyncio.to_thread(both)
    assert ok["helm"] == ok["steersman"] == got["helm"]
    docker_only = _env(helm_home_env, tmp_path / "docker-only")
    _config(tmp_path / "docker-only" / "docker" / "config.json", registry, username=USER,
            password=PASSWORD)  # fmt: skip
    ok = await asyncio.to_thread(both, env=docker_only)
    assert ok["helm"] == ok["steersman"] == got["helm"]

    # --username/--password win over the file, either way round
    wrong = _config(tmp_path / "wrong.json", registry, auth=_auth(USER, "wrong"))
    creds = ["--username", USER, "--password", PASSWORD]
    ok = await asyncio.to_thread(both, "--registry-config", str(wrong), *creds)
    assert ok["helm"] == ok["steersman"] == got["helm"]
    _fails_alike(
        await asyncio.to_thread(
            both, "--registry-config", str(good), "--username", USER, "--password", "wrong"
        )
    )

    _fails_alike(await asyncio.to_thread(both, "--registry-config", str(wrong)))
    none = _env(helm_home_env, tmp_path / "none")
    _fails_alike(await asyncio.to_thread(both, "--registry-config", str(tmp_path / "no.json"),
                                         env=none))  # fmt: skip
    _fails_alike(await asyncio.to_thread(both, env=none))


async def test_registry_config_opens_oci_dependencies(
    registry: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """--dependency-update: an exact version and a constraint resolved from the tags."""
    env = _env(helm_home_env, tmp_path)
    good = _config(tmp_path / "auth.json", registry, auth=_auth(USER, PASSWORD))
    for wanted in ("0.2.0", "~0.2"):
        chart = _parent(tmp_path / wanted / "src", f"oci://{registry}/charts", wanted)
        got = await asyncio.to_thread(
            _run_both, helm_v4, env, chart, tmp_path / wanted, "--plain-http",
            "--registry-config", str(good),
        )  # fmt: skip
        assert got["helm"][0] == 0, got["helm"][1] + got["helm"][2]
        assert got["helm"][3] == ["sub-0.2.0.tgz"]
        assert got["steersman"] == got["helm"]

    chart = _parent(tmp_path / "none" / "src", f"oci://{registry}/charts", "0.2.0")
    got = await asyncio.to_thread(
        _run_both, helm_v4, env, chart, tmp_path / "none", "--plain-http",
        "--registry-config", str(tmp_path / "no.json"),
    )  # fmt: skip
    for who, (code, _out, err, charts, _lock) in got.items():
        assert code == 1 and charts == [], (who, err)
        assert err.startswith("Error: could not download oci://"), (who, err)
        assert err.count("\n") == 1 and "Traceback" not in err, (who, err)


@pytest.mark.parametrize(
    "content",
    [b"not json", b"", b"{", b"nul", b'{"a" 1}', b"\xff", b"[1]", b'"s"', b'{"auths": 1}'],
)
async def test_a_broken_registry_config_is_helms_warning(
    content: bytes, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """helm's root command decodes --registry-config (json.Decoder's texts) before anything
    else, even for a local chart and a bad flag: slog's `command failed` line, exit 1."""
    chart = write_tiny_chart(tmp_path / "src", "local")
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    env = _env(helm_home_env, tmp_path)
    got = await asyncio.to_thread(
        _template_both, helm_v4, env, "rel", str(chart), "--registry-config", str(bad), "--nope"
    )
    code, out, err = got["helm"]
    assert code == 1 and out == "", err
    assert err.startswith('level=WARN msg="command failed" error="'), err
    assert got["steersman"] == got["helm"]


async def test_trailing_bytes_after_the_registry_config_are_ignored(
    registry: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """json.Decoder reads the first value only: credentials before trailing junk still work."""
    cfg = tmp_path / "auth.json"
    cfg.write_text(json.dumps({"auths": {registry: {"auth": _auth(USER, PASSWORD)}}}) + " junk")
    got = await asyncio.to_thread(
        _template_both, helm_v4, _env(helm_home_env, tmp_path), "rel", f"oci://{registry}/charts/sub",
        "--version", "0.2.0", "--plain-http", "--registry-config", str(cfg),
    )  # fmt: skip
    assert got["helm"][0] == 0, got["helm"][2]
    assert got["steersman"] == got["helm"]


async def test_a_missing_tag_is_orases_fetch_reference_error(
    registry: str, helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    """A 404 manifest: helm quotes oras-go's `failed to perform "FetchReference"` error."""
    cfg = _config(tmp_path / "auth.json", registry, auth=_auth(USER, PASSWORD))
    for repo, tag in (("charts/sub", "9.9.9"), ("charts/nope", "0.2.0")):
        got = await asyncio.to_thread(
            _template_both, helm_v4, _env(helm_home_env, tmp_path), "rel",
            f"oci://{registry}/{repo}", "--version", tag, "--plain-http",
            "--registry-config", str(cfg),
        )  # fmt: skip
        want = f'Error: failed to perform "FetchReference" on source: {registry}/{repo}:{tag}: '
        assert got["helm"] == (1, "", want + "not found\n")
        assert got["steersman"] == got["helm"]
