"""`--post-renderer NAME`: a helm v4 `postrenderer/v1` plugin (subprocess runtime) run as helm
runs it: found by name in $HELM_PLUGINS, its platform command (with `$VAR`s expanded from the
environment plus HELM_PLUGIN_NAME and HELM_PLUGIN_DIR) and --post-renderer-args as arguments,
the merged manifests on stdin, the post-rendered ones read from stdout (stderr discarded)."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from collections.abc import Callable
from typing import Any

import yaml

from steersman.chart import go_os_error
from steersman.commands.template_flags import find_post_renderer
from steersman.errors import SteersmanError

_GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}
_VAR = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z0-9_]+|[*#$@!?\-0-9]))")


class PostRendererError(SteersmanError):
    """The failure, worded as helm's postRendererPlugin.Run reports it."""


def plugin_runner(plugins_directory: str, name: str, args: list[str]) -> Callable[[str], str]:
    directory = find_post_renderer(plugins_directory, name)
    if directory is None:  # checked when the flag was parsed; gone since
        raise PostRendererError(f"plugin: {{Name:{name} Type:postrenderer/v1}} not found")
    with open(os.path.join(directory, "plugin.yaml"), encoding="utf-8") as f:
        meta = yaml.safe_load(f) or {}
    commands = ((meta.get("runtimeConfig") or {}).get("platformCommand")) or []

    def run(manifests: str) -> str:
        env = dict(os.environ, HELM_PLUGIN_NAME=name, HELM_PLUGIN_DIR=directory)
        argv = _prepare(commands, args, env)
        if argv is None:
            raise PostRendererError(
                f'failed to invoke post-renderer plugin "{name}": failed to prepare plugin '
                "command: no plugin command is applicable"
            )
        try:
            done = subprocess.run(
                argv, input=manifests.encode(), capture_output=True, env=env, check=False
            )
        except OSError as exc:
            raise PostRendererError(
                f'failed to invoke post-renderer plugin "{name}": fork/exec {argv[0]}: '
                f"{go_os_error(exc)}"
            ) from None
        if done.returncode != 0:
            raise PostRendererError(
                f'failed to invoke post-renderer plugin "{name}": plugin "{name}" exited with error'
            )
        out = done.stdout.decode("utf-8", "surrogateescape")
        if not out.strip():
            raise PostRendererError(f'post-renderer "{name}" produced empty output')
        return out

    return run


def _prepare(commands: list[Any], extra: list[str], env: dict[str, str]) -> list[str] | None:
    """PrepareCommands: the platform's command split at spaces, its args, then the extra
    args; every part but the extra ones `$VAR`-expanded."""
    picked = _platform_command(commands)
    if picked is None:
        return None
    parts, args = picked
    if not parts or not parts[0]:
        return None

    def expand(s: str) -> str:
        return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), s)

    return [expand(p) for p in parts] + [expand(str(a)) for a in args] + list(extra)


def _platform_command(commands: list[Any]) -> tuple[list[str], list[Any]] | None:
    """getPlatformCommand: an exact os/arch match, else the first for this os, else the first
    with neither."""
    goos = platform.system().lower()
    goarch = _GOARCH.get(platform.machine(), platform.machine())
    found: tuple[list[str], list[Any]] | None = None
    found_os = False
    for c in commands:
        if not isinstance(c, dict):
            continue
        os_name, arch = str(c.get("os") or ""), str(c.get("arch") or "")
        entry = (str(c.get("command") or "").split(" "), list(c.get("args") or []))
        if os_name.lower() == goos and arch.lower() == goarch:
            return entry
        if (os_name and os_name.lower() != goos) or arch:
            continue
        if not found_os and os_name and os_name.lower() == goos:
            found, found_os = entry, True
        elif found is None:
            found = entry
    return found
