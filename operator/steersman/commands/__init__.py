"""Ops commands on the user's kubeconfig, in the style of `flux` and helm-diff: `get`,
`history`, `reconcile`, `suspend`, `resume`, `diff`, `rekey`. One module per command; this front
door registers their flags (`flags`, argparse only) and loads a command's module when it runs, so
other commands start fast.

Exit codes (README, "Command line"): 0 ok, 1 error, 2 usage error (or `diff --detailed-exitcode`
found changes), 3 timed out waiting.
"""

from __future__ import annotations

import argparse
import importlib
from typing import Any

from steersman.commands import flags

# command -> (module, coroutine function running it, help)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "get": ("get", "run", "list HelmReleases, or show one"),
    "history": ("history", "run", "show the release revisions of a HelmRelease"),
    "reconcile": ("reconcile", "run", "reconcile a HelmRelease now and wait for the result"),
    "suspend": ("suspend", "suspend", "suspend a HelmRelease"),
    "resume": ("suspend", "resume", "resume a HelmRelease and wait for it to be Ready"),
    "diff": ("diff", "run", "show what the next upgrade of a HelmRelease would change"),
    "rekey": (
        "rekey",
        "run",
        "re-encrypt every release revision of a HelmRelease with the newest record key",
    ),
}


def add_ops_commands(sub: Any) -> None:
    """Add every ops subcommand to the `steersman` subparsers."""
    for command, (_, _, help_text) in COMMANDS.items():
        parser: argparse.ArgumentParser = sub.add_parser(
            command, help=help_text, description=help_text[0].upper() + help_text[1:] + "."
        )
        getattr(flags, command)(parser)


def run_ops(args: argparse.Namespace) -> int:
    from steersman.commands.common import run_command

    module, function, _ = COMMANDS[args.command]
    command = getattr(importlib.import_module(f"steersman.commands.{module}"), function)
    return int(run_command(command, args))
