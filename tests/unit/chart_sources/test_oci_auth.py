"""oras-go's ErrorResponse text for a registry's or token service's refusal (the 401 cases
are compared with helm in tests/integration/test_template_credential_helpers.py)."""

from __future__ import annotations

import json

import pytest

from steersman.chart.sources.oci_auth import error_response


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "Unauthorized"),
        (b"unauthorized", "Unauthorized"),
        (b'{"errors": []}', "Unauthorized"),
        (
            json.dumps(
                {
                    "errors": [
                        {
                            "code": "UNAUTHORIZED",
                            "message": "authentication required",
                            "detail": [{"Type": "repository", "Name": "a/b", "Class": ""}],
                        }
                    ]
                }
            ).encode(),
            "unauthorized: authentication required: [map[Class: Name:a/b Type:repository]]",
        ),
        (
            json.dumps(
                {
                    "errors": [
                        {"code": "NAME_UNKNOWN", "message": "m", "detail": {"n": 1, "ok": True}},
                        {"code": "DENIED"},
                    ]
                }
            ).encode(),
            "name unknown: m: map[n:1 ok:true]; denied",
        ),
    ],
)
def test_error_response(body: bytes, reason: str) -> None:
    assert error_response('GET "u"', 401, body) == (f'GET "u": response status code 401: {reason}')
