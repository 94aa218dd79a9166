"""Run every benchmark module that exists, in order."""

import importlib
import importlib.util
import sys

BENCHMARKS = [
    "render_micro",
    "render",
    "cold_start",
    "hot_paths",
    "parse_first_sight",
    "chart_yaml",
    "chart_corpus",
    "chart_sources",
    "storage",
    "record_encryption",
    "engine",
    "operator",
    "fleet",
]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        module = f"bench.{name}"
        if importlib.util.find_spec(module) is None:
            continue
        print(f"\n=== {module}", flush=True)
        try:
            importlib.import_module(module).main()
        except Exception as err:  # report and go on to the next benchmark
            print(f"{module} failed: {err!r}", file=sys.stderr)
            failed.append(module)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
