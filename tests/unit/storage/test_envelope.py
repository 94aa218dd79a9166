"""The sealed-record envelope and the codec drivers use: round trip, tampering, wrong or missing
keys, records moved to another name or revision, key files."""

from __future__ import annotations

import base64
import os

import pytest

from hack.testkit.storage_samples import make_release
from steersman.storage import StorageConfigError, record_key
from steersman.storage.codec import encode_release, gzip_release
from steersman.storage.envelope import (
    KEY_BYTES,
    PREFIX,
    KeyRing,
    is_sealed,
    new_key_line,
    open_sealed,
    parse,
    parse_keys,
    seal,
)
from steersman.storage.errors import SealedRecordError
from steersman.storage.memory import MemoryDriver, MemoryStore
from steersman.storage.sealing import KEY_ID_LABEL, RecordCodec

RECORD = record_key("web", 3)


def ring(*kids: str) -> KeyRing:
    return KeyRing(tuple((kid, os.urandom(KEY_BYTES)) for kid in kids))


def test_round_trip_and_header() -> None:
    keys = ring("k2", "k1")
    body = seal(b"secret values", RECORD, keys)
    assert body.startswith(PREFIX) and is_sealed(body) and is_sealed(body.encode())
    assert b"secret" not in base64.b64decode(body[len(PREFIX) :])
    envelope = parse(body, RECORD)
    assert envelope.kid == "k2" and len(envelope.wrapped) == 40 and len(envelope.nonce) == 12
    assert open_sealed(body, RECORD, keys) == b"secret values"
    # a fresh data key and nonce each time
    assert seal(b"secret values", RECORD, keys) != body


def test_older_keys_still_open() -> None:
    old = ring("k1")
    body = seal(b"x", RECORD, old)
    rotated = KeyRing((("k2", os.urandom(KEY_BYTES)), *old.keys))
    assert open_sealed(body, RECORD, rotated) == b"x"


@pytest.mark.parametrize("index", [30, 60, -1])
def test_tampered_body_is_refused(index: int) -> None:
    keys = ring("k1")
    raw = bytearray(base64.b64decode(seal(b"payload", RECORD, keys)[len(PREFIX) :]))
    raw[index] ^= 0x01  # wrapped key, nonce / ciphertext, tag
    with pytest.raises(SealedRecordError, match="altered or copied"):
        open_sealed(PREFIX + base64.b64encode(bytes(raw)).decode(), RECORD, keys)


def test_wrong_key_material_for_the_same_id() -> None:
    body = seal(b"payload", RECORD, ring("k1"))
    with pytest.raises(SealedRecordError, match="not the one it was sealed with"):
        open_sealed(body, RECORD, ring("k1"))


def test_unknown_key_id_and_no_keys() -> None:
    body = seal(b"payload", RECORD, ring("k1"))
    with pytest.raises(SealedRecordError, match=r"key id 'k1', which is not among .*\(k9\)"):
        open_sealed(body, RECORD, ring("k9"))
    with pytest.raises(SealedRecordError, match="no release record keys are configured"):
        open_sealed(body, RECORD, None)


def test_associated_data_binds_name_and_revision() -> None:
    keys = ring("k1")
    body = seal(b"payload", RECORD, keys)
    for other in (record_key("web", 4), record_key("api", 3)):
        with pytest.raises(SealedRecordError, match="copied from another"):
            open_sealed(body, other, keys)


def test_malformed_envelopes() -> None:
    keys = ring("k1")
    with pytest.raises(SealedRecordError, match="not base64"):
        open_sealed(PREFIX + "***", RECORD, keys)
    with pytest.raises(SealedRecordError, match="no envelope header"):
        open_sealed(PREFIX + base64.b64encode(b"XXXX\x01").decode(), RECORD, keys)
    with pytest.raises(SealedRecordError, match="version 7 is not supported"):
        open_sealed(PREFIX + base64.b64encode(b"SSRB\x07\x00").decode(), RECORD, keys)
    body = seal(b"payload", RECORD, keys)
    with pytest.raises(SealedRecordError, match="truncated"):
        open_sealed(body[:60], RECORD, keys)


def test_key_files() -> None:
    first, second = new_key_line("2026-12"), new_key_line("2026-01")
    keys = parse_keys(f"# newest first\n{first}\n\n{second}\n", "keys.txt")
    assert keys.primary == "2026-12" and keys.ids == ["2026-12", "2026-01"]
    bad = {
        "nokey\n": "line 1: expected KEY_ID:BASE64_KEY",
        "k1:@@@\n": "line 1: the key is not base64",
        f"k1:{base64.b64encode(b'short').decode()}\n": "5 bytes; AES-256 needs 32",
        f"{first}\n{first}\n": "listed twice",
        f"bad id:{first.partition(':')[2]}\n": "is not valid",
        "# nothing\n": "no release record keys",
    }
    for text, message in bad.items():
        with pytest.raises(StorageConfigError, match=message) as caught:
            parse_keys(text, "keys.txt")
        assert str(caught.value).startswith("keys.txt: ")
        assert first.partition(":")[2] not in str(caught.value)  # never the key material


def test_codec_plain_sealed_and_back() -> None:
    rel = make_release("web", 3, "deployed", "apps", greeting="hunter2-password")
    keys = ring("k1")
    sealed = RecordCodec(keys, seal_writes=True).encode(RECORD, rel)
    assert sealed.key_id == "k1" and "hunter2" not in sealed.body
    assert gzip_release(rel) != sealed.body.encode()
    reader = RecordCodec(keys)  # encryption off again: still reads sealed records
    assert reader.decode(RECORD, sealed.body) == rel
    plain = reader.encode(RECORD, rel)
    assert plain.key_id is None and plain.body == encode_release(rel)
    assert RecordCodec().decode(RECORD, plain.body) == rel
    with pytest.raises(ValueError):
        RecordCodec(None, seal_writes=True)


async def test_memory_driver_keeps_the_key_id_beside_the_record() -> None:
    store, keys = MemoryStore(), ring("k1")
    driver = MemoryDriver(store, "apps", RecordCodec(keys, seal_writes=True))
    rel = make_release("web", 3, "deployed", "apps", labels={"team": "a"})
    await driver.create(RECORD, rel)
    stored = store.namespaces["apps"][RECORD]
    assert stored.labels[KEY_ID_LABEL] == "k1" and is_sealed(stored.body)
    got = await driver.get(RECORD)
    assert got == rel and got.labels == {"team": "a"}
    with pytest.raises(SealedRecordError):
        await MemoryDriver(store, "apps").get(RECORD)
    assert await driver.query({"name": "web"}) == [rel]
