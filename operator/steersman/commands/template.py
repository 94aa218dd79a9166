"""`steersman template`: a drop-in for `helm template` (same arguments, same output and errors).

The CLI (steersman.cli) parses arguments into `TemplateArgs` and calls `run_template`, which
returns (exit code, stdout text, stderr text) so tests can run it in-process exactly as the
command does.
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import hashlib
import logging
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from steersman.chart import (
    HELM_SLOG,
    Chart,
    ChartAPIVersionUnsupported,
    ChartError,
    KubeParseError,
    ReleaseOptions,
    RenderError,
    ShowOnlyError,
    SlogCollector,
    ValueOptions,
    ValuesError,
    default_capabilities,
    go_os_error,
    helmlog,
    load,
    load_archive,
    load_file_bytes,
    merge_user_values,
    render_release,
    slog_value,
    template_output,
)
from steersman.commands import template_flags
from steersman.commands.template_flags import FlagError, Parsed
from steersman.commands.template_output_dir import OutputDirError, write_output_dir
from steersman.commands.template_regconfig import registry_config_error, registry_config_flag
from steersman.commands.template_tls import tls_config_error, wants_tls_config
from steersman.commands.template_values import read_value_source
from steersman.golang import path as gopath
from steersman.golang.fmt import go_quote

# Under "steersman.chart", where run_template collects Helm's log lines for stderr.
log = logging.getLogger("steersman.chart.template")

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
    name_template: str = ""
    generate_name: bool = False
    output_dir: str = ""
    use_release_name: bool = False
    debug: bool = False
    render_subchart_notes: bool = False
    labels: dict[str, str] = field(default_factory=dict)
    ca_file: str = ""
    cert_file: str = ""
    key_file: str = ""
    pass_credentials: bool = False
    verify: bool = False
    keyring: str = ""
    repository_config: str = ""
    repository_cache: str = ""
    registry_config: str = ""
    dependency_update: bool = False
    dry_run: str = "client"
    validate: bool = False
    kubeconfig: str = ""
    kube_context: str = ""
    kube_apiserver: str = ""
    kube_token: str = ""
    kube_as_user: str = ""
    kube_as_group: list[str] = field(default_factory=list)
    kube_ca_file: str = ""
    kube_tls_server_name: str = ""
    kube_insecure_skip_tls_verify: bool = False
    skip_crds: bool = False
    take_ownership: bool = False
    post_renderer: str = ""
    post_renderer_args: list[str] = field(default_factory=list)
    plugins_directory: str = ""
    content_cache: str = ""


class _Fail(Exception):
    pass


class _ArgparseFlag(argparse.Action):
    """One helm flag in an argparse parser, set with template_flags' own rules."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        flag = self.const
        parsed: Parsed | None = namespace._helm_flags
        if parsed is None:
            parsed = Parsed(template_flags.defaults(), [], [], [])
            namespace._helm_flags = parsed
        value = values if isinstance(values, str) else flag.no_opt
        try:
            template_flags.set_flag(parsed, flag, value)
        except FlagError as exc:
            parser.error(str(exc))


def add_template_arguments(p: argparse.ArgumentParser) -> None:
    """helm template's flags on an argparse parser (the command itself parses with pflag's
    rules, see template_main; this keeps `steersman --help` and in-process callers working)."""
    p.add_argument("args", nargs="*", metavar="[NAME] CHART")
    p.set_defaults(_helm_flags=None)
    for flag in template_flags.FLAGS:
        if flag.name == "help":
            continue
        names = [f"--{flag.name}"] + ([f"-{flag.short}"] if flag.short else [])
        p.add_argument(
            *names,
            action=_ArgparseFlag,
            const=flag,
            # a bool never takes the next argument (pflag); --wait/--dry-run may
            nargs=0 if flag.kind == "bool" else "?" if flag.no_opt else None,
            dest=f"_flag_{flag.key}",
            help=argparse.SUPPRESS,
        )


