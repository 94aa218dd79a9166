"""The ops commands' flags as argparse arguments. Only argparse here: building the `steersman`
parser must not import the kube client (so `steersman version` and `template` start fast)."""

from __future__ import annotations

import argparse


def connection(parser: argparse.ArgumentParser, *, all_namespaces: bool = False) -> None:
    parser.add_argument(
        "--kubeconfig", help="kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)"
    )
    parser.add_argument("--context", help="kubeconfig context to use (default: the current one)")
    parser.add_argument(
        "-n",
        "--namespace",
        help="namespace of the HelmRelease (default: the context's namespace, else default)",
    )
    if all_namespaces:
        parser.add_argument(
            "-A",
            "--all-namespaces",
            action="store_true",
            help="list HelmReleases in every namespace",
        )


def output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", choices=["table", "yaml", "json"], default="table", help="output format"
    )


def storage(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--helm-storage-driver",
        help="the operator's default driver, for HelmReleases without spec.storage "
        "(default: $STEERSMAN_HELM_STORAGE_DRIVER, then $HELM_DRIVER, then secret)",
    )
    parser.add_argument(
        "--sql-connection-string-file",
        help="file holding the PostgreSQL DSN for sql storage "
        "(default: $HELM_DRIVER_SQL_CONNECTION_STRING)",
    )


def record_keys(parser: argparse.ArgumentParser) -> None:
    """Keys for encrypted release records, as `steersman run` takes them."""
    parser.add_argument(
        "--release-record-keys",
        help="file of KEY_ID:BASE64 lines, newest first, to open encrypted release records "
        "(default: $STEERSMAN_RELEASE_RECORD_KEYS)",
    )
    parser.add_argument(
        "--release-record-keys-secret",
        help="NAMESPACE/NAME of a Secret whose data.keys holds those lines "
        "(default: $STEERSMAN_RELEASE_RECORD_KEYS_SECRET)",
    )


def remote(parser: argparse.ArgumentParser) -> None:
    """For a HelmRelease whose release is in a remote cluster (spec.kubeConfig): what the
    operator allows only with the same flags."""
    parser.add_argument(
        "--insecure-kubeconfig-exec",
        action="store_true",
        help="allow users[].user.exec in the remote cluster's kubeconfig (runs its command here)",
    )
    parser.add_argument(
        "--insecure-kubeconfig-tls",
        action="store_true",
        help="allow insecure-skip-tls-verify: true in the remote cluster's kubeconfig",
    )


def wait(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--timeout",
        default="5m",
        help="how long to wait for the result, as a Go duration (default 5m)",
    )


def _bool(text: str) -> bool:
    value = text.strip().lower()
    if value in {"true", "1", "yes"}:
        return True
    if value in {"false", "0", "no"}:
        return False
    raise argparse.ArgumentTypeError(f"expected true or false, not {text!r}")


def _name(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", help="the HelmRelease")


def get(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("name", nargs="?", help="one HelmRelease (default: all in the namespace)")
    connection(parser, all_namespaces=True)
    output(parser)


def history(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument("--max", type=int, default=256, help="show at most this many revisions")
    storage(parser)
    record_keys(parser)
    remote(parser)
    connection(parser)
    output(parser)


def rekey(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument(
        "--decrypt",
        action="store_true",
        help="write every revision back as plain helm records (after turning encryption off)",
    )
    storage(parser)
    record_keys(parser)
    remote(parser)
    connection(parser)


def reconcile(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument(
        "--force",
        action="store_true",
        help="run a one-off install/upgrade even if in sync or retries are exhausted",
    )
    parser.add_argument(
        "--reset", action="store_true", help="reset the failure counters (retries start again)"
    )
    wait(parser)
    connection(parser)


def suspend(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    connection(parser)


def resume(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument(
        "--wait",
        type=_bool,
        nargs="?",
        const=True,
        default=True,
        metavar="BOOL",
        help="wait for the reconcile to finish (default true; --wait=false returns at once)",
    )
    wait(parser)
    connection(parser)


def diff(parser: argparse.ArgumentParser) -> None:
    _name(parser)
    parser.add_argument(
        "--against",
        choices=["both", "stored", "live"],
        default="both",
        help="compare with the stored release manifest, the live objects, or both (default)",
    )
    colour = parser.add_mutually_exclusive_group()
    colour.add_argument(
        "--color", action="store_true", default=None, help="colour the diff even when not a TTY"
    )
    colour.add_argument("--no-color", dest="color", action="store_false", help="never colour")
    parser.add_argument(
        "--detailed-exitcode",
        action="store_true",
        help="exit 2 when there are changes (0: no changes, 1: error)",
    )
    parser.add_argument(
        "--context-lines", "-C", type=int, default=3, dest="context_lines",
        help="unchanged lines shown around each change (default 3)",
    )  # fmt: skip
    parser.add_argument(
        "--show-secrets",
        action="store_true",
        help="show Secret values instead of masking them (never in CI logs)",
    )
    storage(parser)
    record_keys(parser)
    remote(parser)
    connection(parser)
