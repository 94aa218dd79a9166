"""Crypto and random Sprig functions: pinned randomness, structure of keys and certificates,
and interoperability with material produced by real helm (helm_ca.json)."""

from __future__ import annotations

import base64
import json
import random
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import bcrypt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from steersman.golang.types import TemplateFuncError
from steersman.sprig import sprig_funcs
from steersman.sprig.crypto import Certificate

HELM = json.loads((Path(__file__).parent / "helm_ca.json").read_text())
NOW = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)


F = sprig_funcs(rand=random.Random(7), now=lambda: NOW)


def cert_of(pem: str) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode())


@pytest.mark.parametrize(
    ("name", "alphabet"),
    [
        ("randAlphaNum", r"[A-Za-z0-9]"),
        ("randAlpha", r"[A-Za-z]"),
        ("randNumeric", r"[0-9]"),
        ("randAscii", r"[ -~]"),
    ],
)
def test_random_strings_are_pinned_by_the_injected_rand(name: str, alphabet: str) -> None:
    a = sprig_funcs(rand=random.Random(1))[name].fn(40)
    b = sprig_funcs(rand=random.Random(1))[name].fn(40)
    c = sprig_funcs(rand=random.Random(2))[name].fn(40)
    assert a == b != c
    assert re.fullmatch(alphabet + "{40}", a)
    assert sprig_funcs()[name].fn(0) == "" and sprig_funcs()[name].fn(-3) == ""


def test_shuffle_uuid_rand_bytes_and_rand_int_use_the_injected_rand() -> None:
    f1, f2 = sprig_funcs(rand=random.Random(3)), sprig_funcs(rand=random.Random(3))
    shuffled = f1["shuffle"].fn("abcdefgh")
    assert shuffled == f2["shuffle"].fn("abcdefgh") and sorted(shuffled) == list("abcdefgh")
    uid = f1["uuidv4"].fn()
    assert uid == f2["uuidv4"].fn()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", uid)
    raw = f1["randBytes"].fn(16)
    assert raw == f2["randBytes"].fn(16) and len(base64.b64decode(raw)) == 16
    assert all(5 <= f1["randInt"].fn(5, 8) < 8 for _ in range(50))


