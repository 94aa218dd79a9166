"""`make demo`: start the local control plane and PostgreSQL, print how to reach them, and wait.

Later issues extend this to install the CRD, serve a sample chart repository and run the operator.
`--once` starts, prints and stops (what the tests use).
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from hack.testenv import TestBench, TestEnvError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make demo")
    parser.add_argument("--once", action="store_true", help="stop right after printing")
    args = parser.parse_args(argv)
    try:
        bench = TestBench.start()
    except TestEnvError as err:
        print(f"demo: {err}", file=sys.stderr)
        return 1
    try:
        print("Steersman demo environment is up:")
        print(bench.describe())
        print()
        print(f"  export KUBECONFIG={bench.control_plane.kubeconfig}")
        print(f"  {bench.binaries.helm_v4} list -A")
        if args.once:
            return 0
        print("\nPress Ctrl-C (or send SIGTERM) to stop everything.", flush=True)
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
        return 0
    finally:
        bench.stop()
        print("demo environment stopped", flush=True)


if __name__ == "__main__":
    sys.exit(main())
