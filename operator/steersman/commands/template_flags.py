"""The flags of `helm template` (v4.1.4) and a parser with pflag's rules and error texts.

cobra/pflag, not argparse: flags and arguments interleave, `--flag=value`, `-fvalue`, `-abc`
bool groups, `--` ends the flags, bool flags take `=false`; errors read
`unknown flag: --x`, `flag needs an argument: --set`,
`invalid argument "x" for "-g, --generate-name" flag: strconv.ParseBool: ...`.
`parse_flags` returns the values by `dest`; template_command turns them into TemplateArgs.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from steersman.commands.template_help import HELP_TEMPLATE
from steersman.errors import SteersmanError
from steersman.golang.duration import DurationError, parse_duration
from steersman.golang.fmt import go_quote, go_quote_rune

if TYPE_CHECKING:
    from steersman.chart.sources.model import CredentialSource


class FlagError(SteersmanError):
    """A command-line error; str() is helm's text (after `Error: `)."""


@dataclass(frozen=True)
class Flag:
    name: str
    kind: str  # bool string stringArray stringSlice stringToString duration int uint float wait
    dest: str = ""
    short: str = ""
    default: Any = None
    no_opt: str = ""  # pflag's NoOptDefVal: the value of a bare `--flag`
    deprecated: str = ""

    @property
    def key(self) -> str:
        return self.dest or self.name.replace("-", "_")

    def display(self) -> str:
        return f"-{self.short}, --{self.name}" if self.short else f"--{self.name}"


def _f(name: str, kind: str, short: str = "", **kw: Any) -> Flag:
    if kind == "bool":
        kw.setdefault("no_opt", "true")
        kw.setdefault("default", False)
    return Flag(name, kind, short=short, **kw)


# helm template's own flags, addInstallFlags, addValueOptionsFlags, addChartPathOptionsFlags,
# the wait flag, the post-renderer pair, then the root command's persistent (global) flags.
FLAGS: tuple[Flag, ...] = (
    _f("show-only", "stringArray", "s"),
    _f("output-dir", "string", default=""),
    _f("validate", "bool", deprecated="use '--dry-run=server' instead"),
    _f("include-crds", "bool"),
    _f("skip-tests", "bool"),
    _f("is-upgrade", "bool"),
    _f("kube-version", "string", default=""),
    _f("api-versions", "stringSlice", "a"),
    _f("release-name", "bool", dest="use_release_name"),
    _f("dry-run", "string", default="client", no_opt="unset"),
    _f("post-renderer", "postRenderer", default=""),
    _f("post-renderer-args", "stringArray"),
    _f("create-namespace", "bool"),
    _f("force-replace", "bool"),
    _f("force", "bool", deprecated="use --force-replace instead"),
    _f("force-conflicts", "bool"),
    _f("server-side", "bool", default=True),
    _f("no-hooks", "bool"),
    _f("replace", "bool"),
    _f("timeout", "duration", default="5m0s"),
    _f("wait-for-jobs", "bool"),
    _f("generate-name", "bool", "g"),
    _f("name-template", "string", default=""),
    _f("description", "string", default=""),
    _f("devel", "bool"),
    _f("dependency-update", "bool"),
    _f("disable-openapi-validation", "bool"),
    _f("rollback-on-failure", "bool"),
    _f("atomic", "bool", deprecated="use --rollback-on-failure instead"),
    _f("skip-crds", "bool"),
    _f("render-subchart-notes", "bool"),
    _f("skip-schema-validation", "bool"),
    _f("labels", "stringToString", "l"),
    _f("enable-dns", "bool"),
    _f("hide-notes", "bool"),
    _f("take-ownership", "bool"),
    _f("values", "stringSlice", "f", dest="value_files"),
    _f("set", "stringArray", dest="set_values"),
    _f("set-string", "stringArray"),
    _f("set-file", "stringArray"),
    _f("set-json", "stringArray"),
    _f("set-literal", "stringArray"),
    _f("version", "string", default=""),
    _f("verify", "bool"),
    _f("keyring", "string"),
    _f("repo", "string", default=""),
    _f("username", "string", default=""),
    _f("password", "string", default=""),
    _f("cert-file", "string", default=""),
    _f("key-file", "string", default=""),
    _f("insecure-skip-tls-verify", "bool"),
    _f("plain-http", "bool"),
    _f("ca-file", "string", default=""),
    _f("pass-credentials", "bool"),
    _f("wait", "wait", default="hookOnly", no_opt="watcher"),
    _f("help", "bool", "h"),
    # global flags (EnvSettings.AddFlags); defaults from the environment, see env_defaults
    _f("namespace", "string", "n"),
    _f("kubeconfig", "string"),
    _f("kube-context", "string"),
    _f("kube-token", "string"),
    _f("kube-as-user", "string"),
    _f("kube-as-group", "stringArray"),
    _f("kube-apiserver", "string"),
    _f("kube-ca-file", "string"),
    _f("kube-tls-server-name", "string"),
    _f("kube-insecure-skip-tls-verify", "bool"),
    _f("debug", "bool"),
    _f("registry-config", "string"),
    _f("repository-config", "string"),
    _f("repository-cache", "string"),
    _f("content-cache", "string"),
    _f("burst-limit", "int"),
    _f("qps", "float"),
    _f("color", "string", dest="color_mode"),
    _f("colour", "string", dest="color_mode"),
    # klog's flags, hidden in helm but accepted
    _f("add-dir-header", "bool"),
    _f("alsologtostderr", "bool"),
    _f("log-backtrace-at", "string", default=":0"),
    _f("log-dir", "string", default=""),
    _f("log-file", "string", default=""),
    _f("log-file-max-size", "uint", default=1800),
    _f("logtostderr", "bool", default=True),
    _f("one-output", "bool"),
    _f("skip-headers", "bool"),
    _f("skip-log-headers", "bool"),
    _f("stderrthreshold", "string", default="2"),
    _f("v", "int", "v", dest="klog_v", default=0),
    _f("vmodule", "string", default=""),
)

