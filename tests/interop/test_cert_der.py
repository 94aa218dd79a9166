"""genCA / genSignedCert / genSelfSignedCert: the DER of Steersman's certificates has the
structure of helm v4.1.4's (Go's crypto/x509) for the same inputs: the same ASN.1 tags all the
way down (PrintableString vs UTF8String names included), the same extensions in the same order
with the same criticality and values, the same key usage bits. Random parts (serial, key,
signature, dates, key identifiers) are compared by tag and size class only."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.interop

# (CA common name, leaf common name, ips, dns names); the names cover PrintableString,
# UTF8String ('*', '&', non-ASCII) and the empty subject (critical SAN)
CASES = [
    ("my-ca", "svc.example.com", ["10.0.0.1"], ["svc", "svc.ns"]),
    ("*.wild", "a&b", [], ["x"]),
    ("Zürich CA", "", ["127.0.0.1", "::1"], []),
    ("same", "same", [], []),
]

TEMPLATE = """\
{{- $ca := genCA %(ca)s 30 }}
{{- $leaf := genSignedCert %(cn)s %(ips)s %(dns)s 30 $ca }}
{{- $self := genSelfSignedCert %(cn)s %(ips)s %(dns)s 30 }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: certs
data:
  ca: {{ $ca.Cert | b64enc }}
  leaf: {{ $leaf.Cert | b64enc }}
  self: {{ $self.Cert | b64enc }}
"""


def _go_list(items: list[str]) -> str:
    return "(list " + " ".join(f'"{i}"' for i in items) + ")"


def _chart(root: Path) -> Path:
    chart = root / "certs"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: certs\nversion: 0.1.0\n")
    for i, (ca, cn, ips, dns) in enumerate(CASES):
        (chart / "templates" / f"c{i}.yaml").write_text(
            TEMPLATE.replace("name: certs", f"name: certs-{i}")
            % {"ca": f'"{ca}"', "cn": f'"{cn}"', "ips": _go_list(ips), "dns": _go_list(dns)}
        )
    return chart


def _tlv(data: bytes, i: int) -> tuple[int, bytes, int]:
    tag = data[i]
    n = data[i + 1]
    i += 2
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(data[i : i + k], "big")
        i += k
    return tag, data[i : i + n], i + n


def _tree(data: bytes) -> list[Any]:
    out: list[Any] = []
    i = 0
    while i < len(data):
        tag, body, i = _tlv(data, i)
        out.append((tag, _tree(body) if tag & 0x20 else body))
    return out


def _shape(node: Any) -> Any:
    """Tags everywhere; the value of a primitive only as its size class."""
    tag, body = node
    if isinstance(body, list):
        return (tag, [_shape(c) for c in body])
    return (tag, "big" if len(body) > 8 else len(body))


def _certs(stdout: str) -> list[bytes]:
    import yaml

    out = []
    for doc in yaml.safe_load_all(stdout):
        if doc:
            for key in ("ca", "leaf", "self"):
                pem = base64.b64decode(doc["data"][key]).decode()
                body = "".join(line for line in pem.splitlines() if "-----" not in line)
                out.append(base64.b64decode(body))
    return out


def _compare(go: bytes, ours: bytes) -> None:
    (g_cert,) = _tree(go)
    (o_cert,) = _tree(ours)
    assert _shape(o_cert) == _shape(g_cert)
    g_tbs, o_tbs = g_cert[1][0][1], o_cert[1][0][1]
    # version, serial (size: Go draws below 2^128), signature algorithm
    assert o_tbs[0] == g_tbs[0]
    assert len(o_tbs[1][1]) <= 17 and len(g_tbs[1][1]) <= 17
    assert o_tbs[2] == g_tbs[2]
    # issuer and subject exactly (string types included)
    assert o_tbs[3] == g_tbs[3]
    assert o_tbs[5] == g_tbs[5]
    # extensions: OID, criticality and value, except the key identifiers
    g_ext, o_ext = g_tbs[-1][1][0][1], o_tbs[-1][1][0][1]
    key_ids = {b"\x55\x1d\x0e", b"\x55\x1d\x23"}
    assert [e[1][0] for e in o_ext] == [e[1][0] for e in g_ext]
    for g, o in zip(g_ext, o_ext, strict=True):
        if g[1][0][1] not in key_ids:
            assert o == g


def test_certificates_have_gos_structure(
    helm_v4: Path, helm_home_env: dict[str, str], tmp_path: Path
) -> None:
    chart = _chart(tmp_path)
    env = dict(helm_home_env, KUBECONFIG=os.devnull)
    helm = subprocess.run(
        [str(helm_v4), "template", str(chart)], capture_output=True, text=True, env=env
    )
    assert helm.returncode == 0, helm.stderr
    ours = subprocess.run(
        [sys.executable, "-m", "steersman", "template", str(chart)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ours.returncode == 0, ours.stderr
    go_certs, our_certs = _certs(helm.stdout), _certs(ours.stdout)
    assert len(go_certs) == len(our_certs) == 3 * len(CASES)
    for go, mine in zip(go_certs, our_certs, strict=True):
        _compare(go, mine)
