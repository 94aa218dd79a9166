"""Render conformance cases with Steersman (in-process, through `steersman template`'s code) and
with the real `helm template`, for the conformance test and bench/render.

A case is one chart under charts/ plus the arguments after `template`:
- every `ci/*.yaml` of a chart is a case `<chart> -f ci/<file>`;
- `cases.yaml` adds cases with other flags (`@path` is a path inside the chart directory,
  `@chart` the chart directory itself);
- the chart `helm create` generates is rendered too (made in a temporary directory).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from hack.testenv import helm_env as testenv_helm_env
from hack.testenv.parts import HELM_V4
from steersman.cli import build_parser
from steersman.commands.template import run_template, template_args_from

CONFORMANCE_DIR = Path(__file__).resolve().parents[2] / "tests" / "conformance"
CHARTS = CONFORMANCE_DIR / "charts"
CASES_FILE = CONFORMANCE_DIR / "cases.yaml"
HELM_V3 = Path(os.environ.get("STEERSMAN_HELM_V3", Path.home() / ".cache/steersman/helm-v3"))
CREATED_CHART = "helm-create"


@dataclass(frozen=True)
class Case:
    chart: str
    name: str
    args: tuple[str, ...]  # everything after `template`, paths absolute

    @property
    def id(self) -> str:
        return f"{self.chart}::{self.name}"


@dataclass(frozen=True)
class Result:
    code: int
    stdout: str
    stderr: str

    def error(self) -> str:
        """The `Error: ...` part of stderr (helm may print warnings before it)."""
        at = self.stderr.find("Error: ")
        return self.stderr[at:] if at >= 0 else ""


CREATED_DIR = Path(tempfile.gettempdir()) / f"steersman-conformance-{os.getuid()}" / CREATED_CHART


@cache
def make_created_chart() -> None:
    """Write `helm create`'s chart to CREATED_DIR (once per process, before its first case)."""
    shutil.rmtree(CREATED_DIR, ignore_errors=True)
    CREATED_DIR.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [str(HELM_V4), "create", str(CREATED_DIR)],
        check=True,
        capture_output=True,
        env=helm_env(),
    )


def chart_dir(chart: str) -> Path:
    return CREATED_DIR if chart == CREATED_CHART else CHARTS / chart


def _expand(arg: str, chart: Path) -> str:
    if arg == "@chart":
        return str(chart)
    if arg.startswith("@"):
        return str(chart / arg[1:])
    return arg


def discover_cases() -> list[Case]:
    cases: list[Case] = []
    for chart in sorted(p for p in CHARTS.iterdir() if (p / "Chart.yaml").exists()):
        for vals in sorted((chart / "ci").glob("*.yaml")):
            cases.append(Case(chart.name, vals.stem, (str(chart), "-f", str(vals))))
    extra = yaml.safe_load(CASES_FILE.read_text()) or {}
    for chart_name, entries in extra.items():
        where = chart_dir(chart_name)
        for entry in entries:
            args = tuple(_expand(a, where) for a in entry["args"])
            cases.append(Case(chart_name, entry["name"], args))
    return cases


def helm_env() -> dict[str, str]:
    home = Path(tempfile.gettempdir()) / "steersman-conformance-helm-home"
    return testenv_helm_env(home, home / "no-kubeconfig", TZ="UTC")


def run_helm(case: Case, major: int = 4) -> Result:
    if case.chart == CREATED_CHART:
        make_created_chart()
    binary = HELM_V4 if major == 4 else HELM_V3
    proc = subprocess.run(
        [str(binary), "template", *case.args], capture_output=True, env=helm_env()
    )
    # bytes, not text mode: no newline translation (\r\n must survive) and invalid UTF-8
    # kept as surrogate escapes, as Steersman's strings hold it
    return Result(proc.returncode, _text(proc.stdout), _text(proc.stderr))


def _text(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def run_ours(case: Case, major: int = 4) -> Result:
    if case.chart == CREATED_CHART:
        make_created_chart()
    ns = build_parser().parse_args(["template", *case.args])
    targs = template_args_from(ns)
    targs.helm_major = major
    code, out, err = run_template(targs)
    return Result(code, out, err)


def compare(ours: Result, helm: Result) -> str | None:
    """None when Steersman printed what helm printed; otherwise what differs."""
    if ours.code != (0 if helm.code == 0 else 1):
        return f"exit code {ours.code} vs helm {helm.code}: {ours.stderr or helm.stderr}"
    if ours.stdout != helm.stdout:
        return "stdout differs"
    if helm.code != 0 and ours.error() != helm.error():
        return f"error differs:\nours: {ours.error()!r}\nhelm: {helm.error()!r}"
    return None


Run = tuple[int, str, str]  # exit code, stdout, stderr


async def template_both(
    helm_bin: Path, argv: Sequence[str], env: Mapping[str, str]
) -> tuple[Run, Run]:
    """`helm template ARGV` and `steersman template ARGV` as processes, both at once and in
    threads, so servers on the caller's event loop keep answering and waits (a 5xx retried,
    a dial timeout) are shared: (helm's run, ours)."""

    def run(cmd: list[str]) -> Run:
        done = subprocess.run(
            [*cmd, "template", *argv], capture_output=True, text=True, env=dict(env), timeout=120
        )
        return done.returncode, done.stdout, done.stderr

    helm_run, ours = await asyncio.gather(
        asyncio.to_thread(run, [str(helm_bin)]),
        asyncio.to_thread(run, [sys.executable, "-m", "steersman"]),
    )
    return helm_run, ours