_BY_NAME = {f.name: f for f in FLAGS}
_BY_SHORT = {f.short: f for f in FLAGS if f.short}

# cmd.MarkFlagsMutuallyExclusive groups of helm template
EXCLUSIVE_GROUPS = (
    ("validate", "dry-run"),
    ("force-replace", "force-conflicts"),
    ("force", "force-conflicts"),
)

USAGE_LINE = "Usage:  helm template [NAME] [CHART] [flags]"


def _home() -> str:
    return os.environ.get("HOME") or os.path.expanduser("~")


def _helm_path(env: str, xdg: str, fallback: str, *parts: str) -> str:
    """helmpath.ConfigPath/CachePath/DataPath: $HELM_*_HOME, else $XDG_*_HOME/helm, else ~/..."""
    base = os.environ.get(env) or os.path.join(
        os.environ.get(xdg) or os.path.join(_home(), fallback), "helm"
    )
    return os.path.join(base, *parts)


def config_path(*parts: str) -> str:
    return _helm_path("HELM_CONFIG_HOME", "XDG_CONFIG_HOME", ".config", *parts)


def cache_path(*parts: str) -> str:
    return _helm_path("HELM_CACHE_HOME", "XDG_CACHE_HOME", ".cache", *parts)


def data_path(*parts: str) -> str:
    return _helm_path("HELM_DATA_HOME", "XDG_DATA_HOME", os.path.join(".local", "share"), *parts)


def env_defaults() -> dict[str, Any]:
    """cli.New(): the global settings' defaults, read from helm's environment variables."""
    env = os.environ.get
    gnupg = env("GNUPGHOME")
    return {
        "namespace": env("HELM_NAMESPACE", ""),
        "kubeconfig": env("KUBECONFIG", ""),
        "kube_context": env("HELM_KUBECONTEXT", ""),
        "kube_token": env("HELM_KUBETOKEN", ""),
        "kube_as_user": env("HELM_KUBEASUSER", ""),
        "kube_as_group": [g for g in env("HELM_KUBEASGROUPS", "").split(",") if g],
        "kube_apiserver": env("HELM_KUBEAPISERVER", ""),
        "kube_ca_file": env("HELM_KUBECAFILE", ""),
        "kube_tls_server_name": env("HELM_KUBETLS_SERVER_NAME", ""),
        "kube_insecure_skip_tls_verify": _parse_bool(
            env("HELM_KUBEINSECURE_SKIP_TLS_VERIFY", "false"), quiet=True
        ),
        "debug": _parse_bool(env("HELM_DEBUG", "false"), quiet=True),
        "registry_config": env("HELM_REGISTRY_CONFIG") or config_path("registry", "config.json"),
        "repository_config": env("HELM_REPOSITORY_CONFIG") or config_path("repositories.yaml"),
        "repository_cache": env("HELM_REPOSITORY_CACHE") or cache_path("repository"),
        "content_cache": env("HELM_CONTENT_CACHE") or cache_path("content"),
        "plugins_directory": env("HELM_PLUGINS") or data_path("plugins"),
        "burst_limit": 100,
        "qps": 0.0,
        "color_mode": _env_color_mode(),
        "keyring": os.path.join(gnupg, "pubring.gpg")
        if gnupg is not None
        else os.path.join(_home(), ".gnupg", "pubring.gpg"),
    }


