"""helm v4's getter plugins (getter.All's collectGetterPlugins): the plugins in $HELM_PLUGINS
whose plugin.yaml is a legacy one with `downloaders` or an apiVersion v1 `type: getter/v1`
one, each serving the URL schemes it lists. A download runs the protocol's command from the
plugin directory with `certFile keyFile caFile URL` appended, standard input empty, its
standard error passed through and its standard output the fetched bytes."""

from __future__ import annotations

import asyncio
import dataclasses
import glob
import os
import re
import sys
from collections.abc import Mapping
from typing import Any

import yaml

from steersman.chart import go_os_error
from steersman.chart.sources import RepoAuth
from steersman.commands.template_plugin_commands import prepare_commands
from steersman.errors import SteersmanError
from steersman.golang import path as gopath
from steersman.golang.quote import go_quote

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


class GetterPluginError(SteersmanError):
    """A getter plugin's failure, in the words helm's getterPlugin.Get reports it."""


@dataclasses.dataclass(frozen=True)
class GetterPlugin:
    """The loaded plugin, with what helm prints of it (its Go value) when it fails."""

    directory: str
    api_version: str  # "legacy" for a plugin.yaml without apiVersion
    name: str
    version: str
    source_url: str
    protocols: list[str]
    protocol_commands: list[dict[str, Any]]  # {protocols: [...], platformCommand: [...]}
    platform_command: list[dict[str, Any]]
    platform_hooks: dict[str, list[dict[str, Any]]]
    expand_hook_args: bool


def find_getter(plugins_directory: str, scheme: str) -> GetterPlugin | None:
    """Providers.ByScheme over the plugin getters: the first (by directory name) listing the
    scheme. helm scans $HELM_PLUGINS as one directory; plugins that do not load are skipped,
    and two with one name make it use none."""
    plugins: list[GetterPlugin | None] = []
    for meta_file in sorted(
        glob.glob(os.path.join(glob.escape(plugins_directory), "*", "plugin.yaml"))
    ):
        plugins.append(_load(meta_file))
    loaded = [p for p in plugins if p is not None]
    names = [p.name for p in loaded]
    if len(set(names)) != len(names):
        return None
    return next((p for p in loaded if p.protocols and scheme in p.protocols), None)


def _load(meta_file: str) -> GetterPlugin | None:
    """A getter plugin from its plugin.yaml; None for any other plugin or one helm would not
    load (the common checks only: name, runtime, protocols and commands)."""
    try:
        with open(meta_file, encoding="utf-8") as f:
            meta = yaml.safe_load(f)
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return None
    if not isinstance(meta, dict) or not _NAME.match(str(meta.get("name") or "")):
        return None
    directory = os.path.dirname(meta_file)
    api = meta.get("apiVersion") or ""
    if api == "":
        return _legacy(meta, directory)
    if api != "v1" or meta.get("type") != "getter/v1" or meta.get("runtime") != "subprocess":
        return None
    if not meta.get("version"):
        return None
    protocols = [str(p) for p in _list((meta.get("config") or {}).get("protocols"))]
    if not protocols or "" in protocols:
        return None
    runtime = meta.get("runtimeConfig") or {}
    return GetterPlugin(
        directory,
        "v1",
        str(meta["name"]),
        str(meta.get("version") or ""),
        str(meta.get("sourceURL") or ""),
        protocols,
        [c for c in _list(runtime.get("protocolCommands")) if isinstance(c, dict)],
        _list(runtime.get("platformCommand")),
        dict(runtime.get("platformHooks") or {}),
        False,
    )


def _legacy(meta: dict[str, Any], directory: str) -> GetterPlugin | None:
    """fromMetadataLegacy: `downloaders` make it a getter, each one protocol command."""
    downloaders = [d for d in _list(meta.get("downloaders")) if isinstance(d, dict)]
    if not downloaders:
        return None
    for d in downloaders:
        protocols = _list(d.get("protocols"))
        if not d.get("command") or not protocols or "" in protocols:
            return None
    platform_command = _list(meta.get("platformCommand"))
    if not platform_command and meta.get("command"):
        platform_command = [{"command": str(meta["command"])}]
    hooks = dict(meta.get("platformHooks") or {})
    expand_hook_args = True
    if not hooks and meta.get("hooks"):
        hooks = {
            str(k): [{"command": "sh", "args": ["-c", str(v)]}]
            for k, v in dict(meta["hooks"]).items()
        }
        expand_hook_args = False
    return GetterPlugin(
        directory,
        "legacy",
        str(meta["name"]),
        str(meta.get("version") or ""),
        "",
        [str(p) for d in downloaders for p in _list(d.get("protocols"))],
        [
            {
                "protocols": [str(p) for p in _list(d["protocols"])],
                "platformCommand": [{"command": str(d["command"])}],
            }
            for d in downloaders
        ],
        platform_command,
        hooks,
        expand_hook_args,
    )


