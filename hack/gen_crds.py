"""Write the generated HelmRelease CRD to every place that ships it:

    python -m hack.gen_crds          # write them
    python -m hack.gen_crds --check  # exit 1 naming the stale copies

crds/ is the source of truth others link to; manifests/base/crds/ exists because kustomize refuses
files outside a kustomization's folder, and the chart's crds/ because Helm installs CRDs only from
there. tests/unit/api/test_crd_file.py fails when any copy is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from steersman.api.crd import CRD_FILE, render_crd_yaml

ROOT = Path(__file__).resolve().parents[1]
CRD_DIRS = (
    ROOT / "crds",
    ROOT / "manifests" / "base" / "crds",
    ROOT / "manifests" / "chart" / "steersman" / "crds",
)
CRD_COPIES = tuple(d / CRD_FILE for d in CRD_DIRS)


def stale_copies() -> list[Path]:
    text = render_crd_yaml()
    return [p for p in CRD_COPIES if not p.exists() or p.read_text() != text]


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        stale = stale_copies()
        for path in stale:
            print(f"{path.relative_to(ROOT)} is stale: run `python -m hack.gen_crds`")
        return 1 if stale else 0
    if argv:
        print("usage: python -m hack.gen_crds [--check]", file=sys.stderr)
        return 2
    text = render_crd_yaml()
    for path in CRD_COPIES:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
