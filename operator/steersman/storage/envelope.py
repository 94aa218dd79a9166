"""Envelope encryption of release record bodies (opt-in): AES-256-GCM with a random data key per
record, the data key wrapped (RFC 3394 AES key wrap) by a key-encryption key (KEK) named by a key
id. Pure logic; the drivers call it through `RecordCodec` (sealing.py).

A sealed body replaces helm's base64(gzip(json)) string with

    steersman.sealed.v1:<base64 of ENVELOPE>

    ENVELOPE = "SSRB" | 0x01 | len(kid) | kid | len(wrapped) | wrapped | nonce(12)
               | ciphertext | tag(16)

The plaintext is the gzip stream helm would have base64-encoded. The associated data is the whole
header (magic to nonce) followed by the record key `sh.helm.release.v1.NAME.vREV`, so a body
copied onto another release or revision, or a header edited to name another key, fails to open.
The ':' in the prefix is not base64, so helm (and older Steersman) refuse the body cleanly.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from steersman.storage.errors import SealedRecordError, StorageConfigError

PREFIX = "steersman.sealed.v1:"
_PREFIX_BYTES = PREFIX.encode("ascii")
MAGIC = b"SSRB"
VERSION = 1
KEY_BYTES = 32  # AES-256, for KEKs and data keys alike
NONCE_BYTES = 12
# A key id is stored as a label value too: Kubernetes' label value rules, at most 63 characters.
_KID = re.compile(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?")


@dataclass(frozen=True)
class KeyRing:
    """Key-encryption keys by id; the first one seals, every one opens."""

    keys: tuple[tuple[str, bytes], ...]

    def __post_init__(self) -> None:
        if not self.keys:
            raise StorageConfigError("the release record key list is empty")
        seen: set[str] = set()
        for kid, key in self.keys:
            if not _KID.fullmatch(kid):
                raise StorageConfigError(
                    f"release record key id {kid!r} is not valid (1-63 letters, digits, '-', "
                    "'_' or '.', starting and ending with a letter or digit)"
                )
            if kid in seen:
                raise StorageConfigError(f"release record key id {kid!r} is listed twice")
            if len(key) != KEY_BYTES:
                raise StorageConfigError(
                    f"release record key {kid!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}"
                )
            seen.add(kid)

    @property
    def primary(self) -> str:
        """The id of the key new records are sealed with."""
        return self.keys[0][0]

    def get(self, kid: str) -> bytes | None:
        return next((key for k, key in self.keys if k == kid), None)

    @property
    def ids(self) -> list[str]:
        return [kid for kid, _ in self.keys]


def parse_keys(text: str, source: str) -> KeyRing:
    """Keys as `KID:BASE64` lines (the first is the writing key); blank and `#` lines skipped.
    Errors name `source` and the line, never the key material."""
    keys: list[tuple[str, bytes]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        kid, sep, encoded = line.partition(":")
        if not sep:
            raise StorageConfigError(f"{source}: line {number}: expected KEY_ID:BASE64_KEY")
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise StorageConfigError(f"{source}: line {number}: the key is not base64") from None
        keys.append((kid.strip(), key))
    if not keys:
        raise StorageConfigError(f"{source}: no release record keys (expected KEY_ID:BASE64_KEY)")
    try:
        return KeyRing(tuple(keys))
    except StorageConfigError as err:
        raise StorageConfigError(f"{source}: {err}") from None


def new_key_line(kid: str) -> str:
    """A fresh `KID:BASE64` line (for docs and tests: `steersman` never writes key files)."""
    KeyRing(((kid, b"\0" * KEY_BYTES),))  # validates the id
    return f"{kid}:{base64.b64encode(os.urandom(KEY_BYTES)).decode('ascii')}"


def is_sealed(body: str | bytes) -> bool:
    head = body[: len(PREFIX)]
    return head == (PREFIX if isinstance(head, str) else _PREFIX_BYTES)


def seal(plaintext: bytes, record: str, keys: KeyRing) -> str:
    """The sealed body of `plaintext` for record key `record`, with the primary key."""
    kid = keys.primary
    kek = keys.get(kid)
    assert kek is not None
    data_key = AESGCM.generate_key(bit_length=256)
    wrapped = aes_key_wrap(kek, data_key)
    nonce = os.urandom(NONCE_BYTES)
    kid_bytes = kid.encode("ascii")
    header = (
        MAGIC
        + bytes([VERSION, len(kid_bytes)])
        + kid_bytes
        + bytes([len(wrapped)])
        + wrapped
        + nonce
    )
    sealed = AESGCM(data_key).encrypt(nonce, plaintext, header + record.encode("utf-8"))
    return PREFIX + base64.b64encode(header + sealed).decode("ascii")


@dataclass(frozen=True)
class Envelope:
    kid: str
    wrapped: bytes
    nonce: bytes
    header: bytes
    sealed: bytes


def parse(body: str | bytes, record: str) -> Envelope:
    """Split a sealed body into its parts; `SealedRecordError` if it is malformed."""
    text = body if isinstance(body, str) else body.decode("ascii", "replace")
    try:
        raw = base64.b64decode(text[len(PREFIX) :], validate=True)
    except (binascii.Error, ValueError):
        raise SealedRecordError(f"record {record}: the sealed body is not base64") from None
    if raw[:4] != MAGIC:
        raise SealedRecordError(f"record {record}: the sealed body has no envelope header")
    if len(raw) < 6 or raw[4] != VERSION:
        version = raw[4] if len(raw) > 4 else "?"
        raise SealedRecordError(
            f"record {record}: envelope version {version} is not supported (this "
            f"Steersman reads version {VERSION})"
        )
    at = 6 + raw[5]
    kid = raw[6:at].decode("ascii", "replace")
    wrapped_len = raw[at] if len(raw) > at else 0
    wrapped = raw[at + 1 : at + 1 + wrapped_len]
    nonce_at = at + 1 + wrapped_len
    nonce = raw[nonce_at : nonce_at + NONCE_BYTES]
    sealed = raw[nonce_at + NONCE_BYTES :]
    if wrapped_len == 0 or len(nonce) != NONCE_BYTES or len(sealed) < 16:
        raise SealedRecordError(f"record {record}: the sealed body is truncated")
    return Envelope(kid, wrapped, nonce, raw[: nonce_at + NONCE_BYTES], sealed)


def open_sealed(body: str | bytes, record: str, keys: KeyRing | None) -> bytes:
    """The plaintext of a sealed body; `SealedRecordError` (one line, no key material) when the
    key is missing or wrong, or the body was altered or belongs to another record."""
    envelope = parse(body, record)
    if keys is None:
        raise SealedRecordError(
            f"record {record} is encrypted (key id '{envelope.kid}') but no release record keys "
            "are configured (--release-record-keys or --release-record-keys-secret)"
        )
    kek = keys.get(envelope.kid)
    if kek is None:
        raise SealedRecordError(
            f"record {record} is encrypted with key id '{envelope.kid}', which is not among the "
            f"release record keys ({', '.join(keys.ids)})"
        )
    try:
        data_key = aes_key_unwrap(kek, envelope.wrapped)
        return AESGCM(data_key).decrypt(
            envelope.nonce, envelope.sealed, envelope.header + record.encode("utf-8")
        )
    except (InvalidUnwrap, InvalidTag, ValueError):
        raise SealedRecordError(
            f"record {record} cannot be decrypted with key id '{envelope.kid}': the key is not "
            "the one it was sealed with, or the record was altered or copied from another "
            "release or revision"
        ) from None
