"""The `steersman` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from steersman import __version__
from steersman.controller.flags import add_run_arguments

if TYPE_CHECKING:
    from steersman.controller.settings import Settings


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="steersman",
        description="Reconciles HelmRelease resources with a Helm-compatible engine.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("version", help="print the version and exit")
    run = sub.add_parser("run", help="run the operator")
    add_run_arguments(run)
    sub.add_parser("crd", help="print the HelmRelease CustomResourceDefinition (YAML)")
    from steersman.chart.template_command import add_template_arguments

    add_template_arguments(
        sub.add_parser("template", help="render a chart locally, exactly like `helm template`")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["template"]:  # helm's flag rules (pflag), not argparse's
        from steersman.chart.template_command import template_main

        return _print_template(*template_main(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "version":
        print(f"steersman {__version__}")
        return 0
    if args.command == "crd":
        from steersman.api.crd import render_crd_yaml

        sys.stdout.write(render_crd_yaml())
        return 0
    if args.command == "run":
        return _run(args)
    parser.print_help()
    return 0


def _print_template(code: int, out: str, err: str) -> int:
    # Go strings may hold invalid UTF-8; it travels as surrogate escapes and leaves as bytes.
    sys.stdout.flush()
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.buffer.flush()
    sys.stderr.write(err.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return code


def _check(args: argparse.Namespace) -> Settings:
    """Every flag validated before anything starts (SettingsError names the flag)."""
    from steersman.controller.handlers import parse_selector
    from steersman.controller.settings import SettingsError, from_args

    settings = from_args(args)
    if settings.watch_label_selector:
        try:
            parse_selector(settings.watch_label_selector)
        except ValueError as err:
            raise SettingsError(f"--watch-label-selector: {err}") from None
    return settings


def _run(args: argparse.Namespace) -> int:
    from steersman.controller.settings import SettingsError

    try:
        settings = _check(args)
    except SettingsError as err:
        print(f"steersman run: {err}", file=sys.stderr)
        return 2
    import asyncio

    from steersman.controller import logs
    from steersman.controller.main import run

    logs.configure(settings.log_level, settings.log_format)
    try:
        return asyncio.run(run(settings))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
