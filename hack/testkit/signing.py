"""Charts signed as `helm package --sign` signs them, with throwaway GnuPG keys, for the
`--verify` tests (local archives, HTTP repositories, OCI registries)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

KEY_SPEC = """\
%no-protection
Key-Type: RSA
Key-Length: 2048
Name-Real: Chart Signer
Name-Email: signer@example.com
Expire-Date: 0
%commit
"""
STRANGER_SPEC = KEY_SPEC.replace("signer@", "stranger@")


def gpg(home: Path, *args: str, stdin: str | None = None) -> bytes:
    binary = shutil.which("gpg")
    assert binary, "gpg (GnuPG) is needed to sign a chart as `helm package --sign` does"
    r = subprocess.run(
        [binary, "--batch", "--homedir", str(home), *args],
        input=stdin.encode() if stdin else None,
        capture_output=True,
        timeout=120,
        check=True,
    )
    return r.stdout


def keyrings(home: Path, spec: str = KEY_SPEC) -> tuple[Path, Path]:
    """A fresh key: (secret keyring for helm package, public keyring for --keyring), both in
    the binary format helm's openpgp reads."""
    home.mkdir(mode=0o700)
    gpg(home, "--gen-key", stdin=spec)
    secret, public = home / "secring.gpg", home / "pubring.gpg"
    secret.write_bytes(gpg(home, "--export-secret-keys"))
    public.write_bytes(gpg(home, "--export"))
    return secret, public


def signed_chart(helm_bin: Path, env: dict[str, str], root: Path, secret: Path) -> Path:
    """`signed-1.0.0.tgz` with its `.prov` in root/good, made by `helm package --sign`."""
    chart = root / "signed"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: signed\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    good = root / "good"
    sign = ["--sign", "--key", "Chart Signer", "--keyring", str(secret)]
    subprocess.run(
        [str(helm_bin), "package", *sign, "-d", str(good), str(chart)],
        env=env,
        capture_output=True,
        timeout=120,
        check=True,
    )
    archive = good / "signed-1.0.0.tgz"
    assert Path(f"{archive}.prov").read_text().startswith("-----BEGIN PGP SIGNED")
    return archive
