"""Assemble the public-chart corpus for `bench.chart_corpus` from git snapshots of chart
repositories (read with `git archive`, nothing is built or run).

    .venv/bin/python -m hack.chart_corpus MIRROR [--out ~/.cache/steersman/corpus]

MIRROR holds `<owner>+<repo>/repo` git directories (what the session's fetch tool brings) of the
repositories in SOURCES. Each picked chart is copied to OUT/<name>/ and its `dependencies` are
vendored into its charts/ from the same snapshots (by chart name; no registry or network is
reachable here), recursively, so `helm template` and `steersman template` both render it offline.
A chart whose dependencies cannot all be found is left out with a line saying which. The corpus
is data for benchmarks only: it is never committed.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

DEFAULT_OUT = Path.home() / ".cache" / "steersman" / "corpus"

# repository snapshot -> chart directories picked from it (varied: CRD bundles, library-chart
# users, dashboards, operators, plain apps).
SOURCES: dict[str, list[str]] = {
    "prometheus-community+helm-charts": [
        "charts/kube-prometheus-stack",
        "charts/prometheus",
        "charts/alertmanager",
        "charts/prometheus-node-exporter",
        "charts/kube-state-metrics",
        "charts/prometheus-blackbox-exporter",
        "charts/prometheus-adapter",
        "charts/prometheus-pushgateway",
        "charts/prometheus-operator-crds",
    ],
    "grafana-community+helm-charts": ["charts/grafana"],
    "grafana+helm-charts": ["charts/promtail", "charts/tempo", "charts/fluent-bit"],
    "argoproj+argo-helm": [
        "charts/argo-cd",
        "charts/argo-workflows",
        "charts/argo-rollouts",
        "charts/argo-events",
    ],
    "bitnami+charts": [
        "bitnami/nginx",
        "bitnami/redis",
        "bitnami/postgresql",
        "bitnami/wordpress",
        "bitnami/rabbitmq",
        "bitnami/keycloak",
        "bitnami/kafka",
    ],
    "kubernetes+ingress-nginx": ["charts/ingress-nginx"],
    "cert-manager+cert-manager": ["deploy/charts/cert-manager"],
    "traefik+traefik-helm-chart": ["traefik"],
    "stefanprodan+podinfo": ["charts/podinfo"],
    "DandyDeveloper+charts": [],  # redis-ha, argo-cd's dependency
}
# The folders unpacked from each snapshot (where charts live): snapshots lack their largest
# files, so a whole-tree archive can fail on a missing blob outside them.
FOLDERS: dict[str, list[str]] = {
    "bitnami+charts": ["bitnami"],
    "cert-manager+cert-manager": ["deploy/charts"],
    "traefik+traefik-helm-chart": ["traefik"],
}


def unpack(mirror: Path, work: Path) -> dict[str, Path]:
    trees = {}
    for name in SOURCES:
        git_dir = mirror / name / "repo"
        if not git_dir.is_dir():
            print(f"skip {name}: no snapshot at {git_dir}", file=sys.stderr)
            continue
        tree = work / name
        tree.mkdir(parents=True)
        folders = FOLDERS.get(name, ["charts"])
        archive = subprocess.run(
            ["git", "--git-dir", str(git_dir), "archive", "HEAD", "--", *folders],
            capture_output=True,
            check=True,
        )
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
        trees[name] = tree
    return trees


def index_charts(trees: dict[str, Path]) -> dict[str, list[Path]]:
    """Chart name -> chart directories in the snapshots (a name may appear several times)."""
    found: dict[str, list[Path]] = {}
    for tree in trees.values():
        for chart_yaml in sorted(tree.rglob("Chart.yaml")):
            try:
                meta = yaml.safe_load(chart_yaml.read_text())
            except yaml.YAMLError:
                continue
            if isinstance(meta, dict) and meta.get("name"):
                found.setdefault(str(meta["name"]), []).append(chart_yaml.parent)
    return found


def vendor(chart: Path, charts: dict[str, list[Path]], depth: int = 0) -> list[str]:
    """Copy the chart's missing dependencies into its charts/; the names not found."""
    meta = yaml.safe_load((chart / "Chart.yaml").read_text()) or {}
    missing = []
    for dep in meta.get("dependencies") or []:
        name = str(dep.get("name"))
        target = chart / "charts" / name
        repo = str(dep.get("repository") or "")
        if target.exists() or (repo.startswith("file://") and (chart / repo[7:]).is_dir()):
            continue
        candidates = [c for c in charts.get(name, []) if chart.resolve() not in c.parents]
        if not candidates or depth > 5:
            missing.append(name)
            continue
        shutil.copytree(candidates[0], target)
        missing += vendor(target, charts, depth + 1)
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m hack.chart_corpus")
    parser.add_argument("mirror", type=Path)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    out: Path = args.out
    with tempfile.TemporaryDirectory(prefix="steersman-corpus-") as tmp:
        trees = unpack(args.mirror, Path(tmp))
        charts = index_charts(trees)
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        kept = 0
        for source, picks in SOURCES.items():
            if source not in trees:
                continue
            for pick in picks:
                src = trees[source] / pick
                dest = out / src.name
                if not (src / "Chart.yaml").is_file():
                    print(f"skip {source}/{pick}: no Chart.yaml", file=sys.stderr)
                    continue
                shutil.copytree(src, dest)
                missing = vendor(dest, charts)
                if missing:
                    print(f"skip {src.name}: dependencies not found: {missing}", file=sys.stderr)
                    shutil.rmtree(dest)
                    continue
                kept += 1
    print(f"{kept} charts in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
