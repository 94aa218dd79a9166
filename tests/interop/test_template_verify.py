"""`steersman template --verify --keyring` next to the real `helm template` on a chart signed by
the real `helm package --sign` (a throwaway GnuPG key in a temporary GNUPGHOME): the same exit
code, stdout and stderr for a good signature, a tampered archive, a tampered .prov, a key
outside the keyring, a missing keyring, a missing .prov and an unpacked chart."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.interop

KEY_SPEC = """\
%no-protection
Key-Type: RSA
Key-Length: 2048
Name-Real: Chart Signer
Name-Email: signer@example.com
Expire-Date: 0
%commit
"""


def _gpg(home: Path, *args: str, stdin: str | None = None) -> bytes:
    gpg = shutil.which("gpg")
    assert gpg, "gpg (GnuPG) is needed to sign a chart as `helm package --sign` does"
    r = subprocess.run(
        [gpg, "--batch", "--homedir", str(home), *args],
        input=stdin.encode() if stdin else None,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return r.stdout


def _keyrings(home: Path, spec: str) -> tuple[Path, Path]:
    """A fresh key: (secret keyring for helm package, public keyring for --keyring), both in
    the binary format helm's openpgp reads."""
    home.mkdir(mode=0o700)
    _gpg(home, "--gen-key", stdin=spec)
    secret, public = home / "secring.gpg", home / "pubring.gpg"
    secret.write_bytes(_gpg(home, "--export-secret-keys"))
    public.write_bytes(_gpg(home, "--export"))
    return secret, public


@pytest.fixture(scope="module")
def signed(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("signed")
    secret, public = _keyrings(root / "gnupg", KEY_SPEC)
    _, stranger = _keyrings(root / "other", KEY_SPEC.replace("signer@", "stranger@"))
    chart = root / "signed"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: signed\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    good = root / "good"
    sign = ["--sign", "--key", "Chart Signer", "--keyring", str(secret)]
    subprocess.run(
        [str(helm_v4), "package", *sign, "-d", str(good), str(chart)],
        env=helm_home_env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    archive = good / "signed-1.0.0.tgz"
    assert (good / "signed-1.0.0.tgz.prov").read_text().startswith("-----BEGIN PGP SIGNED")

    def variant(name: str) -> Path:
        shutil.copytree(good, root / name)
        return root / name / archive.name

    tampered_archive = variant("tampered-archive")
    tampered_archive.write_bytes(tampered_archive.read_bytes() + b"\0")
    tampered_prov = variant("tampered-prov")
    prov = Path(f"{tampered_prov}.prov")
    prov.write_text(prov.read_text().replace("sha256:", "sha256:0", 1))
    unsigned = variant("unsigned")
    Path(f"{unsigned}.prov").unlink()
    return {
        "archive": archive,
        "tampered-archive": tampered_archive,
        "tampered-prov": tampered_prov,
        "unsigned": unsigned,
        "chart": chart,
        "public": public,
        "stranger": stranger,
        "missing": root / "missing.gpg",
    }


CASES = [
    ("archive", "public"),
    ("tampered-archive", "public"),
    ("tampered-prov", "public"),
    ("archive", "stranger"),
    ("archive", "missing"),
    ("unsigned", "public"),
    ("chart", "public"),
]


@pytest.mark.parametrize(("chart", "keyring"), CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_verify_same_as_helm(
    chart: str, keyring: str, signed: dict[str, Path], helm_v4: Path, helm_home_env: dict[str, str]
) -> None:
    args = ["template", "--verify", "--keyring", str(signed[keyring]), str(signed[chart])]
    runs = []
    for argv in ([str(helm_v4), *args], [sys.executable, "-m", "steersman", *args]):
        r = subprocess.run(argv, env=helm_home_env, capture_output=True, text=True, timeout=120)
        runs.append((r.returncode, r.stdout, r.stderr))
    helm, ours = runs
    if (chart, keyring) == ("archive", "public"):
        assert helm[0] == 0 and "kind: ConfigMap" in helm[1]
    else:
        assert helm[0] == 1 and helm[2].startswith("Error: ")
    assert ours == helm