def _env_color_mode() -> str:
    if os.environ.get("NO_COLOR"):
        return "never"
    mode = os.environ.get("HELM_COLOR", "").lower()
    return mode if mode in ("never", "auto", "always") else "auto"


def global_color_mode(argv: Sequence[str]) -> str:
    """--color/--colour as the root command reads them before parsing anything else (unknown
    flags ignored), so a bad value is reported first."""
    mode = _env_color_mode()
    rest = list(argv)
    while rest:
        s = rest.pop(0)
        if s == "--":
            break
        for name in ("--color", "--colour"):
            if s == name and rest:
                mode = rest.pop(0)
            elif s.startswith(name + "="):
                mode = s[len(name) + 1 :]
    return mode


def help_text() -> str:
    d = env_defaults()
    return HELP_TEMPLATE.format(
        keyring=go_quote(d["keyring"]),
        content_cache=go_quote(d["content_cache"]),
        registry_config=go_quote(d["registry_config"]),
        repository_cache=go_quote(d["repository_cache"]),
        repository_config=go_quote(d["repository_config"]),
    )


@dataclass
class Parsed:
    values: dict[str, Any]
    args: list[str]
    changed: list[str]  # flag names set on the command line, in order
    warnings: list[str]  # lines for stderr (deprecations) printed before anything else


def defaults() -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in FLAGS:
        if f.kind in ("stringArray", "stringSlice"):
            out[f.key] = []
        elif f.kind == "stringToString":
            out[f.key] = {}
        elif f.default is not None:
            out[f.key] = f.default
        else:
            out.setdefault(f.key, "")
    out.update(env_defaults())
    return out


def parse_flags(argv: Sequence[str]) -> Parsed:
    """pflag's FlagSet.Parse with interspersed arguments; raises FlagError."""
    p = Parsed(defaults(), [], [], [])
    rest = list(argv)
    while rest:
        s = rest.pop(0)
        if len(s) < 2 or s[0] != "-":
            p.args.append(s)
        elif s == "--":
            p.args.extend(rest)
            break
        elif s[1] == "-":
            _long(p, s, rest)
        else:
            shorts = s[1:]
            while shorts:
                shorts = _short(p, shorts, rest)
    return p


def _long(p: Parsed, s: str, rest: list[str]) -> None:
    name = s[2:]
    if not name or name[0] in "-=":
        raise FlagError(f"bad flag syntax: {s}")
    name, eq, value = name.partition("=")
    flag = _BY_NAME.get(name)
    if flag is None:
        raise FlagError(f"unknown flag: --{name}")
    if not eq:
        if flag.no_opt:
            value = flag.no_opt
        elif rest:
            value = rest.pop(0)
        else:
            raise FlagError(f"flag needs an argument: {s}")
    _set(p, flag, value)


def _short(p: Parsed, shorts: str, rest: list[str]) -> str:
    c = shorts[0]
    flag = _BY_SHORT.get(c)
    if flag is None:
        raise FlagError(f"unknown shorthand flag: {_go_rune_quote(c)} in -{shorts}")
    if len(shorts) > 2 and shorts[1] == "=":
        value, remaining = shorts[2:], ""
    elif flag.no_opt:
        value, remaining = flag.no_opt, shorts[1:]
    elif len(shorts) > 1:
        value, remaining = shorts[1:], ""
    elif rest:
        value, remaining = rest.pop(0), ""
    else:
        raise FlagError(f"flag needs an argument: {_go_rune_quote(c)} in -{shorts}")
    _set(p, flag, value)
    return remaining


def _go_rune_quote(c: str) -> str:
    return go_quote_rune(ord(c))


def set_flag(p: Parsed, flag: Flag, value: str) -> None:
    """Flag.Value.Set with pflag's error wrapping (FlagError)."""
    _set(p, flag, value)


