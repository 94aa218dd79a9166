"""Rewrite the Flux field map in docs/migrating-from-flux.md from the data `steersman convert`
uses (operator/steersman/commands/flux_fields.py):

    python -m hack.gen_flux_field_map

The table sits between the two marker comments; tests/unit/test_convert.py fails when it is stale.
"""

from __future__ import annotations

import sys
from pathlib import Path

from steersman.commands.flux_fields import markdown_table

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "migrating-from-flux.md"
BEGIN, END = "<!-- field-map:begin -->\n", "<!-- field-map:end -->"


def main() -> int:
    text = GUIDE.read_text()
    head, found, rest = text.partition(BEGIN)
    if not found or END not in rest:
        print(f"{GUIDE}: markers {BEGIN.strip()} / {END} not found", file=sys.stderr)
        return 1
    tail = rest[rest.index(END) :]
    GUIDE.write_text(head + BEGIN + markdown_table() + tail)
    return 0


if __name__ == "__main__":
    sys.exit(main())
