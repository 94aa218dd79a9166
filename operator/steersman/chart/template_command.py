"""`steersman template`: a drop-in for `helm template` (same arguments, same output and errors).

The CLI (steersman.cli) parses arguments into `TemplateArgs` and calls `run_template`, which
returns (exit code, stdout text, stderr text) so tests can run it in-process exactly as the
command does.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from steersman.chart.context import KubeParseError, default_capabilities
from steersman.chart.loader import load, load_archive
from steersman.chart.manifests import ShowOnlyError, template_output
from steersman.chart.model import Chart, ChartError
from steersman.chart.render import ReleaseOptions, RenderError, render_release
from steersman.chart.values import ValueOptions, ValuesError, merge_user_values

DEFAULT_RELEASE_NAME = "release-name"
_DEBUG_HINT = "\n\nUse --debug flag to render out invalid YAML"


@dataclass
class TemplateArgs:
    args: list[str]
    values: ValueOptions = field(default_factory=ValueOptions)
    namespace: str = ""
    kube_version: str = ""
    api_versions: list[str] = field(default_factory=list)
    include_crds: bool = False
    show_only: list[str] = field(default_factory=list)
    skip_tests: bool = False
    no_hooks: bool = False
    is_upgrade: bool = False
    skip_schema_validation: bool = False
    version: str = ""
    repo: str = ""
    devel: bool = False
    username: str = ""
    password: str = ""
    plain_http: bool = False
    insecure_skip_tls_verify: bool = False
    helm_major: int = 4


class _Fail(Exception):
    pass


def add_template_arguments(p: argparse.ArgumentParser) -> None:
    """The flags of `helm template` that Steersman supports."""
    p.add_argument("args", nargs="+", metavar="[NAME] CHART")
    p.add_argument("-f", "--values", action="append", default=[], dest="value_files")
    p.add_argument("--set", action="append", default=[], dest="set_values")
    p.add_argument("--set-string", action="append", default=[])
    p.add_argument("--set-json", action="append", default=[])
    p.add_argument("--set-file", action="append", default=[])
    p.add_argument("--set-literal", action="append", default=[])
    p.add_argument("-n", "--namespace", default="")
    p.add_argument("--kube-version", default="")
    p.add_argument("-a", "--api-versions", action="append", default=[])
    p.add_argument("--include-crds", action="store_true")
    p.add_argument("-s", "--show-only", action="append", default=[])
    p.add_argument("--skip-tests", action="store_true")
    p.add_argument("--no-hooks", action="store_true")
    p.add_argument("--is-upgrade", action="store_true")
    p.add_argument("--skip-schema-validation", action="store_true")
    p.add_argument("--version", default="")
    p.add_argument("--repo", default="")
    p.add_argument("--devel", action="store_true")
    p.add_argument("--username", default="")
    p.add_argument("--password", default="")
    p.add_argument("--plain-http", action="store_true")
    p.add_argument("--insecure-skip-tls-verify", action="store_true")


def template_args_from(ns: argparse.Namespace) -> TemplateArgs:
    apis: list[str] = []
    for item in ns.api_versions:  # a string slice flag: comma-separated values split
        apis.extend(x for x in item.split(",") if x)
    return TemplateArgs(
        args=list(ns.args),
        values=ValueOptions(
            value_files=list(ns.value_files),
            values=list(ns.set_values),
            string_values=list(ns.set_string),
            file_values=list(ns.set_file),
            json_values=list(ns.set_json),
            literal_values=list(ns.set_literal),
        ),
        namespace=ns.namespace,
        kube_version=ns.kube_version,
        api_versions=apis,
        include_crds=ns.include_crds,
        show_only=list(ns.show_only),
        skip_tests=ns.skip_tests,
        no_hooks=ns.no_hooks,
        is_upgrade=ns.is_upgrade,
        skip_schema_validation=ns.skip_schema_validation,
        version=ns.version,
        repo=ns.repo,
        devel=ns.devel,
        username=ns.username,
        password=ns.password,
        plain_http=ns.plain_http,
        insecure_skip_tls_verify=ns.insecure_skip_tls_verify,
    )


def run_template(a: TemplateArgs) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `helm template` with these arguments."""
    try:
        return 0, _render(a), ""
    except _Fail as exc:
        return 1, "", f"Error: {exc}\n"


def _render(a: TemplateArgs) -> str:
    if len(a.args) > 2:
        raise _Fail(f"expected at most two arguments, unexpected arguments: {' '.join(a.args[2:])}")
    name, ref = (a.args[0], a.args[1]) if len(a.args) == 2 else (DEFAULT_RELEASE_NAME, a.args[0])
    try:
        caps = default_capabilities(
            a.helm_major, kube_version=a.kube_version or None, extra_api_versions=a.api_versions
        )
    except KubeParseError as exc:
        raise _Fail(f"invalid kube version '{a.kube_version}': {exc}") from None
    source = locate_chart(ref, a)
    try:
        user_values = merge_user_values(a.values)
    except ValuesError as exc:
        raise _Fail(str(exc)) from None
    try:
        chart = load(source) if isinstance(source, str) else load_archive(source)
    except ChartError as exc:
        raise _Fail(str(exc)) from None
    _check_installable(chart, a.helm_major)
    _check_release_name(name, a.helm_major)
    namespace = a.namespace or os.environ.get("HELM_NAMESPACE") or kubeconfig_namespace()
    options = ReleaseOptions(name, namespace, 1, not a.is_upgrade, a.is_upgrade)
    try:
        rel = render_release(
            chart,
            user_values,
            options,
            capabilities=caps,
            include_crds=a.include_crds,
            helm_major=a.helm_major,
            skip_schema_validation=a.skip_schema_validation,
        )
    except RenderError as exc:
        raise _Fail(f"{exc}{_DEBUG_HINT}") from None
    except (ChartError, ValuesError) as exc:
        raise _Fail(str(exc)) from None
    try:
        return template_output(
            rel.manifest,
            rel.hooks,
            no_hooks=a.no_hooks,
            skip_tests=a.skip_tests,
            show_only=a.show_only,
        )
    except ShowOnlyError as exc:
        raise _Fail(str(exc)) from None


