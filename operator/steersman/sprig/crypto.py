"""Sprig crypto functions (crypto.go): hashes, bcrypt, derivePassword, keys, certificates, AES.

Salts, serial numbers, IVs, UUIDs and random bytes come from SprigEnv.rand so tests can pin
them; private keys themselves come from OpenSSL's generator (the `cryptography` package offers
no way to feed it), so key material is never reproducible. Certificates follow Go's
x509.CreateCertificate choices: names as encoding/asn1 writes them (PrintableString when it can),
critical KeyUsage and BasicConstraints, SubjectKeyId on CA
certificates, AuthorityKeyId from the signer's SubjectKeyId when issuer and subject differ, SAN
critical on an empty subject, SHA-256 signatures.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import uuid
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from ._lazy import lazy_module

if TYPE_CHECKING:
    import bcrypt as bcrypt_lib
    from cryptography import x509
    from cryptography.hazmat.primitives import ciphers, hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed25519, rsa
    from cryptography.x509 import name as x509_name
    from cryptography.x509 import oid
else:
    # Loaded on first use: rendering a chart that calls no crypto function never imports
    # cryptography or bcrypt (about 35 ms of `steersman template`'s start-up).
    bcrypt_lib = lazy_module("bcrypt")
    x509 = lazy_module("cryptography.x509")
    ciphers = lazy_module("cryptography.hazmat.primitives.ciphers")
    hashes = lazy_module("cryptography.hazmat.primitives.hashes")
    serialization = lazy_module("cryptography.hazmat.primitives.serialization")
    dsa = lazy_module("cryptography.hazmat.primitives.asymmetric.dsa")
    ec = lazy_module("cryptography.hazmat.primitives.asymmetric.ec")
    ed25519 = lazy_module("cryptography.hazmat.primitives.asymmetric.ed25519")
    rsa = lazy_module("cryptography.hazmat.primitives.asymmetric.rsa")
    x509_name = lazy_module("cryptography.x509.name")
    oid = lazy_module("cryptography.x509.oid")

from steersman.golang.fmt import format_value
from steersman.golang.gostr import from_bytes, to_bytes
from steersman.golang.types import GoFunc, GoStruct, TemplateFuncError

from ._env import SprigEnv
from .defaults import b64_decode

_BCRYPT_ALPHABET = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_STD_B64 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@dataclass(frozen=True)
class Certificate(GoStruct):
    """Sprig's `certificate{Cert, Key string}` (read in templates as `.Cert` and `.Key`)."""

    go_type: ClassVar[str] = "sprig.certificate"
    cert: str
    key: str

    def go_field(self, name: str) -> tuple[bool, Any]:
        if name == "Cert":
            return True, self.cert
        if name == "Key":
            return True, self.key
        return False, None

    def go_print_fields(self) -> list[tuple[str, Any]]:
        return [("Cert", self.cert), ("Key", self.key)]

    def go_json(self) -> dict[str, Any]:
        return {"Cert": self.cert, "Key": self.key}


def bcrypt_hash(env: SprigEnv, password: str) -> str:
    pw = to_bytes(password)
    if len(pw) > 72:
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
    raw = base64.b64encode(env.rand_bytes(16)).rstrip(b"=")
    salt = b"$2a$10$" + raw.translate(bytes.maketrans(_STD_B64, _BCRYPT_ALPHABET))[:22]
    return bcrypt_lib.hashpw(pw, salt).decode()


def htpasswd(env: SprigEnv, user: str, password: str) -> str:
    if ":" in user:
        return f"invalid username: {user}"
    return f"{user}:{bcrypt_hash(env, password)}"


