"""Stable digests of JSON-like data, used to tell whether values or config changed.

The canonical form is JSON with sorted keys and no whitespace, so two mappings with the same
content have the same digest whatever order their keys came in.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from typing import Any


def _fallback(obj: Any) -> Any:
    # YAML loaders turn unquoted timestamps into dates; Helm sees them as strings.
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    raise TypeError(f"cannot digest a {type(obj).__name__}")


def canonical_json(obj: Any) -> bytes:
    return json.dumps(
        obj,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        allow_nan=False,
        default=_fallback,
    ).encode()


def digest(obj: Any) -> str:
    """`sha256:<hex>` of the canonical JSON form of `obj`."""
    return "sha256:" + hashlib.sha256(canonical_json(obj)).hexdigest()


def values_digest(values: Any) -> str:
    """Digest of Helm values; no values and empty values are the same thing to Helm."""
    return digest(values or {})
