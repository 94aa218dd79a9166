"""How drivers turn a release into a stored body and back: helm's plain string, or (opt-in) the
sealed envelope of envelope.py. Reading opens either kind, so switching encryption on or off
takes effect on the next write of each record, and old revisions stay readable with the keys."""

from __future__ import annotations

from dataclasses import dataclass

from steersman.storage.codec import decode_payload, decode_raw, gzip_release, release_from_json
from steersman.storage.codec import encode_release as plain_body
from steersman.storage.driver import KEY_ID_LABEL
from steersman.storage.envelope import KeyRing, is_sealed, open_sealed, seal
from steersman.storage.record import Release


@dataclass(frozen=True)
class Encoded:
    body: str
    key_id: str | None  # the sealing key's id, None for a plain helm body


@dataclass(frozen=True)
class RecordCodec:
    """`keys` open sealed records; with `seal_writes` new bodies are sealed with the first key."""

    keys: KeyRing | None = None
    seal_writes: bool = False

    def __post_init__(self) -> None:
        if self.seal_writes and self.keys is None:
            raise ValueError("sealing release records needs keys")

    def encode(self, record: str, release: Release) -> Encoded:
        if not self.seal_writes:
            return Encoded(plain_body(release), None)
        assert self.keys is not None
        return Encoded(seal(gzip_release(release), record, self.keys), self.keys.primary)

    def decode(self, record: str, body: str | bytes) -> Release:
        """The release stored as `body` under record key `record` (labels left empty)."""
        if is_sealed(body):
            return release_from_json(decode_raw(open_sealed(body, record, self.keys)))
        return release_from_json(decode_payload(body))


PLAIN = RecordCodec()

__all__ = ["KEY_ID_LABEL", "PLAIN", "Encoded", "RecordCodec"]
