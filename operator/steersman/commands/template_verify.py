"""`helm template --verify`: downloader.VerifyChart for a local chart archive, with helm's error
texts (go-crypto's where the OpenPGP check fails).

The keyring is a binary OpenPGP public keyring (GnuPG's legacy pubring.gpg, `gpg --export`),
as openpgp.ReadKeyRing reads it; the .prov file is the clearsigned YAML that `helm package
--sign` writes: the chart's metadata, `...`, then `files: {NAME.tgz: sha256:HEX}`.
"""

from __future__ import annotations

import base64
import hashlib
import os
import warnings
from typing import Any

import yaml

from steersman.chart import go_os_error
from steersman.errors import SteersmanError
from steersman.golang.fmt import go_quote


def _pgpy() -> Any:
    """PGPy, imported when --verify is used (an optional extra: `pip install steersman[verify]`)."""
    try:
        import pgpy
    except ImportError:
        raise VerifyError(
            "--verify needs the OpenPGP library PGPy: pip install 'steersman[verify]'"
        ) from None
    return pgpy


class VerifyError(SteersmanError):
    """str() is helm's error text (after `Error: `)."""


# go-crypto's names in "openpgp: invalid signature: <ALG> verification failure"
_ALGORITHM_NAMES = {"RSA": "RSA", "DSA": "DSA", "ECDSA": "ECDSA", "EdDSA": "EdDSA"}


def verify_chart(path: str, keyring: str) -> None:
    """Raise VerifyError unless `path` (a .tgz) has a `path.prov` signed by a key of
    `keyring` and naming the archive's SHA-256."""
    if os.path.isdir(path):
        raise VerifyError("unpacked charts cannot be verified")
    if not path.lower().endswith(".tgz"):
        raise VerifyError("chart must be a tgz file")
    prov = path + ".prov"
    try:
        os.stat(prov)
    except OSError as exc:
        raise VerifyError(
            f"could not load provenance file {prov}: stat {prov}: {go_os_error(exc)}"
        ) from None
    keys = _load_keyring(keyring)
    with open(path, "rb") as f:
        archive = f.read()
    with open(prov, "rb") as f:
        prov_data = f.read()
    _verify(archive, prov_data, os.path.basename(path), keys)


def verify_fetched(archive: bytes, prov: bytes, filename: str, keyring: str) -> None:
    """The same check for a chart helm's downloader fetched: `filename` is the name it saves
    the archive under (the URL's last segment, `NAME-VERSION.tgz` for OCI)."""
    if not filename.lower().endswith(".tgz"):
        raise VerifyError("chart must be a tgz file")
    _verify(archive, prov, filename, _load_keyring(keyring))


def _verify(archive: bytes, prov_data: bytes, filename: str, keys: list) -> None:  # type: ignore[type-arg]
    plaintext = _check_signature(prov_data, keys)
    parts = plaintext.split("\n...\n")
    if len(parts) < 2:
        raise VerifyError("message block must have at least two parts")
    try:
        sums = yaml.safe_load(parts[1]) or {}
    except yaml.YAMLError as exc:
        raise VerifyError(f"error converting YAML to JSON: {exc}") from None
    files = sums.get("files") if isinstance(sums, dict) else None
    want = files.get(filename) if isinstance(files, dict) else None
    got = "sha256:" + hashlib.sha256(archive).hexdigest()
    if want is None:
        raise VerifyError(
            f"provenance does not contain a SHA for a file named {go_quote(filename)}"
        )
    if want != got:
        raise VerifyError(
            f"sha256 sum does not match for {filename}: {go_quote(str(want))} != {go_quote(got)}"
        )


def _load_keyring(keyring: str) -> list:  # type: ignore[type-arg]
    try:
        with open(keyring, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise VerifyError(f"failed to load keyring: open {keyring}: {go_os_error(exc)}") from None
    if data and not data[0] & 0x80:  # an armored or text file: ReadKeyRing reads packets only
        raise VerifyError(
            "failed to load keyring: openpgp: invalid data: tag byte does not have MSB set"
        )
    pgpy = _pgpy()

    keys = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rest = bytearray(data)
        while rest:
            try:
                key, _ = pgpy.PGPKey.from_blob(bytes(rest))
            except Exception:  # a keyring pgpy cannot read is go-crypto's EOF
                break
            keys.append(key)
            consumed = len(bytes(key))
            # from_blob reads one transferable key; skip to the next by re-encoding
            if consumed <= 0 or consumed >= len(rest):
                break
            rest = rest[consumed:]
    return keys


_BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----"
_SIG_BEGIN = "-----BEGIN PGP SIGNATURE-----"
_SIG_END = "-----END PGP SIGNATURE-----"


def _clearsigned(text: str) -> tuple[str, bytes] | None:
    """clearsign.Decode: (plaintext, signature packets), or None without a whole block. The
    armor is decoded here because go-crypto writes no CRC24 line, which pgpy's armor
    reader requires."""
    start = text.find(_BEGIN + "\n")
    if start < 0:
        return None
    headers_end = text.find("\n\n", start)
    sig_start = text.find("\n" + _SIG_BEGIN, headers_end)
    sig_end = text.find(_SIG_END, sig_start)
    if headers_end < 0 or sig_start < 0 or sig_end < 0:
        return None
    lines = text[headers_end + 2 : sig_start].split("\n")
    plain = "\n".join(line[2:] if line.startswith("- ") else line for line in lines)
    armor = text[sig_start + 1 + len(_SIG_BEGIN) : sig_end].split("\n\n", 1)[-1]
    body = "".join(line.strip() for line in armor.splitlines() if line.strip() and line[:1] != "=")
    try:
        return plain, base64.b64decode(body, validate=True)
    except ValueError:
        return None


def _check_signature(prov_data: bytes, keys: list) -> str:  # type: ignore[type-arg]
    pgpy = _pgpy()

    block = _clearsigned(prov_data.decode("utf-8", "replace"))
    if block is None:
        raise VerifyError("signature block not found")
    plain, packets = block
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            sig = pgpy.PGPSignature.from_blob(packets)
        except Exception:  # an unreadable signature packet
            raise VerifyError("openpgp: invalid data: signature packet not found") from None
        signed = "\n".join(line.rstrip(" \t") for line in plain.split("\n"))
        for key in keys:
            ids = {key.fingerprint.keyid} | {sub.fingerprint.keyid for sub in key.subkeys.values()}
            if sig.signer not in ids:
                continue
            if not key.verify(signed, sig):
                alg = sig.key_algorithm.name
                name = "RSA" if alg.startswith("RSA") else _ALGORITHM_NAMES.get(alg, alg)
                raise VerifyError(f"openpgp: invalid signature: {name} verification failure")
            return plain
    raise VerifyError("openpgp: signature made by unknown entity")