def template_args_from(ns: argparse.Namespace | Parsed) -> TemplateArgs:
    """TemplateArgs from parse_flags' result (or an argparse add_template_arguments parsed)."""
    if isinstance(ns, argparse.Namespace):
        parsed = getattr(ns, "_helm_flags", None) or template_flags.Parsed(
            template_flags.defaults(), [], [], []
        )
        parsed.args = list(ns.args)
        ns = parsed
    v = ns.values
    return TemplateArgs(
        args=list(ns.args),
        values=ValueOptions(
            value_files=list(v["value_files"]),
            values=list(v["set_values"]),
            string_values=list(v["set_string"]),
            file_values=list(v["set_file"]),
            json_values=list(v["set_json"]),
            literal_values=list(v["set_literal"]),
        ),
        namespace=v["namespace"],
        kube_version=v["kube_version"],
        api_versions=list(v["api_versions"]),
        include_crds=v["include_crds"],
        show_only=list(v["show_only"]),
        skip_tests=v["skip_tests"],
        no_hooks=v["no_hooks"],
        is_upgrade=v["is_upgrade"],
        skip_schema_validation=v["skip_schema_validation"],
        version=v["version"],
        repo=v["repo"],
        devel=v["devel"],
        username=v["username"],
        password=v["password"],
        plain_http=v["plain_http"],
        insecure_skip_tls_verify=v["insecure_skip_tls_verify"],
        name_template=v["name_template"],
        generate_name=v["generate_name"],
        output_dir=v["output_dir"],
        use_release_name=v["use_release_name"],
        debug=v["debug"],
        render_subchart_notes=v["render_subchart_notes"],
        labels=dict(v["labels"]),
        ca_file=v["ca_file"],
        cert_file=v["cert_file"],
        key_file=v["key_file"],
        pass_credentials=v["pass_credentials"],
        verify=v["verify"],
        keyring=v["keyring"],
        repository_config=v["repository_config"],
        repository_cache=v["repository_cache"],
        registry_config=v["registry_config"],
        dependency_update=v["dependency_update"],
        dry_run=v["dry_run"],
        validate=v["validate"],
        kubeconfig=v["kubeconfig"],
        kube_context=v["kube_context"],
        kube_apiserver=v["kube_apiserver"],
        kube_token=v["kube_token"],
        kube_as_user=v["kube_as_user"],
        kube_as_group=list(v["kube_as_group"]),
        kube_ca_file=v["kube_ca_file"],
        kube_tls_server_name=v["kube_tls_server_name"],
        kube_insecure_skip_tls_verify=v["kube_insecure_skip_tls_verify"],
        skip_crds=v["skip_crds"],
        take_ownership=v["take_ownership"],
        post_renderer=v["post_renderer"],
        post_renderer_args=list(v["post_renderer_args"]),
        plugins_directory=v["plugins_directory"],
        content_cache=v["content_cache"],
    )


def template_main(argv: Sequence[str]) -> tuple[int, str, str]:
    """`steersman template ARGV...` as helm v4.1.4's `helm template`: (exit code, stdout,
    stderr)."""
    color = template_flags.global_color_mode(argv)
    if color not in ("never", "auto", "always"):
        err = f"invalid color mode {go_quote(color)}: must be one of: never, auto, always"
        return 1, "", f'level=WARN msg="command failed" error={slog_value(err)}\n'
    bad_config = registry_config_error(
        registry_config_flag(argv, template_flags.defaults()["registry_config"])
    )
    if bad_config is not None:  # helm's root command opens the registry store first
        return 1, "", f'level=WARN msg="command failed" error={slog_value(bad_config)}\n'
    try:
        parsed = template_flags.parse_flags(argv)
    except FlagError as exc:
        return 1, "", f"Error: {exc}\n"
    warnings = "".join(line + "\n" for line in parsed.warnings)
    if parsed.values["help"]:
        return 0, template_flags.help_text(), warnings
    if not parsed.args:
        return (
            1,
            "",
            warnings
            + '"Error: "helm template" requires at least 1 argument\n\n'[1:]
            + template_flags.USAGE_LINE
            + "\n",
        )
    for group in template_flags.EXCLUSIVE_GROUPS:
        given = sorted({n for n in parsed.changed if n in group})
        if len(given) > 1:
            return (
                1,
                "",
                warnings + f"Error: if any flags in the group [{' '.join(group)}] are set none of "
                f"the others can be; [{' '.join(given)}] were all set\n",
            )
    code, out, err = run_template(template_args_from(parsed))
    return code, out, warnings + err


