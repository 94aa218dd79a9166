"""urlJoin escapes every non-ASCII byte of the host (url.URL.String uses escape(host,
encodeHost)); urlParse keeps it unescaped. Expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ('{{ urlJoin (dict "scheme" "h" "host" "é") }}', "h://%C3%A9"),
        ('{{ urlParse "http://é.com/ü?ö#ä" | urlJoin }}', "http://%C3%A9.com/%C3%BC?ö#%C3%A4"),
        ('{{ urlJoin (dict "host" "x\\xff") }}', "//x%FF"),
        ('{{ urlJoin (dict "host" "[::1%25en0]:80") }}', "//[::1%2525en0]:80"),
    ],
)
def test_url_join_escapes_host_like_go(template: str, expected: str) -> None:
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", template)
    assert ts.execute("t", {}) == expected
