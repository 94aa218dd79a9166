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

from hack.testkit.signing import STRANGER_SPEC, keyrings, signed_chart

pytestmark = pytest.mark.interop


@pytest.fixture(scope="module")
def signed(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("signed")
    secret, public = keyrings(root / "gnupg")
    _, stranger = keyrings(root / "other", STRANGER_SPEC)
    archive = signed_chart(helm_v4, helm_home_env, root, secret)
    good, chart = archive.parent, root / "signed"

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