def run_template(a: TemplateArgs) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `helm template` with these arguments."""
    collector = SlogCollector(debug=a.debug)
    chart_log = logging.getLogger("steersman.chart")
    propagate = chart_log.propagate
    level = chart_log.level
    chart_log.addHandler(collector)
    chart_log.propagate = False
    chart_log.setLevel(logging.DEBUG)
    out: list[str] = []
    # what helm writes to stderr outside its logger (an OCI pull's lines), in order with it
    err = collector.lines
    try:
        _render(a, out, err)
        return 0, "".join(out), "".join(err)
    except _Fail as exc:
        return 1, "".join(out), "".join(err) + f"Error: {exc}\n"
    finally:
        chart_log.removeHandler(collector)
        chart_log.propagate = propagate
        chart_log.setLevel(level)


def _name_and_chart(a: TemplateArgs) -> tuple[str, str]:
    """action.Install.NameAndChart, with helm template's ReleaseName "release-name"."""
    if len(a.args) > 2:
        raise _Fail(
            f"expected at most two arguments, unexpected arguments: {', '.join(a.args[2:])}"
        )
    if len(a.args) == 2:
        if a.generate_name:
            raise _Fail("cannot set --generate-name and also specify a name")
        if a.name_template:
            raise _Fail("cannot set --name-template and also specify a name")
        return a.args[0], a.args[1]
    if a.name_template:
        return name_from_template(a.name_template), a.args[0]
    return DEFAULT_RELEASE_NAME, a.args[0]


def name_from_template(text: str) -> str:
    """action.TemplateName: the template run with Sprig's full function map and nil data."""
    from steersman.gotemplate import TemplateError, TemplateParseError, TemplateSet
    from steersman.sprig import sprig_funcs

    funcs = dict(sprig_funcs())
    funcs.update(_env_funcs())
    ts = TemplateSet(funcs, name="name-template")
    try:
        ts.parse("name-template", text)
        return ts.execute("name-template", None)
    except (TemplateParseError, TemplateError) as exc:
        raise _Fail(str(exc)) from None


def _env_funcs() -> dict[str, Any]:
    """Sprig's env and expandenv (Helm drops them from chart templates, not from names)."""
    from steersman.golang.types import GoFunc

    def expand(s: str) -> str:  # os.ExpandEnv
        return re.sub(
            r"\$(?:\{([^}]*)\}|([A-Za-z0-9_]+|[*#$@!?\-0-9]))",
            lambda m: os.environ.get(m.group(1) if m.group(1) is not None else m.group(2), ""),
            s,
        )

    return {
        "env": GoFunc(lambda k: os.environ.get(k, ""), ("string",), result="string"),
        "expandenv": GoFunc(expand, ("string",), result="string"),
    }


_SYSTEM_LABELS = ("name", "owner", "status", "version", "createdAt", "modifiedAt")


def _render(a: TemplateArgs, out: list[str], err: list[str]) -> None:
    try:
        caps = default_capabilities(
            a.helm_major, kube_version=a.kube_version or None, extra_api_versions=a.api_versions
        )
    except KubeParseError as exc:
        raise _Fail(f"invalid kube version '{a.kube_version}': {exc}") from None
    _check_registry_tls(a)
    server = _dry_run_strategy(a)
    if a.dry_run == "unset":
        log.warning(
            "--dry-run is deprecated",
            extra={
                HELM_SLOG: (
                    "WARN",
                    "--dry-run is deprecated and should be replaced with '--dry-run=client'",
                    (),
                )
            },
        )
    helmlog.debug(log, "Original chart version", ("version", a.version))
    if not a.version and a.devel:
        helmlog.debug(log, "setting version to >0.0.0-0")
    name, ref = _name_and_chart(a)
    source = locate_chart(ref, a, err)
    chart_path = _chart_path(source, ref, a)
    helmlog.debug(log, "Chart path", ("path", chart_path))
    try:
        user_values = merge_user_values(
            a.values,
            functools.partial(
                read_value_source,
                plugins_directory=a.plugins_directory,
                settings_env=plugin_settings_env(a),
            ),
        )
    except ValuesError as exc:
        raise _Fail(str(exc)) from None
    try:
        chart = load(source) if isinstance(source, str) else load_file_bytes(source, chart_path)
    except ChartAPIVersionUnsupported as exc:  # what helm's template and install say
        if exc.library:
            raise _Fail("library charts are not installable") from None
        raise _Fail("invalid chart apiVersion") from None
    except ChartError as exc:
        raise _Fail(str(exc)) from None
    _check_installable(chart, a.helm_major)
    if chart.metadata.deprecated:
        helmlog.warn(log, "this chart is deprecated")
    if _missing_dependencies(chart) and a.dependency_update:
        _update_dependencies(source, a, out, err)
        try:
            chart = load(source) if isinstance(source, str) else load_archive(source)
        except ChartError as exc:
            raise _Fail(f"failed reloading chart after repo update: {exc}") from None
    _check_dependencies(chart, a)
    if not server:
        _check_release_name(name, a.helm_major)
        _render_chart(a, chart, user_values, name, caps, None, out)
        return
    # the Kubernetes client only for a server dry run: a local render never loads it
    from steersman.commands import template_cluster

    try:
        cluster = template_cluster.connect(_kube_flags(a))
    except template_cluster.ClusterError as exc:
        _unreachable(str(exc))
    try:
        try:
            cluster.reachable()
        except template_cluster.ClusterError as exc:
            _unreachable(str(exc))
        _check_release_name(name, a.helm_major)
        from steersman.chart import crd_objects

        if not a.skip_crds and crd_objects(chart):
            helmlog.warn(
                log,
                "This chart or one of its subcharts contains CRDs. Rendering may fail or "
                "contain inaccuracies.",
            )
        try:
            caps = cluster.capabilities()
        except template_cluster.ClusterError as exc:
            raise _Fail(str(exc)) from None
        namespace = _release_namespace(a)
        manifest = _render_chart(a, chart, user_values, name, caps, cluster.lookup(), out)
        if manifest is not None and not a.is_upgrade:
            try:
                cluster.existing_resource_conflict(
                    manifest, name, namespace, take_ownership=a.take_ownership
                )
            except template_cluster.ClusterError as exc:
                out.clear()  # helm prints nothing when the install would fail
                raise _Fail(str(exc)) from None
    finally:
        cluster.close()


