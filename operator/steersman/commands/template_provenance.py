"""`helm template --verify`: a chart archive's provenance file (.prov, an OpenPGP clear-signed
YAML document naming the archive's sha256) checked against a keyring, as helm's provenance
package does, with PGPy (pure Python). Loaded only for --verify."""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import warnings

import yaml

from steersman.chart import go_os_error


class ProvenanceError(Exception):
    """A verification failure, in helm's words."""


def verify(archive: str, prov: str, keyring: str) -> None:
    with warnings.catch_warnings():  # PGPy warns about its own deprecated crypto calls
        warnings.simplefilter("ignore")
        import pgpy

        ring = pgpy.PGPKeyring()
        try:
            with open(keyring, "rb") as f:
                ring.load(f.read())
        except OSError as exc:
            raise ProvenanceError(
                f"failed to load keyring: open {keyring}: {go_os_error(exc)}"
            ) from None
        except Exception as exc:  # PGPy's parse errors have no common base
            raise ProvenanceError(f"failed to load keyring: {exc}") from None
        with open(archive, "rb") as f:
            data = f.read()
        with open(prov, encoding="utf-8", errors="replace") as f:
            text = f.read()
        if "-----BEGIN PGP SIGNED MESSAGE-----" not in text:
            raise ProvenanceError("signature block not found")
        try:
            message = pgpy.PGPMessage.from_blob(_with_armor_checksum(text))
        except Exception:  # a damaged block is no block for clearsign.Decode
            raise ProvenanceError("signature block not found") from None
        signatures = list(message.signatures)
        if not signatures:
            raise ProvenanceError("signature block not found")
        signer = signatures[0].signer
        try:
            with ring.key(signer) as key:
                good = bool(key.verify(message))
                algorithm = key.key_algorithm.name
        except KeyError:
            raise ProvenanceError("openpgp: signature made by unknown entity") from None
        if not good:
            # Go's openpgp names the failing public-key algorithm
            kind = next((k for k in ("RSA", "ECDSA", "EdDSA", "DSA") if k in algorithm), "")
            raise ProvenanceError(
                f"openpgp: invalid signature: {kind} verification failure"
                if kind
                else "openpgp: invalid signature"
            )
    _check_sum(str(message.message), os.path.basename(archive), data)


def _check_sum(plaintext: str, filename: str, data: bytes) -> None:
    """parseMessageBlock: the chart's metadata, `...`, then the `files:` map of sums."""
    _, sep, sums_text = plaintext.partition("\n...\n")
    try:
        sums = yaml.safe_load(sums_text) if sep else None
    except yaml.YAMLError as exc:
        raise ProvenanceError(str(exc)) from None
    files = (sums or {}).get("files") if isinstance(sums, dict) else None
    files = files if isinstance(files, dict) else {}
    actual = "sha256:" + hashlib.sha256(data).hexdigest()
    if filename not in files:
        raise ProvenanceError(f'provenance does not contain a SHA for a file named "{filename}"')
    if files[filename] != actual:
        raise ProvenanceError(
            f'sha256 sum does not match for {filename}: "{files[filename]}" != "{actual}"'
        )


_SIGNATURE_START, _SIGNATURE_END = "-----BEGIN PGP SIGNATURE-----", "-----END PGP SIGNATURE-----"


def _with_armor_checksum(text: str) -> str:
    """The clear-signed text with the armor's CRC-24 line, which Go's openpgp (helm package
    --sign) leaves out, as RFC 9580 allows, and PGPy insists on."""
    head, sep, rest = text.partition(_SIGNATURE_START)
    body, end, _ = rest.partition(_SIGNATURE_END)
    if not sep or not end:
        return text
    lines = body.strip("\n").split("\n")
    if lines and lines[-1].startswith("="):
        return text
    header_end = lines.index("") if "" in lines else -1
    try:
        raw = base64.b64decode("".join(lines[header_end + 1 :]), validate=True)
    except (binascii.Error, ValueError):
        return text
    crc = 0xB704CE
    for byte in raw:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    checksum = base64.b64encode((crc & 0xFFFFFF).to_bytes(3, "big")).decode()
    return f"{head}{sep}{body.rstrip(chr(10))}\n={checksum}\n{_SIGNATURE_END}\n"
