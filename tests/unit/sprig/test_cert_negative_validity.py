"""genCA/genSignedCert with a negative number of days: Go's x509 signs a certificate whose
NotAfter precedes NotBefore (helm v4.1.4 renders `genCA "x" -1` without error)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509

from steersman.golang.types import TemplateFuncError
from steersman.sprig import sprig_funcs

NOW = datetime(2026, 11, 21, 10, 0, 0, tzinfo=UTC)


def test_negative_days_give_a_certificate_that_ends_before_it_starts() -> None:
    funcs = sprig_funcs(rand=random.Random(3), now=lambda: NOW)
    ca = funcs["genCA"].fn("x", -1)
    signed = funcs["genSignedCert"].fn("y", None, None, -5, ca)
    for pem, days in ((ca.cert, -1), (signed.cert, -5)):
        cert = x509.load_pem_x509_certificate(pem.encode())
        assert cert.not_valid_before_utc == NOW
        assert cert.not_valid_after_utc == NOW + timedelta(days=days)


def test_validity_days_wrap_like_go_durations() -> None:
    # time.Hour * 24 * time.Duration(days) overflows int64 nanoseconds and wraps around.
    funcs = sprig_funcs(rand=random.Random(3), now=lambda: NOW)
    days = 213504  # 24h * 213504 is just past 2**64 ns: it wraps to about 25 minutes
    wrapped_ns = days * 86_400_000_000_000 - (1 << 64)
    cert = x509.load_pem_x509_certificate(funcs["genCA"].fn("x", days).cert.encode())
    expected = NOW + timedelta(microseconds=wrapped_ns // 1000)
    assert cert.not_valid_after_utc == expected.replace(microsecond=0)  # DER keeps seconds


def test_validity_ending_before_1950_is_refused_not_crashing() -> None:
    # Go would encode it; the cryptography library cannot, so this is an error here.
    funcs = sprig_funcs(rand=random.Random(3), now=lambda: NOW)
    with pytest.raises(TemplateFuncError, match="ending in 1944 is not supported"):
        funcs["genCA"].fn("x", -30000)
