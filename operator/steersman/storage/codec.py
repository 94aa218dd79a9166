"""Helm's record encoding: base64(gzip(json)), as `pkg/storage/driver/util.go` does it.

Reading accepts gzip (detected by its magic bytes, multi-member like Go's reader) or plain JSON
under the base64, as helm does.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import json
import zlib
from typing import Any

from steersman.storage.errors import InvalidRecord
from steersman.storage.record import Release

GZIP_MAGIC = b"\x1f\x8b\x08"


def release_to_bytes(release: Release) -> bytes:
    """The release JSON (compact, like Go's encoding/json)."""
    try:
        text = json.dumps(
            release.to_json(), separators=(",", ":"), ensure_ascii=False, allow_nan=False
        )
    except (TypeError, ValueError) as exc:
        raise InvalidRecord(f"release {release.name!r} cannot be encoded as JSON: {exc}") from exc
    return text.encode("utf-8")


# zlib's default level: on a podinfo release level 9 took 18 ms for 1.2% fewer bytes than
# level 6's 8 ms, and every install writes two records, every upgrade
# three. Near the API server's 1 MiB object limit every byte counts: there, level 9.
FAST_LEVEL = 6
SMALLEST_FROM = 512 * 1024  # gzip bytes at FAST_LEVEL from which level 9 is worth its time


def gzip_release(release: Release) -> bytes:
    """The gzip (mtime 0) of the JSON: what helm base64-encodes. Any level reads back alike."""
    raw = release_to_bytes(release)
    packed = gzip.compress(raw, compresslevel=FAST_LEVEL, mtime=0)
    if len(packed) >= SMALLEST_FROM:
        packed = gzip.compress(raw, compresslevel=9, mtime=0)
    return packed


def encode_release(release: Release) -> str:
    """The string helm stores: base64 of the gzip (mtime 0) of the JSON."""
    return base64.b64encode(gzip_release(release)).decode("ascii")


def decode_payload(data: str | bytes) -> dict[str, Any]:
    """Decode a helm string to the release JSON dict."""
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InvalidRecord(f"record is not valid base64: {exc}") from None
    return decode_raw(raw)


def decode_raw(raw: bytes) -> dict[str, Any]:
    """The release JSON dict from helm's bytes under the base64 (gzip or plain JSON)."""
    if len(raw) > 3 and raw[:3] == GZIP_MAGIC:
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as exc:
            raise InvalidRecord(f"record has a broken gzip stream: {exc}") from None
    try:
        value = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidRecord(f"record is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise InvalidRecord("record JSON is not an object")
    return value


def decode_release(data: str | bytes) -> Release:
    """Decode a helm string to a `Release` (labels empty: they live outside the body)."""
    return release_from_json(decode_payload(data))


def release_from_json(value: dict[str, Any]) -> Release:
    try:
        return Release.from_json(value)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise InvalidRecord(f"release record has an unexpected shape: {exc}") from None


def record_key(name: str, version: int) -> str:
    """Storage key / object name: `sh.helm.release.v1.NAME.vREV`."""
    return f"sh.helm.release.v1.{name}.v{version}"
