"""Key files and the codec the flags make (the Secret source is tested on the bench)."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from steersman.storage import StorageConfigError
from steersman.storage.record_keys import keys_from_file, load_codec


def line(kid: str) -> str:
    return f"{kid}:{base64.b64encode(os.urandom(32)).decode()}\n"


def test_keys_from_file(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(line("new") + line("old"))
    assert keys_from_file(path).ids == ["new", "old"]
    with pytest.raises(StorageConfigError, match="cannot read the release record keys file"):
        keys_from_file(tmp_path / "absent")
    path.write_bytes(b"\xff\xfe")
    with pytest.raises(StorageConfigError, match="UnicodeDecodeError"):
        keys_from_file(path)


async def test_load_codec(tmp_path: Path) -> None:
    path = tmp_path / "keys"
    path.write_text(line("k1"))
    sealing = await load_codec(seal_writes=True, keys_file=str(path), keys_secret=None, kube=None)
    assert sealing.seal_writes and sealing.keys is not None and sealing.keys.primary == "k1"
    reading = await load_codec(seal_writes=False, keys_file=str(path), keys_secret=None, kube=None)
    assert not reading.seal_writes and reading.keys == sealing.keys
    plain = await load_codec(seal_writes=False, keys_file=None, keys_secret=None, kube=None)
    assert plain.keys is None and not plain.seal_writes
    with pytest.raises(StorageConfigError, match="needs keys"):
        await load_codec(seal_writes=True, keys_file=None, keys_secret=None, kube=None)
    with pytest.raises(StorageConfigError, match="not both"):
        await load_codec(seal_writes=False, keys_file=str(path), keys_secret="a/b", kube=None)
    with pytest.raises(StorageConfigError, match="needs a cluster"):
        await load_codec(seal_writes=False, keys_file=None, keys_secret="a/b", kube=None)