def _set(p: Parsed, flag: Flag, value: str) -> None:
    try:
        _assign(p, flag, value)
    except _BadValue as exc:
        where = f'"{flag.display()}" flag'
        raise FlagError(f"invalid argument {go_quote(value)} for {where}: {exc}") from None
    first = flag.name not in p.changed
    p.changed.append(flag.name)
    if flag.deprecated and first:
        p.warnings.append(f"Flag --{flag.name} has been deprecated, {flag.deprecated}")


class _BadValue(Exception):
    pass


def _parse_bool(s: str, quiet: bool = False) -> bool:
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if s in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    if quiet:
        return False
    raise _BadValue(f"strconv.ParseBool: parsing {go_quote(s)}: invalid syntax")


def _assign(p: Parsed, flag: Flag, value: str) -> None:
    v = p.values
    key = flag.key
    kind = flag.kind
    if kind == "bool":
        v[key] = _parse_bool(value)
    elif kind == "string":
        v[key] = value
    elif kind == "stringArray":
        v[key] = ([] if flag.name not in p.changed else v[key]) + [value]
    elif kind == "stringSlice":
        items = _csv_fields(value)
        v[key] = ([] if flag.name not in p.changed else v[key]) + items
    elif kind == "stringToString":
        pairs: dict[str, str] = {} if flag.name not in p.changed else dict(v[key])
        pairs.update(_key_values(value))
        v[key] = pairs
    elif kind == "duration":
        try:
            parse_duration(value)
        except DurationError as exc:
            raise _BadValue(str(exc)) from None
        v[key] = value
    elif kind in ("int", "uint"):
        v[key] = _parse_int(value, kind)
    elif kind == "float":
        try:
            v[key] = float(value)
        except ValueError:
            raise _BadValue(
                f"strconv.ParseFloat: parsing {go_quote(value)}: invalid syntax"
            ) from None
    elif kind == "wait":
        if value == "true":
            p.warnings.append(
                'level=WARN msg="--wait=true is deprecated (boolean value) and can be replaced '
                'with --wait=watcher"'
            )
            value = "watcher"
        elif value == "false":
            p.warnings.append(
                'level=WARN msg="--wait=false is deprecated (boolean value) and can be replaced '
                'with --wait=hookOnly"'
            )
            value = "hookOnly"
        elif value not in ("watcher", "hookOnly", "legacy"):
            raise _BadValue(
                f"invalid wait input {go_quote(value)}. Valid inputs are watcher, hookOnly, "
                "and legacy"
            )
        v[key] = value
    elif kind == "postRenderer":
        if value == "":
            return
        if v[key]:
            raise _BadValue("cannot specify --post-renderer flag more than once")
        if find_post_renderer(p.values["plugins_directory"], value) is None:
            raise _BadValue(f"plugin: {{Name:{value} Type:postrenderer/v1}} not found")
        v[key] = value
    else:  # pragma: no cover - the table above names every kind
        raise AssertionError(kind)


def find_post_renderer(plugins_directory: str, name: str) -> str | None:
    """plugin.FindPlugin for {name, postrenderer/v1}: the directory of the first plugin in
    $HELM_PLUGINS (a path list) whose plugin.yaml (apiVersion v1) has that name and type;
    plugins that do not load are skipped, as helm does."""
    import glob

    import yaml

    for base in plugins_directory.split(os.pathsep):
        if not base:
            continue
        for meta_file in sorted(glob.glob(os.path.join(glob.escape(base), "*", "plugin.yaml"))):
            try:
                with open(meta_file, encoding="utf-8") as f:
                    meta = yaml.safe_load(f)
            except (OSError, yaml.YAMLError):
                continue
            if (
                isinstance(meta, dict)
                and meta.get("apiVersion") == "v1"
                and meta.get("name") == name
                and meta.get("type") == "postrenderer/v1"
            ):
                return os.path.dirname(meta_file)
    return None


def bad_value(message: str) -> Exception:
    return _BadValue(message)


def _key_values(value: str) -> dict[str, str]:
    """pflag's stringToString: one `=` is one pair (its value may hold commas; surrounding
    quotes trimmed), more are a CSV record of pairs; none is an error (even for "")."""
    count = value.count("=")
    if count == 0:
        raise _BadValue(f"{value} must be formatted as key=value")
    items = [value.strip('"')] if count == 1 else _csv_fields(value)
    out: dict[str, str] = {}
    for item in items:
        k, eq, val = item.partition("=")
        if not eq:
            raise _BadValue(f"{item} must be formatted as key=value")
        out[k] = val
    return out