def _post_renderer(a: TemplateArgs) -> Any:
    if not a.post_renderer:
        return None
    from steersman.commands.template_postrender import plugin_runner

    return plugin_runner(a.plugins_directory, a.post_renderer, a.post_renderer_args)


def _unreachable(reason: str) -> Any:
    helmlog.error(log, f"cluster reachability check failed: {reason}")
    raise _Fail(f"cluster reachability check failed: {reason}")


def _kube_flags(a: TemplateArgs) -> Any:
    from steersman.commands.template_cluster import KubeFlags

    return KubeFlags(
        kubeconfig=a.kubeconfig,
        context=a.kube_context,
        apiserver=a.kube_apiserver,
        token=a.kube_token,
        as_user=a.kube_as_user,
        as_groups=tuple(a.kube_as_group),
        ca_file=a.kube_ca_file,
        tls_server_name=a.kube_tls_server_name,
        insecure_skip_tls_verify=a.kube_insecure_skip_tls_verify,
    )


def _release_namespace(a: TemplateArgs) -> str:
    return a.namespace or kubeconfig_namespace(a.kubeconfig, a.kube_context)


def _render_chart(
    a: TemplateArgs,
    chart: Chart,
    user_values: dict[str, Any],
    name: str,
    caps: Any,
    lookup: Any,
    out: list[str],
) -> str | None:
    """Render and print as helm template does; the release manifest (None with --output-dir,
    whose files are written here)."""
    if any(k in _SYSTEM_LABELS for k in a.labels):
        raise _Fail(
            "user supplied labels contains system reserved label name. System labels: "
            f"[{' '.join(_SYSTEM_LABELS)}]"
        )
    options = ReleaseOptions(name, _release_namespace(a), 1, not a.is_upgrade, a.is_upgrade)
    try:
        rel = render_release(
            chart,
            user_values,
            options,
            capabilities=caps,
            lookup=lookup,
            post_render=_post_renderer(a),
            include_crds=a.include_crds and not a.output_dir,
            sub_notes=a.render_subchart_notes,
            helm_major=a.helm_major,
            skip_schema_validation=a.skip_schema_validation,
        )
    except RenderError as exc:
        if a.debug:  # helm prints what it has, then fails
            out.append(_show_only_or_fail(exc.manifest, a.show_only))
            raise _Fail(str(exc)) from None
        raise _Fail(f"{exc}{_DEBUG_HINT}") from None
    except (ChartError, ValuesError) as exc:
        raise _Fail(str(exc)) from None
    if a.output_dir:
        try:
            failed = write_output_dir(
                chart,
                rel.manifest,
                rel.hooks,
                output_dir=a.output_dir,
                release_dir=(
                    os.path.join(a.output_dir, name) if a.use_release_name else a.output_dir
                ),
                include_crds=a.include_crds,
                no_hooks=a.no_hooks,
                skip_tests=a.skip_tests,
                debug=a.debug,
                out=out,
            )
        except OutputDirError as exc:
            raise _Fail(f"{exc}{_DEBUG_HINT}" if exc.in_install else str(exc)) from None
        if a.show_only:
            _show_only_or_fail("", a.show_only)
        else:
            out.append("\n")
        if failed:  # --debug: helm prints what it has, then fails
            raise _Fail(str(failed))
        return rel.manifest
    try:
        out.append(
            template_output(
                rel.manifest,
                rel.hooks,
                no_hooks=a.no_hooks,
                skip_tests=a.skip_tests,
                show_only=a.show_only,
            )
        )
    except ShowOnlyError as exc:
        raise _Fail(str(exc)) from None
    return rel.manifest