_TEMPLATES = {
    "maximum": ["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
    "long": [
        "CvcvnoCvcvCvcv", "CvcvCvcvnoCvcv", "CvcvCvcvCvcvno", "CvccnoCvcvCvcv", "CvccCvcvnoCvcv",
        "CvccCvcvCvcvno", "CvcvnoCvccCvcv", "CvcvCvccnoCvcv", "CvcvCvccCvcvno", "CvcvnoCvcvCvcc",
        "CvcvCvcvnoCvcc", "CvcvCvcvCvccno", "CvccnoCvccCvcv", "CvccCvccnoCvcv", "CvccCvccCvcvno",
        "CvcvnoCvccCvcc", "CvcvCvccnoCvcc", "CvcvCvccCvccno", "CvccnoCvcvCvcc", "CvccCvcvnoCvcc",
        "CvccCvcvCvccno",
    ],
    "medium": ["CvcnoCvc", "CvcCvcno"],
    "short": ["Cvcn"],
    "basic": ["aaanaaan", "aannaaan", "aaannaaa"],
    "pin": ["nnnn"],
}  # fmt: skip
_CHARS = {
    "V": "AEIOU",
    "C": "BCDFGHJKLMNPQRSTVWXYZ",
    "v": "aeiou",
    "c": "bcdfghjklmnpqrstvwxyz",
    "A": "AEIOUBCDFGHJKLMNPQRSTVWXYZ",
    "a": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
    "n": "0123456789",
    "o": "@&%?,=[]_:-+*$#!'^~;()/.",
    "x": "AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
}
_SEED = b"com.lyndir.masterpassword"


def derive_password(counter: int, kind: str, password: str, user: str, site: str) -> str:
    """The Master Password algorithm (scrypt N=32768 r=8 p=2, HMAC-SHA256 over the site)."""
    templates = _TEMPLATES.get(kind)
    if templates is None:
        return f"cannot find password template {kind}"
    u, s = to_bytes(user), to_bytes(site)
    salt = _SEED + len(u).to_bytes(4, "big") + u
    key = hashlib.scrypt(to_bytes(password), salt=salt, n=32768, r=8, p=2, dklen=64, maxmem=2**26)
    msg = _SEED + len(s).to_bytes(4, "big") + s + (counter & 0xFFFFFFFF).to_bytes(4, "big")
    seed = hmac.new(key, msg, hashlib.sha256).digest()
    tpl = templates[seed[0] % len(templates)]
    return "".join(_CHARS[c][seed[i + 1] % len(_CHARS[c])] for i, c in enumerate(tpl))


if TYPE_CHECKING:  # for annotations only: naming the classes would load cryptography
    PrivateKey = (
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | dsa.DSAPrivateKey
    )


def key_pem(key: PrivateKey) -> str:
    fmt = (
        serialization.PrivateFormat.PKCS8
        if isinstance(key, ed25519.Ed25519PrivateKey)
        else serialization.PrivateFormat.TraditionalOpenSSL
    )
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


def gen_private_key(kind: str) -> str:
    key: PrivateKey
    if kind in ("", "rsa"):
        key = rsa.generate_private_key(65537, 4096)
    elif kind == "dsa":
        key = dsa.generate_private_key(2048)
    elif kind == "ecdsa":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kind == "ed25519":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        return "Unknown type " + kind
    return key_pem(key)


def parse_private_key_pem(text: str) -> PrivateKey:
    block = to_bytes(text)
    start = block.find(b"-----BEGIN ")
    if start < 0:
        raise TemplateFuncError("no PEM data in input")
    kind = block[start + 11 : block.find(b"-----", start + 11)].decode("latin-1")
    if kind != "PRIVATE KEY" and not kind.endswith(" PRIVATE KEY"):
        raise TemplateFuncError(f"no private key data in PEM block of type {kind}")
    if kind not in ("PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "DSA PRIVATE KEY"):
        raise TemplateFuncError(f"invalid private key type {kind}")
    try:
        key = serialization.load_pem_private_key(block[start:], password=None)
    except (ValueError, TypeError) as e:
        raise TemplateFuncError(f"parsing private key from PEM: {e}") from None
    if not isinstance(
        key,
        rsa.RSAPrivateKey
        | ec.EllipticCurvePrivateKey
        | ed25519.Ed25519PrivateKey
        | dsa.DSAPrivateKey,
    ):
        raise TemplateFuncError(f"unable to get public key for type {type(key).__name__}")
    return key


class CertFuncs:
    def __init__(self, env: SprigEnv) -> None:
        self.env = env

    def _names(self, items: Any, what: str) -> list[str]:
        if items is None:
            return []
        out = []
        for x in items:
            if not isinstance(x, str):
                raise TemplateFuncError(f"error {what}: {format_value(x)} is not a string")
            out.append(x)
        return out

    def _build(
        self,
        cn: str,
        ips: Any,
        dns: Any,
        days: int,
        key: PrivateKey,
        signer: tuple[x509.Certificate, PrivateKey] | None,
        is_ca: bool,
    ) -> Certificate:
        ip_addrs = []
        for text in self._names(ips, "parsing ip"):
            try:
                ip_addrs.append(ipaddress.ip_address(text))
            except ValueError:
                raise TemplateFuncError(f"error parsing ip: {text}") from None
        dns_names = self._names(dns, "processing alternate dns name")
        serial = self.env.rand.getrandbits(128) or 1
        now = self.env.now().replace(microsecond=0)
        subject = x509.Name([go_name_attribute(oid.NameOID.COMMON_NAME, cn)] if cn else [])
        pub = key.public_key()
        issuer_name = signer[0].subject if signer else subject
        # Dates through the constructor: Go does not insist that NotAfter follows NotBefore
        # (a negative validity is accepted), the builder's setters would.
        b = (
            x509.CertificateBuilder(not_valid_before=now, not_valid_after=_not_after(now, days))
            .subject_name(subject)
            .issuer_name(issuer_name)
            .public_key(pub)
            .serial_number(serial)
            .add_extension(
                x509.KeyUsage(True, False, True, False, False, is_ca, False, False, False), True
            )
            .add_extension(
                x509.ExtendedKeyUsage(
                    [oid.ExtendedKeyUsageOID.SERVER_AUTH, oid.ExtendedKeyUsageOID.CLIENT_AUTH]
                ),
                False,
            )
            .add_extension(x509.BasicConstraints(ca=is_ca, path_length=None), True)
        )
        if is_ca:
            b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(pub), False)
        # Go takes the parent's SubjectKeyId as AuthorityKeyId only when issuer != subject
        if signer is not None and issuer_name.public_bytes() != subject.public_bytes():
            try:
                ski = signer[0].extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
                b = b.add_extension(
                    x509.AuthorityKeyIdentifier(ski.value.digest, None, None), False
                )
            except x509.ExtensionNotFound:
                pass
        if ip_addrs or dns_names:
            sans: list[x509.GeneralName] = [x509.DNSName(d) for d in dns_names]
            sans += [x509.IPAddress(ip) for ip in ip_addrs]
            # critical when the subject is empty (RFC 5280 4.2.1.6), as Go marks it
            b = b.add_extension(x509.SubjectAlternativeName(sans), not cn)
        sign_key = signer[1] if signer else key
        algo = None if isinstance(sign_key, ed25519.Ed25519PrivateKey) else hashes.SHA256()
        try:
            cert = b.sign(sign_key, algo)
        except (ValueError, TypeError) as e:
            raise TemplateFuncError(f"error creating certificate: {e}") from None
        return Certificate(cert.public_bytes(serialization.Encoding.PEM).decode(), key_pem(key))

    def _signer(self, ca: Certificate) -> tuple[x509.Certificate, PrivateKey]:
        try:
            cert = x509.load_pem_x509_certificate(to_bytes(ca.cert))
        except ValueError:
            raise TemplateFuncError("unable to decode certificate") from None
        try:
            return cert, parse_private_key_pem(ca.key)
        except TemplateFuncError as e:
            raise TemplateFuncError(f"error parsing private key: {e}") from None

    def _with_key(self, pem: str) -> PrivateKey:
        try:
            return parse_private_key_pem(pem)
        except TemplateFuncError as e:
            raise TemplateFuncError(f"parsing private key: {e}") from None

    def gen_ca(self, cn: str, days: int, pem: str | None = None) -> Certificate:
        key = self._with_key(pem) if pem is not None else rsa.generate_private_key(65537, 2048)
        return self._build(cn, None, None, days, key, None, True)

    def gen_self_signed(
        self, cn: str, ips: Any, dns: Any, days: int, pem: str | None = None
    ) -> Certificate:
        key = self._with_key(pem) if pem is not None else rsa.generate_private_key(65537, 2048)
        return self._build(cn, ips, dns, days, key, None, False)

    def gen_signed(
        self, cn: str, ips: Any, dns: Any, days: int, ca: Certificate, pem: str | None = None
    ) -> Certificate:
        key = self._with_key(pem) if pem is not None else rsa.generate_private_key(65537, 2048)
        return self._build(cn, ips, dns, days, key, self._signer(ca), False)


def build_custom_cert(b64cert: str, b64key: str) -> Certificate:
    try:
        cert = b64_decode(b64cert)
    except TemplateFuncError:
        raise TemplateFuncError("unable to decode base64 certificate") from None
    try:
        key = b64_decode(b64key)
    except TemplateFuncError:
        raise TemplateFuncError("unable to decode base64 private key") from None
    if b"-----BEGIN" not in cert:
        raise TemplateFuncError("unable to decode certificate")
    try:
        x509.load_pem_x509_certificate(cert)
    except ValueError as e:
        raise TemplateFuncError(f"error parsing certificate: decodedCert.Bytes: {e}") from None
    try:
        parse_private_key_pem(from_bytes(key))
    except TemplateFuncError as e:
        raise TemplateFuncError(f"error parsing private key: {e}") from None
    return Certificate(from_bytes(cert), from_bytes(key))


def _aes_key(password: str) -> bytes:
    return to_bytes(password)[:32].ljust(32, b"\0")


def encrypt_aes(env: SprigEnv, password: str, plaintext: str) -> str:
    if plaintext == "":
        return ""
    content = to_bytes(plaintext)
    pad = 16 - len(content) % 16
    content += bytes([pad]) * pad
    iv = env.rand_bytes(16)
    enc = ciphers.Cipher(
        ciphers.algorithms.AES(_aes_key(password)), ciphers.modes.CBC(iv)
    ).encryptor()
    return base64.b64encode(iv + enc.update(content) + enc.finalize()).decode()


def decrypt_aes(password: str, crypt64: str) -> str:
    if crypt64 == "":
        return ""
    crypt = b64_decode(crypt64)
    if len(crypt) < 16:
        # DecodeString allocates DecodedLen(len(s)) bytes: that is the slice's capacity.
        capacity = len(to_bytes(crypt64)) // 4 * 3
        raise TemplateFuncError(
            f"runtime error: slice bounds out of range [:16] with capacity {capacity}"
        )
    iv, body = crypt[:16], crypt[16:]
    if len(body) % 16:
        raise TemplateFuncError("crypto/cipher: input not full blocks")
    if not body:
        raise TemplateFuncError("runtime error: index out of range [-1]")
    dec = ciphers.Cipher(
        ciphers.algorithms.AES(_aes_key(password)), ciphers.modes.CBC(iv)
    ).decryptor()
    plain = dec.update(body) + dec.finalize()
    cut = len(plain) - plain[-1]
    if cut < 0:
        raise TemplateFuncError(f"runtime error: slice bounds out of range [:{cut}]")
    return from_bytes(plain[:cut])


def rand_bytes(env: SprigEnv, count: int) -> str:
    if count < 0 or count > 1 << 48:  # make([]byte, count) beyond Go's maxAlloc
        raise TemplateFuncError("runtime error: makeslice: len out of range")
    if count > 1 << 26:
        # Go would try (and perhaps run out of memory, ending helm); we refuse early.
        raise TemplateFuncError("runtime: out of memory")
    return base64.b64encode(env.rand_bytes(count)).decode()


_PRINTABLE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789 '()+,-./:=?")


def go_name_attribute(oid: x509.ObjectIdentifier, value: str) -> x509.NameAttribute[str]:
    """A name attribute as Go's encoding/asn1 writes a pkix.Name string: PrintableString when
    every character is in its set ('*' and '&' excluded), else UTF8String."""
    kind = (
        x509_name._ASN1Type.PrintableString
        if set(value) <= _PRINTABLE
        else x509_name._ASN1Type.UTF8String
    )
    return x509.NameAttribute(oid, value, _type=kind)


def _not_after(now: datetime, days: int) -> datetime:
    # time.Hour * 24 * time.Duration(days): an int64 nanosecond product that wraps.
    ns = (days * 86_400_000_000_000 + (1 << 63)) % (1 << 64) - (1 << 63)
    end = now + timedelta(microseconds=ns // 1000)
    if end.year < 1950:
        # Go encodes it as GeneralizedTime; the cryptography library cannot (it panics).
        raise TemplateFuncError(f"certificate validity ending in {end.year} is not supported")
    return end


def crypto_funcs(env: SprigEnv) -> dict[str, GoFunc]:
    c = CertFuncs(env)
    s1 = ("string",)
    cert = "sprig.certificate"
    any_list = "[]interface {}"
    return {
        "sha1sum": GoFunc(lambda s: hashlib.sha1(to_bytes(s)).hexdigest(), s1, result="string"),
        "sha256sum": GoFunc(lambda s: hashlib.sha256(to_bytes(s)).hexdigest(), s1, result="string"),
        "sha512sum": GoFunc(lambda s: hashlib.sha512(to_bytes(s)).hexdigest(), s1, result="string"),
        "adler32sum": GoFunc(lambda s: str(zlib.adler32(to_bytes(s))), s1, result="string"),
        "bcrypt": GoFunc(lambda s: bcrypt_hash(env, s), s1, result="string"),
        "htpasswd": GoFunc(lambda u, p: htpasswd(env, u, p), ("string", "string"), result="string"),
        "derivePassword": GoFunc(
            derive_password, ("uint32", "string", "string", "string", "string"), result="string"
        ),
        "genPrivateKey": GoFunc(gen_private_key, s1, result="string"),
        "buildCustomCert": GoFunc(build_custom_cert, ("string", "string"), None, cert, True),
        "genCA": GoFunc(c.gen_ca, ("string", "int"), None, cert, True),
        "genCAWithKey": GoFunc(c.gen_ca, ("string", "int", "string"), None, cert, True),
        "genSelfSignedCert": GoFunc(
            c.gen_self_signed, ("string", any_list, any_list, "int"), None, cert, True
        ),
        "genSelfSignedCertWithKey": GoFunc(
            c.gen_self_signed, ("string", any_list, any_list, "int", "string"), None, cert, True
        ),
        "genSignedCert": GoFunc(
            c.gen_signed, ("string", any_list, any_list, "int", cert), None, cert, True
        ),
        "genSignedCertWithKey": GoFunc(
            c.gen_signed, ("string", any_list, any_list, "int", cert, "string"), None, cert, True
        ),
        "encryptAES": GoFunc(
            lambda p, t: encrypt_aes(env, p, t), ("string", "string"), None, "string", True
        ),
        "decryptAES": GoFunc(decrypt_aes, ("string", "string"), None, "string", True),
        "randBytes": GoFunc(lambda n: rand_bytes(env, n), ("int",), None, "string", True),
        "uuidv4": GoFunc(
            lambda: str(uuid.UUID(bytes=env.rand_bytes(16), version=4)), (), result="string"
        ),
    }