def _list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else []


@dataclasses.dataclass(frozen=True)
class PluginGetters:
    """getter.All's plugin part: where the plugins are and the settings they are given."""

    directory: str
    settings_env: Mapping[str, str]


async def run_getter(
    plugin: GetterPlugin, href: str, settings_env: Mapping[str, str], call: RepoAuth
) -> bytes:
    """runGetter: the bytes the protocol's command writes to standard output."""
    scheme = href.partition(":")[0].lower()  # url.Parse lowercases the scheme
    command = next(
        (c for c in plugin.protocol_commands if scheme in _list(c.get("protocols"))), None
    )
    if command is None:
        raise _failed(plugin, f"no downloader found for protocol {go_quote(scheme)}")
    env = {
        **os.environ,
        **settings_env,
        "HELM_PLUGIN_NAME": plugin.name,
        "HELM_PLUGIN_DIR": plugin.directory,
        "HELM_PLUGIN_USERNAME": call.username,
        "HELM_PLUGIN_PASSWORD": call.password,
        "HELM_PLUGIN_PASS_CREDENTIALS_ALL": "true" if call.pass_credentials_all else "false",
    }
    argv = prepare_commands(_list(command.get("platformCommand")), [], env, expand_args=False)
    if argv is None:
        raise _failed(
            plugin,
            f"failed to prepare commands for protocol {go_quote(scheme)}: "
            "no plugin command is applicable",
        )
    # filepath.Join: even an absolute command is taken below the plugin directory
    program = gopath.clean(plugin.directory + "/" + argv[0])
    args = [*argv[1:], call.cert_file or "", call.key_file or "", call.ca_file or "", href]
    sys.stderr.flush()  # the plugin writes to the same standard error
    try:
        proc = await asyncio.create_subprocess_exec(
            program,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=None,
            env=env,
        )
    except OSError as exc:
        raise _failed(plugin, f"fork/exec {program}: {go_os_error(exc)}") from None
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise _failed(plugin, f"plugin {go_quote(plugin.name)} exited with error")
    return out


def _failed(plugin: GetterPlugin, why: str) -> GetterPluginError:
    return GetterPluginError(f"plugin {go_value(plugin)} failed to invoke: {why}")


def go_value(p: GetterPlugin) -> str:
    """fmt's %q of helm's *SubprocessPluginRuntime: its fields quoted, the interface-held
    config pointers in %v inside `%!q(TYPE=...)`, as Go prints a value with no String."""
    runtime = [p.platform_command, p.platform_hooks, p.protocol_commands]
    metadata = " ".join(
        [
            *(go_quote(s) for s in (p.api_version, p.name, "getter/v1", "subprocess")),
            *(go_quote(s) for s in (p.version, p.source_url)),
            f"%!q(*schema.ConfigGetterV1=&{{{_v(p.protocols, False)}}})",
            "%!q(*plugin.RuntimeConfigSubprocess=&{"
            + " ".join([*(_runtime_field(f, False) for f in runtime), _bool(p.expand_hook_args)])
            + "})",
        ]
    )
    config = " ".join(
        [*(_runtime_field(f, True) for f in runtime), f"%!q(bool={_bool(p.expand_hook_args)})"]
    )
    return f"&{{{{{metadata}}} {go_quote(p.directory)} {{{config}}} map[]}}"


def _runtime_field(value: Any, quoted: bool) -> str:
    if isinstance(value, dict):  # PlatformHooks: event -> commands, keys sorted as Go's fmt
        return (
            "map["
            + " ".join(
                f"{_v(str(k), quoted)}:{_commands(v, quoted)}" for k, v in sorted(value.items())
            )
            + "]"
        )
    if value and "protocols" in value[0]:  # ProtocolCommands
        return (
            "["
            + " ".join(
                "{"
                + _v([str(x) for x in _list(c.get("protocols"))], quoted)
                + " "
                + _commands(_list(c.get("platformCommand")), quoted)
                + "}"
                for c in value
            )
            + "]"
        )
    return _commands(value, quoted)


def _commands(commands: Any, quoted: bool) -> str:
    """[]PlatformCommand: {os arch command [args]} each."""
    out = []
    for c in _list(commands):
        c = c if isinstance(c, dict) else {}
        fields = [str(c.get(k) or "") for k in ("os", "arch", "command")]
        args = [str(a) for a in _list(c.get("args"))]
        out.append("{" + " ".join([*(_v(f, quoted) for f in fields), _v(args, quoted)]) + "}")
    return "[" + " ".join(out) + "]"


def _v(value: str | list[str], quoted: bool) -> str:
    if isinstance(value, list):
        return "[" + " ".join(_v(s, quoted) for s in value) + "]"
    return go_quote(value) if quoted else value


def _bool(b: bool) -> str:
    return "true" if b else "false"