def _check_registry_tls(a: TemplateArgs) -> None:
    """newRegistryClient: the TLS files are read up front (tlsutil.NewTLSConfig's errors)."""
    if not wants_tls_config(a.ca_file, a.cert_file, a.key_file, a.insecure_skip_tls_verify):
        return
    problem = tls_config_error(a.ca_file, a.cert_file, a.key_file)
    if problem:
        raise _Fail("missing registry client: can't create TLS config for client: " + problem)


def _show_only_or_fail(manifest: str, patterns: list[str]) -> str:
    try:
        return template_output(manifest, [], no_hooks=True, show_only=patterns)
    except ShowOnlyError as exc:
        raise _Fail(str(exc)) from None


def _dry_run_strategy(a: TemplateArgs) -> bool:
    """cmdGetDryRunFlagStrategy for template: whether to render against the cluster
    ("server", or the deprecated --validate)."""
    if a.dry_run == "none":  # an install's value, refused by template with its own text
        raise _Fail('invalid dry-run value ("none"). Must be "server" or "client"')
    if a.dry_run not in ("client", "server", "unset"):
        raise _Fail(
            f'invalid dry-run value ({go_quote(a.dry_run)}). Must be "none", "server", or "client"'
        )
    return a.dry_run == "server" or a.validate


def kubeconfig_namespace(kubeconfig: str = "", context: str = "") -> str:
    """The namespace of the kubeconfig's current context (or of `context`, --kube-context), as
    helm defaults --namespace to; `kubeconfig` is --kubeconfig (else $KUBECONFIG)."""
    paths = (
        [kubeconfig]
        if kubeconfig
        else [p for p in os.environ.get("KUBECONFIG", "").split(os.pathsep) if p]
    )
    docs = []
    for path in paths or [os.path.expanduser("~/.kube/config")]:
        try:
            with open(path, encoding="utf-8") as f:
                docs.append(yaml.safe_load(f) or {})
        except (OSError, yaml.YAMLError):
            continue
    # client-go merges the files: the first one to set a value wins
    current = context or next(
        (d.get("current-context") for d in docs if d.get("current-context")), ""
    )
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
    if helm_major >= 4:
        helmlog.error(
            log, "release name check failed", ("error", f'release name "{name}": {problem}')
        )
    prefix = "release name check failed: " if helm_major >= 4 else ""
    raise _Fail(f'{prefix}release name "{name}": {problem}')


def _check_installable(chart: Chart, helm_major: int) -> None:
    kind = chart.metadata.type
    if kind not in ("", "application"):
        raise _Fail(f"{kind} charts are not installable")


def _missing_dependencies(chart: Chart) -> list[str]:
    """action.CheckDependencies: Chart.yaml's dependencies not found in charts/."""
    present = {sub.name for sub in chart.dependencies}
    return [d.name for d in chart.metadata.dependencies if d and d.name not in present]


def _update_dependencies(
    source: str | bytes, a: TemplateArgs, out: list[str], err: list[str]
) -> None:
    """helm's `--dependency-update`: downloader.Manager.Update on the chart directory."""
    from steersman.commands import template_depup

    if not isinstance(source, str):
        raise _Fail("only unpacked charts can be updated")
    settings = template_depup.Settings(
        repository_config=a.repository_config or template_flags.config_path("repositories.yaml"),
        repository_cache=a.repository_cache or template_flags.cache_path("repository"),
        debug=a.debug,
        plain_http=a.plain_http,
        ca_file=a.ca_file,
        cert_file=a.cert_file,
        key_file=a.key_file,
        insecure_skip_tls_verify=a.insecure_skip_tls_verify,
        username=a.username,
        password=a.password,
        registry_config=a.registry_config,
        plugins=_plugin_getters(a),
    )
    try:
        template_depup.update(source, settings, out, err)
    except template_depup.DependencyUpdateError as exc:
        raise _Fail(str(exc)) from None


def _check_dependencies(chart: Chart, a: TemplateArgs) -> None:
    helm_major = a.helm_major
    missing = _missing_dependencies(chart)
    if missing:
        raise _Fail(
            f"{'an' if helm_major >= 4 else 'An'} error occurred while checking for chart "
            "dependencies. You may need to run "
            "`helm dependency build` to fetch missing dependencies: found in Chart.yaml, but "
            f"missing in charts/ directory: {', '.join(missing)}"
        )


