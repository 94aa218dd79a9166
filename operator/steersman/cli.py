"""The `steersman` command line."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from steersman import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="steersman",
        description="Reconciles HelmRelease resources with a Helm-compatible engine.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("version", help="print the version and exit")
    sub.add_parser("run", help="run the operator (not implemented yet)")
    sub.add_parser("crd", help="print the HelmRelease CustomResourceDefinition (YAML)")
    from steersman.chart.template_command import add_template_arguments

    add_template_arguments(
        sub.add_parser("template", help="render a chart locally, exactly like `helm template`")
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "version":
        print(f"steersman {__version__}")
        return 0
    if args.command == "crd":
        from steersman.api.crd import render_crd_yaml

        sys.stdout.write(render_crd_yaml())
        return 0
    if args.command == "template":
        from steersman.chart.template_command import run_template, template_args_from

        code, out, err = run_template(template_args_from(args))
        sys.stdout.write(out)
        sys.stderr.write(err)
        return code
    if args.command == "run":
        print("steersman run: not implemented yet", file=sys.stderr)
        return 2
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