def _csv_fields(value: str) -> list[str]:
    """pflag's readAsCSV: one record as Go's encoding/csv reads it (quotes allowed, not lazy),
    with its errors; empty input is no values."""
    if value == "":
        return []
    line = value.split("\n", 1)[0].removesuffix("\r")
    fields: list[str] = []
    start = 0
    while True:
        if not line.startswith('"', start):
            end = line.find(",", start)
            field = line[start:] if end < 0 else line[start:end]
            quote = field.find('"')
            if quote >= 0:
                raise _BadValue(_csv_error(line, start + quote, 'bare " in non-quoted-field'))
            fields.append(field)
            if end < 0:
                return fields
            start = end + 1
            continue
        parts: list[str] = []
        i = start + 1
        while True:
            quote = line.find('"', i)
            if quote < 0:  # unterminated: Go reports the end of the line
                raise _BadValue(
                    _csv_error(line, len(line), 'extraneous or missing " in quoted-field')
                )
            parts.append(line[i:quote])
            after = line[quote + 1 : quote + 2]
            if after == '"':
                parts.append('"')
                i = quote + 2
            elif after in (",", ""):
                break
            else:
                raise _BadValue(_csv_error(line, quote, 'extraneous or missing " in quoted-field'))
        fields.append("".join(parts))
        if after == "":
            return fields
        start = quote + 2


def _csv_error(line: str, index: int, what: str) -> str:
    """encoding/csv's ParseError; its column is the 1-based byte offset."""
    column = len(line[:index].encode()) + 1
    return f"parse error on line 1, column {column}: {what}"


def _parse_int(value: str, kind: str) -> int:
    fn = "ParseInt" if kind == "int" else "ParseUint"
    text = value.replace("_", "") if re.match(r"^[+-]?0[xXoObB]", value) else value
    try:
        n = int(text, 0)
    except ValueError:
        if kind == "uint":
            raise _BadValue("parse error") from None
        raise _BadValue(f"strconv.{fn}: parsing {go_quote(value)}: invalid syntax") from None
    if kind == "uint" and n < 0:  # a Go flag.Uint64 (klog's): flag's numError
        raise _BadValue("parse error")
    return n


def registry_store(config: str, username: str, password: str) -> CredentialSource | None:
    """The credential store helm's registry client asks on a 401 for an OCI registry: None
    when --username and --password are both set (they are used as they are), else the
    --registry-config file (docker's config.json format: credHelpers, credsStore, auths)
    with Docker's own config.json as fallback. --registry-config is read in any case
    (NewClient opens its store first): one that is there but unreadable or not JSON is a
    FlagError; a broken Docker one is left out, as helm leaves it."""
    from steersman.chart.sources.dockerconfig import RegistryConfig, RegistryStores

    docker = os.environ.get("DOCKER_CONFIG") or os.path.join(_home(), ".docker")
    helm_doc = _read_store(config, strict=True)
    if username and password:
        return None
    configs = [RegistryConfig.from_document(config, _doc(helm_doc))]
    docker_file = os.path.join(docker, "config.json")
    docker_doc = _read_store(docker_file, strict=False)
    if docker_doc is not None or not os.path.exists(docker_file):
        configs.append(RegistryConfig.from_document(docker_file, _doc(docker_doc)))
    return RegistryStores(configs)


def _doc(data: bytes | None) -> object:
    return json.loads(data) if data is not None else {}


def _read_store(path: str, *, strict: bool) -> bytes | None:
    """A credentials file's first JSON document; None for a missing one (an empty store)."""
    from steersman.chart.loader import go_os_error
    from steersman.commands.template_regconfig import (
        document_error,
        first_value,
        registry_config_error,
    )

    try:
        with open(path, "rb") as f:
            data = f.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        if not strict:
            return None
        raise FlagError(
            f"failed to decode config file at {path}: invalid config format: "
            f"read {path}: {go_os_error(exc)}"
        ) from None
    doc = first_value(data)
    if doc is None or document_error(doc) is not None:
        if strict:
            raise FlagError(registry_config_error(path) or f"{path}: invalid config format")
        return None
    return doc