def locate_chart(ref: str, a: TemplateArgs, err: list[str] | None = None) -> str | bytes:
    """A local path (directory or archive), or the archive bytes of an oci:// reference or of
    a chart in a repository (--repo URL, or `repo/name` from helm's repositories.yaml); an
    OCI pull's report goes to `err` (helm's registry client writes it to stderr)."""
    if not a.repo and not ref.startswith("oci://"):
        if Path(ref).exists():
            if a.verify:
                _verify_local(os.path.abspath(ref), a.keyring)
            return ref
        if os.path.isabs(ref) or ref.startswith("."):
            raise _Fail(f'path "{ref}" not found')
    return _fetch(ref, a, [] if err is None else err)


def _chart_path(source: str | bytes, ref: str, a: TemplateArgs) -> str:
    """The path helm's LocateChart returns: the local chart made absolute, a fetched one's
    file in helm's content cache (named by the archive's SHA-256)."""
    if isinstance(source, str):
        return os.path.abspath(source)
    digest = hashlib.sha256(source).hexdigest()
    return os.path.join(a.content_cache, digest[:2], digest + ".chart")


def _verify_local(path: str, keyring: str) -> None:
    """downloader.VerifyChart: the archive's .prov signature against --keyring."""
    from steersman.commands.template_verify import VerifyError, verify_chart

    try:
        verify_chart(path, keyring)
    except VerifyError as exc:
        raise _Fail(str(exc)) from None


def _fetch(ref: str, a: TemplateArgs, err: list[str]) -> bytes:
    from steersman.chart.sources import (
        ChartCache,
        ChartRef,
        ChartSourceError,
        RepoAuth,
        fetch_chart,
        parse_oci_reference,
    )
    from steersman.chart.sources.oras_reference import chart_reference_error
    from steersman.commands.template_chart_url import is_chart_url

    entry: dict[str, Any] = {}
    index: tuple[str, bytes] | None = None
    if a.repo:
        chart_ref = ChartRef(a.repo, ref, a.version, a.devel)
    elif ref.startswith("oci://"):
        problem = chart_reference_error(ref, a.version.strip() or (">0.0.0-0" if a.devel else ""))
        if problem:
            raise _Fail(problem)
        ref = ref.removesuffix("@")  # an empty digest is no digest to helm
        chart_ref = ChartRef(ref, "", a.version, a.devel)
    elif is_chart_url(ref):
        chart_ref = ChartRef(ref, "", a.version, a.devel)
    else:
        from steersman.golang.neturl import URLError, parse

        try:  # ResolveChartVersion: the name is a URL to helm, `repo/chart` its path
            path = str(parse(ref)["path"])
        except URLError:
            raise _Fail(f"invalid chart URL format: {ref}") from None
        repo_name, sep, chart_name = path.partition("/")
        if not sep:
            raise _Fail(
                "non-absolute URLs should be in form of repo_name/path_to_chart, got: " + ref
            )
        entry = _repo_entry(repo_name, a)
        chart_ref = ChartRef(str(entry["url"]), chart_name, a.version, a.devel)
        # helm resolves `repo/chart` from the index `helm repo update` left in the cache
        path = os.path.join(
            a.repository_cache or template_flags.cache_path("repository"),
            f"{repo_name}-index.yaml",
        )
        try:
            with open(path, "rb") as f:
                index = (path, f.read())
        except OSError as exc:
            raise _Fail(
                f"no cached repo found. (try 'helm repo update'): open {path}: {go_os_error(exc)}"
            ) from None

    def pick(flag: str, key: str) -> str | None:
        return flag or str(entry.get(key) or "") or None

    username = a.username or str(entry.get("username") or "")
    password = a.password or str(entry.get("password") or "")
    store = None
    if chart_ref.is_oci:
        try:
            store = template_flags.registry_store(a.registry_config, a.username, a.password)
        except template_flags.FlagError as exc:
            raise _Fail(str(exc)) from None
    auth = RepoAuth(
        username=username,
        password=password,
        credentials=store,
        ca_file=pick(a.ca_file, "caFile"),
        cert_file=pick(a.cert_file, "certFile"),
        key_file=pick(a.key_file, "keyFile"),
        pass_credentials_all=a.pass_credentials or bool(entry.get("pass_credentials_all")),
        plain_http=a.plain_http,
        insecure_skip_tls_verify=a.insecure_skip_tls_verify
        or bool(entry.get("insecure_skip_tls_verify")),
    )
    if chart_ref.is_oci:
        auth = _registry_client_auth(auth, a)
    import asyncio  # only for a remote chart: a local one never starts an event loop

    if not chart_ref.is_oci and is_chart_url(ref) and not a.repo:
        return _fetch_from_url(ref, auth, a)
    if not chart_ref.is_oci:
        return _fetch_from_repository(chart_ref, auth, index, entry, a)
    with tempfile.TemporaryDirectory(prefix="steersman-template-") as tmp:
        cache = ChartCache(tmp)
        try:
            fetched = asyncio.run(
                fetch_chart(chart_ref, cache=cache, auth=auth, provenance=a.verify)
            )
        except ChartSourceError as exc:
            raise _Fail(exc.helm or str(exc)) from None
    # the names helm's downloader gives the pull: the reference with its tag (or digest)
    oref = parse_oci_reference(chart_ref.url)
    at = f"@{oref.digest}" if oref.digest else f":{fetched.version}"
    pulled = f"{oref.registry}/{oref.repository}{at.replace('+', '_')}"
    report = f"Pulled: {pulled}\nDigest: {fetched.manifest_digest}\n"
    err.append(report)
    if a.verify:
        if fetched.provenance is not None:
            err.append(report)  # the provenance is a pull of its own
        base = f"oci://{oref.registry}/{oref.repository}{at}"
        name, _, tag = base.rsplit("/", 1)[-1].rpartition(":")
        _verify_fetched(fetched.data, fetched.provenance, base, f"{name}-{tag}.tgz", a)
    return fetched.data


