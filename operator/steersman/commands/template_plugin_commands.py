"""How helm v4 turns a plugin's `platformCommand` list into a process (internal/plugin
PrepareCommands), shared by the post-renderer and getter plugins."""

from __future__ import annotations

import platform
import re
from collections.abc import Mapping
from typing import Any

_GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "i686": "386"}
_VAR = re.compile(r"\$(?:\{([^}]*)\}|([A-Za-z0-9_]+|[*#$@!?\-0-9]))")


def expand(s: str, env: Mapping[str, str]) -> str:
    """os.Expand with the plugin's environment: an unset variable is empty."""
    return _VAR.sub(lambda m: env.get(m.group(1) or m.group(2), ""), s)


def prepare_commands(
    commands: list[Any], extra: list[str], env: Mapping[str, str], *, expand_args: bool = True
) -> list[str] | None:
    """PrepareCommands: the platform's command split at spaces, its args, then the extra
    args; the command always `$VAR`-expanded, its parts and args only with `expand_args`
    (getters run them as written). None: no command applies."""
    picked = platform_command(commands)
    if picked is None:
        return None
    parts, args = picked
    if not parts or not parts[0]:
        return None
    rest = [*parts[1:], *(str(a) for a in args)]
    if expand_args:
        rest = [expand(p, env) for p in rest]
    return [expand(parts[0], env), *rest, *extra]


def platform_command(commands: list[Any]) -> tuple[list[str], list[Any]] | None:
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
