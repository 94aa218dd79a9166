"""`--post-renderer NAME`: a helm v4 `postrenderer/v1` plugin (subprocess runtime) run as helm
runs it: found by name in $HELM_PLUGINS, its platform command (with `$VAR`s expanded from the
environment plus HELM_PLUGIN_NAME and HELM_PLUGIN_DIR) and --post-renderer-args as arguments,
the merged manifests on stdin, the post-rendered ones read from stdout (stderr discarded)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable

import yaml

from steersman.chart import go_os_error
from steersman.commands.template_flags import find_post_renderer
from steersman.commands.template_plugin_commands import prepare_commands
from steersman.errors import SteersmanError


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
        argv = prepare_commands(commands, args, env)
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
