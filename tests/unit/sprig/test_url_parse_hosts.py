"""url.Parse host rules as Helm v4's Go (1.25) applies them: %-escapes in a host only for
non-ASCII bytes (and %25 before an IPv6 zone), bracketed hosts must be IPv6 addresses
(netip.ParseAddr's error texts), URL.Hostname, and a lone "*" path. Expected texts are real
helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError


@pytest.mark.parametrize(
    ("url", "host", "hostname"),
    [
        ("http://[fe80::1%25en0]/", "[fe80::1%en0]", "fe80::1%en0"),
        ("http://[::1%25%41]/", "[::1%A]", "::1%A"),
        ("http://[::ffff:1.2.3.4]:80/", "[::ffff:1.2.3.4]:80", "::ffff:1.2.3.4"),
        ("http://h%C3%A9:80/", "hé:80", "hé"),
    ],
)
def test_hosts_parse_like_go(url: str, host: str, hostname: str) -> None:
    assert render(f'{{{{ (urlParse "{url}").host }}}}') == host
    assert render(f'{{{{ (urlParse "{url}").hostname }}}}') == hostname


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://%41:80/", 'invalid URL escape "%41"'),
        ("http://[fe80::1%en0]/", 'invalid URL escape "%en"'),
        ("http://malformed[", "invalid IP-literal"),
        ("http://[1.2.3.4]/", "invalid IP-literal"),
        ("http://[v1.x]/", 'invalid host: ParseAddr("v1.x"): unexpected character (at "v1.x")'),
        ("http://[::1%25]/", 'invalid host: ParseAddr("::1%"): zone must be a non-empty string'),
        (
            "http://[::1]]/",
            'invalid host: ParseAddr("::1]"): unexpected character, want colon (at "]")',
        ),
        (
            "http://[12345::]/",
            'invalid host: ParseAddr("12345::"): each group must have 4 or less digits'
            ' (at "12345::")',
        ),
        (
            "http://[::1..3.4]/",
            'invalid host: ParseAddr("::1..3.4"): IPv4 field must have at least one digit'
            ' (at ".3.4")',
        ),
        (
            "http://[::1.2.3.256]/",
            'invalid host: ParseAddr("::1.2.3.256"): IPv4 field has value >255',
        ),
    ],
)
def test_host_errors_match_go(url: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(f'{{{{ urlParse "{url}" }}}}')
    assert str(err.value).endswith(f'unable to parse url: parse "{url}": {message}')


def test_url_join_keeps_a_lone_star_path() -> None:
    assert render('{{ urlParse "*" | urlJoin }} {{ urlJoin (dict "path" "**") }}') == "* %2A%2A"
