"""The `steersman` command line."""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from typing import NoReturn

from steersman import __version__


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (what is wrong, where to look), not the whole usage text."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="steersman",
        description="Reconciles HelmRelease resources with a Helm-compatible engine.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.add_parser("version", help="print the version and exit")
    run = sub.add_parser("run", help="run the operator")
    # Imported here, as the other commands are: `steersman template` never builds this parser.
    from steersman.controller.flags import add_run_arguments

    add_run_arguments(run)
    sub.add_parser("crd", help="print the HelmRelease CustomResourceDefinition (YAML)")
    from steersman.commands.template import add_template_arguments

    add_template_arguments(
        sub.add_parser("template", help="render a chart locally, exactly like `helm template`")
    )
    from steersman.commands import add_ops_commands

    add_ops_commands(sub)
    from steersman.commands.convert import add_convert_arguments

    convert_help = "turn Flux HelmReleases and their sources into Steersman HelmReleases"
    add_convert_arguments(
        sub.add_parser(
            "convert",
            help=convert_help,
            description=convert_help[0].upper() + convert_help[1:] + " (offline; YAML out, "
            "one line per field not carried over on stderr).",
        )
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["template"]:  # helm's flag rules (pflag), not argparse's
        # A one-shot run: cyclic collections would rescan every parse tree and compiled
        # closure (hundreds of thousands of objects, no cycles among them) many times over and
        # cost more than the rendering; what cyclic garbage there is goes with the process.
        gc.disable()
        from steersman.commands.template import template_main

        return _print_template(*template_main(argv[1:]))
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "version":
        print(f"steersman {__version__}")
        return 0
    if args.command == "crd":
        from steersman.api import render_crd_yaml

        sys.stdout.write(render_crd_yaml())
        return 0
    if args.command == "run":
        return _run(args)
    if args.command == "convert":
        from steersman.commands.convert import run as convert

        return convert(args)
    from steersman.commands import COMMANDS, run_ops

    if args.command in COMMANDS:
        return run_ops(args)
    parser.print_help()
    return 0


def _print_template(code: int, out: str, err: str) -> int:
    # Go strings may hold invalid UTF-8; it travels as surrogate escapes and leaves as bytes.
    sys.stdout.flush()
    sys.stdout.buffer.write(out.encode("utf-8", "surrogateescape"))
    sys.stdout.buffer.flush()
    sys.stderr.write(err.encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
    return code


def _run(args: argparse.Namespace) -> int:
    from steersman.controller.settings import SettingsError, from_args

    try:
        settings = from_args(args)  # every flag checked before anything starts
    except SettingsError as err:
        print(f"steersman run: {err}", file=sys.stderr)
        return 2
    import asyncio
    import logging

    from steersman.controller import logs
    from steersman.controller.main import StartupError, run

    logs.configure(settings.log_level, settings.log_format)
    try:
        return asyncio.run(run(settings))
    except StartupError as err:
        print(f"steersman run: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    except Exception as err:  # a traceback shown to a user is a bug: one line, details at debug
        logging.getLogger("steersman.operator").debug("unexpected failure", exc_info=True)
        detail = " ".join(str(err).split()) or type(err).__name__
        print(
            f"steersman run: unexpected failure: {detail}; rerun with --log-level debug for "
            "details and report it",
            file=sys.stderr,
        )
        return 1


if __name__ == "__main__":
    sys.exit(main())
