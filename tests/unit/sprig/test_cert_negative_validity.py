"""genCA/genSignedCert with a negative number of days: Go's x509 signs a certificate whose
NotAfter precedes NotBefore (helm v4.1.4 renders `genCA "x" -1` without error)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from cryptography import x509

from steersman.chart.sprig import sprig_funcs

NOW = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)


def test_negative_days_give_a_certificate_that_ends_before_it_starts() -> None:
    funcs = sprig_funcs(rand=random.Random(3), now=lambda: NOW)
    ca = funcs["genCA"].fn("x", -1)
    signed = funcs["genSignedCert"].fn("y", None, None, -5, ca)
    for pem, days in ((ca.cert, -1), (signed.cert, -5)):
        cert = x509.load_pem_x509_certificate(pem.encode())
        assert cert.not_valid_before_utc == NOW
        assert cert.not_valid_after_utc == NOW + timedelta(days=days)
