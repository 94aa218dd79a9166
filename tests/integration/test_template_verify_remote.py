"""`steersman template --verify` for charts fetched from a chart repository (`--repo URL` and
`repo/chart` from repositories.yaml: the `.prov` is fetched next to the archive) and from an OCI
registry (the provenance layer `helm push` adds when the `.prov` lies beside the archive), next
to the real `helm template`: the same exit code, stdout and stderr for a good signature, a
tampered archive, a missing provenance, a key outside the keyring and a missing keyring.

Every run gets fresh helm homes: helm keeps a fetched .prov in its content cache by the
archive's digest, and a cached one would stand in for the server's."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from hack.testenv import helm_env
from hack.testkit.chart_servers import RepoServer, helm
from hack.testkit.signing import STRANGER_SPEC, keyrings, signed_chart

pytestmark = [pytest.mark.integration, pytest.mark.interop]

REPOS = ("good", "tampered", "unsigned")


@pytest.fixture(scope="module")
def signed(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """root/{good,tampered,unsigned}/signed-1.0.0.tgz (+ .prov) and the keyrings."""
    root = tmp_path_factory.mktemp("signed")
    secret, public = keyrings(root / "gnupg")
    _, stranger = keyrings(root / "other", STRANGER_SPEC)
    archive = signed_chart(helm_v4, helm_home_env, root, secret)
    for name in ("tampered", "unsigned"):
        shutil.copytree(archive.parent, root / name)
    tampered = root / "tampered" / archive.name
    tampered.write_bytes(tampered.read_bytes() + b"\0")
    Path(f"{root / 'unsigned' / archive.name}.prov").unlink()
    return {
        "root": root,
        "public": public,
        "stranger": stranger,
        "missing": root / "missing.gpg",
    }


@pytest.fixture(scope="module")
async def repo(
    signed: dict[str, Path], helm_v4: Path, helm_home_env: dict[str, str]
) -> AsyncIterator[str]:
    """One HTTP server, a repository per directory (index made by `helm repo index`)."""
    server = RepoServer(signed["root"])
    await server.start()
    for name in REPOS:
        await asyncio.to_thread(
            helm,
            helm_v4,
            helm_home_env,
            "repo",
            "index",
            str(signed["root"] / name),
            "--url",
            f"{server.url}/{name}",
        )
    yield server.url
    await server.stop()


def _both(helm_v4: Path, home: Path, args: list[str]) -> tuple[tuple[int, str, str], ...]:
    runs = []
    for who, argv in (
        ("helm", [str(helm_v4), "template", *args]),
        ("ours", [sys.executable, "-m", "steersman", "template", *args]),
    ):
        env = helm_env(home / who)
        r = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=120)
        runs.append((r.returncode, r.stdout, r.stderr))
    return tuple(runs)


CASES = [
    ("good", "public"),
    ("tampered", "public"),
    ("unsigned", "public"),
    ("good", "stranger"),
    ("good", "missing"),
]


@pytest.mark.parametrize(("where", "keyring"), CASES, ids=[f"{w}-{k}" for w, k in CASES])
async def test_repo_flag_verify_same_as_helm(
    where: str,
    keyring: str,
    repo: str,
    signed: dict[str, Path],
    helm_v4: Path,
    tmp_path: Path,
) -> None:
    args = ["signed", "--repo", f"{repo}/{where}", "--verify", "--keyring", str(signed[keyring])]
    helm_run, ours = await asyncio.to_thread(_both, helm_v4, tmp_path, args)
    _expect(helm_run, where, keyring)
    assert ours == helm_run


@pytest.mark.parametrize("where", ["good", "unsigned"])
async def test_repo_name_verify_same_as_helm(
    where: str, repo: str, signed: dict[str, Path], helm_v4: Path, tmp_path: Path
) -> None:
    """`repo/chart` from repositories.yaml and the index `helm repo add` cached."""
    config, cache = tmp_path / "repositories.yaml", tmp_path / "cache"
    flags = ["--repository-config", str(config), "--repository-cache", str(cache)]
    add = ["repo", "add", "signing", f"{repo}/{where}", *flags]
    await asyncio.to_thread(helm, helm_v4, helm_env(tmp_path / "add"), *add)
    args = ["signing/signed", "--verify", "--keyring", str(signed["public"]), *flags]
    helm_run, ours = await asyncio.to_thread(_both, helm_v4, tmp_path, args)
    _expect(helm_run, where, "public")
    assert ours == helm_run


@pytest.fixture(scope="module")
async def oci(
    signed: dict[str, Path], oci_registry: str, helm_v4: Path, helm_home_env: dict[str, str]
) -> str:
    """signed:1.0.0 pushed with its .prov under good/, without under unsigned/."""
    for name in ("good", "unsigned"):
        archive = signed["root"] / name / "signed-1.0.0.tgz"
        target = f"oci://{oci_registry}/{name}"
        await asyncio.to_thread(
            helm, helm_v4, helm_home_env, "push", str(archive), target, "--plain-http"
        )
    return f"oci://{oci_registry}"


OCI_CASES = [("good", "public"), ("good", "stranger"), ("unsigned", "public")]


@pytest.mark.parametrize(("where", "keyring"), OCI_CASES, ids=[f"{w}-{k}" for w, k in OCI_CASES])
async def test_oci_verify_same_as_helm(
    where: str, keyring: str, oci: str, signed: dict[str, Path], helm_v4: Path, tmp_path: Path
) -> None:
    args = [f"{oci}/{where}/signed", "--version", "1.0.0", "--plain-http", "--verify"]
    args += ["--keyring", str(signed[keyring])]
    helm_run, ours = await asyncio.to_thread(_both, helm_v4, tmp_path, args)
    _expect(helm_run, where, keyring)
    assert ours == helm_run


def _expect(helm_run: tuple[int, str, str], where: str, keyring: str) -> None:
    """What helm itself must have done, so that a broken bench cannot pass as agreement."""
    code, out, err = helm_run
    if (where, keyring) == ("good", "public"):
        assert code == 0 and "kind: ConfigMap" in out, err
    else:
        assert code == 1 and "Error: " in err, err
