"""Where the release record keys come from: a file, or a Secret's `keys` entry, both holding
`KID:BASE64` lines (envelope.parse_keys), the writing key first. Read once, when the operator or
a command starts; a change of keys needs a restart."""

from __future__ import annotations

import base64
import binascii
from pathlib import Path
from typing import Any, Protocol

from steersman.storage.envelope import KeyRing, parse_keys
from steersman.storage.errors import StorageConfigError
from steersman.storage.sealing import RecordCodec

SECRET_KEY = "keys"


def keys_from_file(path: str | Path) -> KeyRing:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise StorageConfigError(
            f"cannot read the release record keys file {str(path)!r}: {reason}"
        ) from None
    return parse_keys(text, f"release record keys file {str(path)!r}")


def split_secret_ref(ref: str) -> tuple[str, str]:
    namespace, sep, name = ref.partition("/")
    if not sep or not namespace or not name or "/" in name:
        raise StorageConfigError(f"release record keys Secret {ref!r} is not NAMESPACE/NAME")
    return namespace, name


class ObjectReader(Protocol):
    """What reading the keys Secret needs of a Kubernetes client (steersman.kube.KubeClient)."""

    async def get_or_none(
        self, api_version: str, kind: str, name: str, namespace: str | None = None
    ) -> dict[str, Any] | None: ...


async def keys_from_secret(kube: ObjectReader, ref: str) -> KeyRing:
    namespace, name = split_secret_ref(ref)
    source = f"release record keys Secret {namespace}/{name}"
    try:
        secret = await kube.get_or_none("v1", "Secret", name, namespace)
    except Exception as exc:  # the client's errors (RBAC, unreachable) say what, never a key
        raise StorageConfigError(f"{source}: {' '.join(str(exc).split())}") from None
    if secret is None:
        raise StorageConfigError(f"{source} not found")
    encoded = (secret.get("data") or {}).get(SECRET_KEY)
    if not encoded:
        raise StorageConfigError(f"{source} has no data.{SECRET_KEY}")
    try:
        text = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        raise StorageConfigError(f"{source}: data.{SECRET_KEY} is not base64 text") from None
    return parse_keys(text, source)


async def load_codec(
    *,
    seal_writes: bool,
    keys_file: str | None,
    keys_secret: str | None,
    kube: ObjectReader | None,
) -> RecordCodec:
    """The codec for the flags: keys from the file or the Secret (at most one), sealing new
    records only when asked. Without keys, sealed records cannot be read (a clear error)."""
    if keys_file and keys_secret:
        raise StorageConfigError("give the release record keys as a file or as a Secret, not both")
    keys: KeyRing | None = None
    if keys_file:
        keys = keys_from_file(keys_file)
    elif keys_secret:
        if kube is None:
            raise StorageConfigError("reading the release record keys Secret needs a cluster")
        keys = await keys_from_secret(kube, keys_secret)
    if seal_writes and keys is None:
        raise StorageConfigError(
            "--encrypt-release-records needs keys: --release-record-keys=FILE or "
            "--release-record-keys-secret=NAMESPACE/NAME"
        )
    return RecordCodec(keys, seal_writes)
