"""tlsutil.NewTLSConfig's checks of TLS files, with helm v4.1.4's error texts: for the
registry client's flags (`--ca-file`, `--cert-file`, `--key-file`), read before anything else,
and for a repositories.yaml entry's files when `--dependency-update` downloads from it."""

from __future__ import annotations

from steersman.chart import go_os_error
from steersman.golang.fmt import go_quote


def wants_tls_config(ca_file: str, cert_file: str, key_file: str, insecure: bool) -> bool:
    """Whether helm builds its own TLS config (else Go's default: system roots, no client
    certificate, whatever else is set)."""
    return bool((cert_file and key_file) or ca_file or insecure)


def tls_config_error(ca_file: str, cert_file: str, key_file: str) -> str | None:
    """tlsutil.NewTLSConfig's error for these files, or None when they load."""
    errors: list[str] = []
    read: dict[str, bytes] = {}

    def slurp(what: str, path: str) -> bool:
        try:
            with open(path, "rb") as f:
                read[what] = f.read()
        except OSError as exc:
            errors.append(f"{what}: {go_quote(path)}: open {path}: {go_os_error(exc)}")
            return False
        return True

    if (cert_file or key_file) and slurp("unable to read cert file", cert_file):
        slurp("unable to read key file", key_file)
    if ca_file:
        slurp("can't read CA file", ca_file)
    if errors:
        return "\n".join(errors)  # errors.Join
    cert, key = read.get("unable to read cert file"), read.get("unable to read key file")
    if cert and key:
        problem = _key_pair_error(cert_file, key_file, cert, key)
        if problem:
            return f"unable to load cert from key pair: {problem}"
    ca = read.get("can't read CA file")
    if ca and b"-----BEGIN CERTIFICATE-----" not in ca:
        return "failed to append certificates from pem block"
    return None


def _key_pair_error(cert_file: str, key_file: str, cert: bytes, key: bytes) -> str | None:
    """tls.X509KeyPair's complaint, in its words as far as they can be told apart."""
    if b"-----BEGIN" not in cert:
        return "tls: failed to find any PEM data in certificate input"
    if b"-----BEGIN" not in key:
        return "tls: failed to find any PEM data in key input"
    import ssl  # only with a client certificate: plain `steersman template` loads no TLS

    try:
        ssl.create_default_context().load_cert_chain(cert_file, key_file)
    except (ssl.SSLError, OSError):
        return "tls: private key does not match public key"
    return None