def kubeconfig_namespace() -> str:
    """The namespace of the kubeconfig's current context, as helm defaults --namespace to."""
    paths = [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    docs = []
    for path in paths or [os.path.expanduser("~/.kube/config")]:
        try:
            with open(path, encoding="utf-8") as f:
                docs.append(yaml.safe_load(f) or {})
        except (OSError, yaml.YAMLError):
            continue
    # client-go merges the files: the first one to set a value wins
    current = next((d.get("current-context") for d in docs if d.get("current-context")), "")
    for doc in docs:
        for entry in doc.get("contexts") or []:
            if isinstance(entry, dict) and entry.get("name") == current:
                namespace = (entry.get("context") or {}).get("namespace")
                if namespace:
                    return str(namespace)
    return "default"


_RELEASE_NAME_REGEX = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
_RELEASE_NAME = re.compile(_RELEASE_NAME_REGEX[:-1] + r"\Z")  # Go's $ never matches before \n
_MAX_RELEASE_NAME = 53


def _check_release_name(name: str, helm_major: int) -> None:
    """chartutil.ValidateReleaseName, reported as Install.availableName does."""
    if not name:
        problem = "no name provided"
    elif not _RELEASE_NAME.match(name) or len(name) > _MAX_RELEASE_NAME:
        problem = (
            f"invalid release name, must match regex {_RELEASE_NAME_REGEX} and the "
            f"length must not be longer than {_MAX_RELEASE_NAME}"
        )
    else:
        return
    prefix = "release name check failed: " if helm_major >= 4 else ""
    raise _Fail(f'{prefix}release name "{name}": {problem}')


def _check_installable(chart: Chart, helm_major: int) -> None:
    kind = chart.metadata.type
    if kind not in ("", "application"):
        raise _Fail(f"{kind} charts are not installable")
    present = {sub.name for sub in chart.dependencies}
    missing = [d.name for d in chart.metadata.dependencies if d and d.name not in present]
    if missing:
        raise _Fail(
            f"{'an' if helm_major >= 4 else 'An'} error occurred while checking for chart "
            "dependencies. You may need to run "
            "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
            f"missing in charts/ directory: {', '.join(missing)}"
        )


def locate_chart(ref: str, a: TemplateArgs) -> str | bytes:
    """A local path (directory or archive), or the archive bytes of an oci:// reference or of
    a chart in a repository (--repo URL, or `repo/name` from helm's repositories.yaml)."""
    if not a.repo and not ref.startswith("oci://"):
        if Path(ref).exists():
            return ref
        if os.path.isabs(ref) or ref.startswith("."):
            raise _Fail(f'path "{ref}" not found')
    return _fetch(ref, a)


def _fetch(ref: str, a: TemplateArgs) -> bytes:
    from steersman.chart.sources import ChartCache, ChartRef, ChartSourceError, RepoAuth

    if a.repo:
        chart_ref = ChartRef(a.repo, ref, a.version, a.devel)
    elif ref.startswith("oci://"):
        chart_ref = ChartRef(ref, "", a.version, a.devel)
    else:
        repo_name, sep, chart_name = ref.partition("/")
        if not sep:
            raise _Fail(
                "non-absolute URLs should be in form of repo_name/path_to_chart, got: " + ref
            )
        chart_ref = ChartRef(_repo_url(repo_name), chart_name, a.version, a.devel)
    auth = RepoAuth(
        username=a.username,
        password=a.password,
        plain_http=a.plain_http,
        insecure_skip_tls_verify=a.insecure_skip_tls_verify,
    )
    from steersman.chart.sources import fetch_chart

    with tempfile.TemporaryDirectory(prefix="steersman-template-") as tmp:
        try:
            fetched = asyncio.run(fetch_chart(chart_ref, cache=ChartCache(tmp), auth=auth))
        except ChartSourceError as exc:
            raise _Fail(str(exc)) from None
    return fetched.data


def _repo_url(name: str) -> str:
    """The URL of a repository added with `helm repo add` (helm's repositories.yaml)."""
    config = os.environ.get("HELM_REPOSITORY_CONFIG") or os.path.join(
        os.environ.get("HELM_CONFIG_HOME")
        or os.path.join(
            os.environ.get("XDG_CONFIG_HOME") or os.path.expanduser("~/.config"), "helm"
        ),
        "repositories.yaml",
    )
    try:
        with open(config, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
    except OSError:
        doc = {}
    for entry in doc.get("repositories") or []:
        if isinstance(entry, dict) and entry.get("name") == name and entry.get("url"):
            return str(entry["url"])
    raise _Fail(f"repo {name} not found")
