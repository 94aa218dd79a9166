"""The pure parts of the absolute chart URL path: which names are URLs to helm, and its two URL
comparisons (urlutil.Equal for the repository scan, urlEqual for credentials)."""

from __future__ import annotations

import pytest

from steersman.commands.template_chart_url import _same_url, is_chart_url, url_equal


@pytest.mark.parametrize(
    ("ref", "expected"),
    [
        ("https://h/c.tgz", True),
        ("ftp://h/c.tgz", True),  # a URL; the missing getter is said later
        ("https://h", False),  # no path: helm reads it as repo/chart and refuses it
        ("stable/c", False),
        ("a%zz/b", False),
    ],
)
def test_is_chart_url(ref: str, expected: bool) -> None:
    assert is_chart_url(ref) is expected


def test_same_url_cleans_paths_only() -> None:
    assert _same_url("https://h/a/../c.tgz", "https://h/c.tgz")
    assert _same_url("https://h", "https://h/")
    assert not _same_url("https://h/c.tgz", "http://h/c.tgz")
    assert not _same_url("https://h/c.tgz", "c.tgz")  # a relative index URL never matches


def test_url_equal_knows_default_ports() -> None:
    assert url_equal("https://h/a", "https://h:443/b")
    assert url_equal("http://h:80/a", "http://h/b")
    assert not url_equal("https://h/a", "https://h:8443/a")
    assert not url_equal("https://h/a", "http://h/a")