def _registry_client_auth(auth: Any, a: TemplateArgs) -> Any:
    """newRegistryClient: with TLS options, helm's TLS client, which never speaks plain HTTP;
    else its default one (Go's TLS defaults, --plain-http honoured, a lone cert or key file
    unused)."""
    if wants_tls_config(a.ca_file, a.cert_file, a.key_file, a.insecure_skip_tls_verify):
        return dataclasses.replace(auth, plain_http=False)
    return dataclasses.replace(auth, cert_file=None, key_file=None)


def _fetch_from_repository(
    chart_ref: Any,
    auth: Any,
    index: tuple[str, bytes] | None,
    entry: dict[str, Any],
    a: TemplateArgs,
) -> bytes:
    """An HTTP repository's chart: `index` is the cached one of `repo/name` (None: --repo)."""
    import asyncio

    from steersman.commands.template_repo import CachedIndex, RepoFetchError, fetch_repo_chart

    wanted = a.version.strip() or (">0.0.0-0" if a.devel else "")
    cached = None if index is None else CachedIndex(str(entry["name"]), index[0], index[1])

    def archive_options(url: str) -> Any:
        """--repo: LocateChart keeps the credentials for the chart URL only when they may
        go there, then ResolveChartVersion scans the repositories for that URL."""
        from steersman.commands.template_chart_url import download_options, url_equal

        flags = auth
        if not (auth.pass_credentials_all or url_equal(chart_ref.url, url)):
            flags = dataclasses.replace(auth, username="", password="")
        return download_options(
            url, flags, _repo_entries(a), _repository_cache(a), _plugin_getters(a)
        )

    try:
        fetched = asyncio.run(
            fetch_repo_chart(
                chart_ref.url,
                chart_ref.name,
                wanted,
                auth,
                cached=cached,
                provenance=a.verify,
                archive_options=archive_options if cached is None else None,
                plugins=_plugin_getters(a),
            )
        )
    except RepoFetchError as exc:
        raise _Fail(str(exc)) from None
    if wanted and fetched.version != wanted:  # repo.IndexFile.Get took a constraint
        helmlog.warn(
            log,
            "unable to find exact version requested; falling back to closest available version",
            ("chart", chart_ref.name),
            ("requested", wanted),
            ("selected", fetched.version),
        )
    if a.verify:
        url = fetched.url
        _verify_fetched(fetched.data, fetched.provenance, url, url.rsplit("/", 1)[-1], a)
    return fetched.data


def _fetch_from_url(url: str, auth: Any, a: TemplateArgs) -> bytes:
    """An absolute chart URL: the archive (and its .prov) with the options of the repository
    listing it, else the flags'."""
    import asyncio

    from steersman.commands.template_chart_url import download_options, fetch_chart_url
    from steersman.commands.template_getters import find_getter
    from steersman.commands.template_repo import RepoFetchError

    scheme = url.partition(":")[0].lower()
    try:
        opts = download_options(
            url, auth, _repo_entries(a), _repository_cache(a), _plugin_getters(a)
        )
        supported = scheme in ("http", "https") or (
            find_getter(a.plugins_directory, scheme) is not None
        )
        fetched = asyncio.run(fetch_chart_url(url, opts, provenance=a.verify, supported=supported))
    except RepoFetchError as exc:
        raise _Fail(str(exc)) from None
    if a.verify:
        from steersman.golang.neturl import parse

        name = gopath.base(str(parse(url)["path"]))
        _verify_fetched(fetched.data, fetched.provenance, url, name, a)
    return fetched.data