def test_bcrypt_and_htpasswd() -> None:
    hashed = F["bcrypt"].fn("s3cret")
    assert hashed.startswith("$2a$10$") and len(hashed) == 60
    assert bcrypt.checkpw(b"s3cret", hashed.encode())
    user, _, pw_hash = F["htpasswd"].fn("admin", "pw").partition(":")
    assert user == "admin" and bcrypt.checkpw(b"pw", pw_hash.encode())
    assert F["htpasswd"].fn("a:b", "pw") == "invalid username: a:b"
    assert F["bcrypt"].fn("x" * 73) == (
        "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    )


def test_aes_round_trip_and_decrypting_helm_ciphertext() -> None:
    assert F["decryptAES"].fn(HELM["aes_password"], HELM["aes_ciphertext"]) == "plaintext"
    secret = F["encryptAES"].fn("k" * 40, "hello world, 16+ bytes")
    assert len(base64.b64decode(secret)) == 16 + 32
    assert F["decryptAES"].fn("k" * 40, secret) == "hello world, 16+ bytes"
    assert F["encryptAES"].fn("k", "") == "" and F["decryptAES"].fn("k", "") == ""


@pytest.mark.parametrize(
    ("kind", "header", "key_type"),
    [
        ("ecdsa", "EC PRIVATE KEY", ec.EllipticCurvePrivateKey),
        ("ed25519", "PRIVATE KEY", None),
        ("dsa", "DSA PRIVATE KEY", None),
    ],
)
def test_gen_private_key_pem_kinds(kind: str, header: str, key_type: type | None) -> None:
    pem = F["genPrivateKey"].fn(kind)
    if key_type is not None:
        assert isinstance(F["genCAWithKey"].fn("c", 1, pem), Certificate)
    assert pem.startswith(f"-----BEGIN {header}-----\n") and pem.endswith(
        f"-----END {header}-----\n"
    )
    assert F["genPrivateKey"].fn("nope") == "Unknown type nope"


def test_gen_ca_matches_gos_certificate_shape() -> None:
    ca = F["genCA"].fn("my-ca", 365)
    assert isinstance(ca, Certificate)
    assert ca.go_field("Cert") == (True, ca.cert) and ca.go_field("Nope") == (False, None)
    cert = cert_of(ca.cert)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "my-ca"
    assert cert.issuer == cert.subject
    assert cert.not_valid_before_utc == NOW.replace(microsecond=0)
    assert cert.not_valid_after_utc - cert.not_valid_before_utc == timedelta(days=365)
    bc = cert.extensions.get_extension_for_class(x509.BasicConstraints)
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert bc.critical and bc.value.ca and ku.critical and ku.value.key_cert_sign
    assert cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
    assert ca.key.startswith("-----BEGIN RSA PRIVATE KEY-----\n")
    assert cert.public_key().key_size == 2048  # type: ignore[union-attr]
    # The serial comes from the injected rand: same seed, same serial.
    again = sprig_funcs(rand=random.Random(7), now=lambda: NOW)["genCA"].fn("my-ca", 365)
    first = sprig_funcs(rand=random.Random(7), now=lambda: NOW)["genCA"].fn("my-ca", 365)
    assert cert_of(again.cert).serial_number == cert_of(first.cert).serial_number


def test_signed_cert_from_a_helm_generated_ca() -> None:
    ca = F["buildCustomCert"].fn(HELM["cert_b64"], HELM["key_b64"])
    leaf = F["genSignedCert"].fn("svc", ["10.0.0.1"], ["svc.ns.svc"], 30, ca)
    cert = cert_of(leaf.cert)
    cert.verify_directly_issued_by(cert_of(ca.cert))
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["svc.ns.svc"]
    assert [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] == ["10.0.0.1"]
    aki = cert.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = cert_of(ca.cert).extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    assert not cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca


def test_with_key_variants_use_the_given_key() -> None:
    key_pem = base64.b64decode(HELM["ecdsa_key_b64"]).decode()
    self_signed = F["genSelfSignedCertWithKey"].fn("me", None, ["me.local"], 10, key_pem)
    assert self_signed.key == key_pem
    assert isinstance(cert_of(self_signed.cert).public_key(), ec.EllipticCurvePublicKey)
    ca = F["genCAWithKey"].fn("ca", 10, F["genPrivateKey"].fn("ecdsa"))
    leaf = F["genSignedCertWithKey"].fn("leaf", None, None, 10, ca, key_pem)
    cert_of(leaf.cert).verify_directly_issued_by(cert_of(ca.cert))
    assert isinstance(
        x509.load_pem_x509_certificate(F["genCA"].fn("r", 1).cert.encode()).public_key(),
        rsa.RSAPublicKey,
    )


@pytest.mark.parametrize(
    ("call_args", "message"),
    [
        (("genCAWithKey", "x", 3, "junk"), "parsing private key: no PEM data in input"),
        (("buildCustomCert", "!!", "x"), "unable to decode base64 certificate"),
        (("genSelfSignedCert", "x", [1], None, 3), "error parsing ip: 1 is not a string"),
        (("genSelfSignedCert", "x", ["1.2.3"], None, 3), "error parsing ip: 1.2.3"),
        (
            ("decryptAES", "k", "YWJj"),
            "runtime error: slice bounds out of range [:16] with capacity 3",
        ),
        (("randBytes", -1), "runtime error: makeslice: len out of range"),
    ],
)
def test_errors_match_helm(call_args: tuple[object, ...], message: str) -> None:
    name, *args = call_args
    with pytest.raises(TemplateFuncError) as err:
        F[str(name)].fn(*args)
    assert str(err.value) == message
