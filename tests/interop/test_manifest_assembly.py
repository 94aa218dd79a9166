"""Our output assembly against real `helm template`, on a chart of plain-YAML templates (so
rendering is the identity and only split/hook/sort/framing rules are compared)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from steersman.chart.render.manifests import (
    INSTALL_ORDER,
    INSTALL_ORDER_V3,
    assemble_manifest,
    extract_notes,
    sort_manifests,
    template_output,
)

pytestmark = pytest.mark.interop
CHART = Path(__file__).resolve().parents[1] / "charts" / "assembly"
NAME = "assembly"


def rendered_files() -> dict[str, str]:
    return {
        f"{NAME}/{p.relative_to(CHART).as_posix()}": p.read_text()
        for p in sorted((CHART / "templates").rglob("*"))
        if p.is_file()
    }


def crd_files() -> list[tuple[str, bytes]]:
    return [(f"{NAME}/crds/{p.name}", p.read_bytes()) for p in sorted((CHART / "crds").iterdir())]


def ours(flags: list[str], major: int) -> str:
    _, files = extract_notes(rendered_files(), NAME)
    hooks, manifests = sort_manifests(files, INSTALL_ORDER if major == 4 else INSTALL_ORDER_V3)
    crds = crd_files() if "--include-crds" in flags else []
    show_only = [flags[i + 1] for i, f in enumerate(flags) if f == "--show-only"]
    return template_output(
        assemble_manifest(manifests, crds=crds),
        hooks,
        no_hooks="--no-hooks" in flags,
        skip_tests="--skip-tests" in flags,
        show_only=show_only,
    )


FLAG_SETS = [
    [],
    ["--include-crds"],
    ["--skip-tests"],
    ["--no-hooks"],
    ["--show-only", "templates/hooks.yaml"],
    ["--show-only", "templates/*.yaml"],
    ["--show-only", "templates/tests/*", "--show-only", "templates/namespace.yaml"],
]


@pytest.mark.parametrize("flags", FLAG_SETS, ids=lambda f: " ".join(f) or "default")
@pytest.mark.parametrize("major", [3, 4])
def test_assembly_matches_helm_template(
    flags: list[str], major: int, helm_v3: Path, helm_v4: Path, helm_env: dict[str, str]
) -> None:
    helm = helm_v4 if major == 4 else helm_v3
    res = subprocess.run(
        [str(helm), "template", "x", str(CHART), *flags],
        capture_output=True,
        text=True,
        env=helm_env,
        check=True,
    )
    assert ours(flags, major) == res.stdout


def test_missing_show_only_target_is_an_error_like_helms(
    helm_v4: Path, helm_env: dict[str, str]
) -> None:
    res = subprocess.run(
        [str(helm_v4), "template", "x", str(CHART), "--show-only", "templates/nope.yaml"],
        capture_output=True,
        text=True,
        env=helm_env,
    )
    assert res.returncode == 1
    with pytest.raises(ValueError) as err:
        ours(["--show-only", "templates/nope.yaml"], 4)
    assert f"Error: {err.value}" in res.stderr