def _verify_fetched(
    archive: bytes, prov: bytes | None, url: str, filename: str, a: TemplateArgs
) -> None:
    """ChartDownloader with VerifyAlways: the .prov must be there, then VerifyChart."""
    from steersman.commands.template_verify import VerifyError, verify_fetched

    if prov is None:
        raise _Fail(f"failed to fetch provenance {go_quote(url + '.prov')}")
    try:
        verify_fetched(archive, prov, filename, a.keyring)
    except VerifyError as exc:
        raise _Fail(str(exc)) from None


def _plugin_getters(a: TemplateArgs) -> Any:
    """The getter plugins of $HELM_PLUGINS, for getters beyond http, https and oci."""
    from steersman.commands.template_getters import PluginGetters

    return PluginGetters(a.plugins_directory, plugin_settings_env(a))


def plugin_settings_env(a: TemplateArgs) -> dict[str, str]:
    """cli.EnvSettings.EnvVars: the settings helm hands its plugins as HELM_* variables."""
    env = {
        "HELM_BIN": sys.argv[0],
        "HELM_CACHE_HOME": template_flags.cache_path(),
        "HELM_CONFIG_HOME": template_flags.config_path(),
        "HELM_DATA_HOME": template_flags.data_path(),
        "HELM_DEBUG": "true" if a.debug else "false",
        "HELM_PLUGINS": a.plugins_directory,
        "HELM_REGISTRY_CONFIG": a.registry_config,
        "HELM_REPOSITORY_CACHE": _repository_cache(a),
        "HELM_CONTENT_CACHE": a.content_cache,
        "HELM_REPOSITORY_CONFIG": a.repository_config,
        "HELM_NAMESPACE": a.namespace or "default",
        "HELM_MAX_HISTORY": "10",
        "HELM_BURST_LIMIT": "100",
        "HELM_QPS": "0.00",
        "HELM_KUBECONTEXT": a.kube_context,
        "HELM_KUBETOKEN": a.kube_token,
        "HELM_KUBEASUSER": a.kube_as_user,
        "HELM_KUBEASGROUPS": ",".join(a.kube_as_group),
        "HELM_KUBEAPISERVER": a.kube_apiserver,
        "HELM_KUBECAFILE": a.kube_ca_file,
        "HELM_KUBEINSECURE_SKIP_TLS_VERIFY": "true" if a.kube_insecure_skip_tls_verify else "false",
        "HELM_KUBETLS_SERVER_NAME": a.kube_tls_server_name,
    }
    if a.kubeconfig:
        env["KUBECONFIG"] = a.kubeconfig
    return env


def _repository_cache(a: TemplateArgs) -> str:
    return a.repository_cache or template_flags.cache_path("repository")


def _repo_entries(a: TemplateArgs) -> list[dict[str, Any]]:
    """The repositories added with `helm repo add` (--repository-config, default
    $HELM_REPOSITORY_CONFIG or helm's config home's repositories.yaml)."""
    from steersman.golang.goyaml import YAMLError
    from steersman.golang.goyaml_struct import StructSpec, unmarshal_struct

    entry_spec = StructSpec(
        "repo.Entry",
        {
            **dict.fromkeys(
                ("name", "url", "username", "password", "certFile", "keyFile", "caFile"), "string"
            ),
            "insecure_skip_tls_verify": "bool",
            "pass_credentials_all": "bool",
        },
    )
    config = a.repository_config or template_flags.config_path("repositories.yaml")
    try:
        with open(config, "rb") as f:
            data = f.read()
    except OSError:
        return []  # loadRepoConfig: a file that is not there is no repository
    try:
        doc = unmarshal_struct(data, StructSpec("repo.File", {"repositories": ("[]", entry_spec)}))
    except YAMLError as exc:
        raise _Fail(str(exc)) from None
    return [entry for entry in doc.get("repositories") or [] if isinstance(entry, dict)]


def _repo_entry(name: str, a: TemplateArgs) -> dict[str, Any]:
    for entry in _repo_entries(a):
        if entry.get("name") == name and entry.get("url"):
            return entry
    raise _Fail(f"repo {name} not found")
