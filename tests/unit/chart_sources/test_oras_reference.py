"""oras-go's verdicts on OCI references (the texts helm v4.1.4 printed for these inputs in
tests/integration/test_template_oci_values.py)."""

from __future__ import annotations

import pytest

from steersman.chart.sources.oras_reference import chart_reference_error, pull_reference

A64 = "a" * 64


@pytest.mark.parametrize(
    ("url", "problem", "pulled"),
    [
        ("oci://r:5000/charts/x:1.0", None, "oci://r:5000/charts/x:1.0"),
        ("oci://r/x:1.0+b+c", None, "oci://r/x:1.0_b_c"),
        (f"oci://r/x:1@sha256:{A64}", None, "oci://r/x:1"),  # a tag wins over the digest
        (f"oci://r/x@sha256:{A64}", None, f"oci://r/x@sha256:{A64}"),
        ("oci://r/x", None, "oci://r/x"),  # no tag: oras-go refuses it at the fetch
        ("oci://x", "invalid reference: missing registry or repository", None),
        ("oci://r/X:1", 'invalid reference: invalid repository "X"', None),
        ("oci://r/a..b:1", 'invalid reference: invalid repository "a..b"', None),
        ("oci://r/x:-a", 'invalid reference: invalid tag "-a"', None),
        ("oci:///x:1", 'invalid reference: invalid registry ""', None),
        (
            "oci://r/x@sha256:abc",
            'invalid reference: invalid digest "sha256:abc": invalid checksum digest length',
            None,
        ),
        (
            "oci://r/x@md5:abc",
            'invalid reference: invalid digest "md5:abc": unsupported digest algorithm',
            None,
        ),
        (
            "oci://r/x@sha256",
            'invalid reference: invalid digest "sha256": invalid checksum digest format',
            None,
        ),
        (
            f"oci://r/x@sha256:{'A' * 64}",
            f'invalid reference: invalid digest "sha256:{"A" * 64}": invalid checksum digest '
            "format",
            None,
        ),
    ],
)
def test_pull_reference(url: str, problem: str | None, pulled: str | None) -> None:
    got_problem, got_url = pull_reference(url)
    assert got_problem == problem
    if pulled is not None:
        assert got_url == pulled


@pytest.mark.parametrize(
    ("url", "version", "problem"),
    [
        ("oci://r/x:1.0.0", "", None),
        ("oci://r/x:1.0.0", "1.0.0", None),
        ("oci://r/x:1.0+b", "1.0.0", "chart reference and version mismatch: 1.0.0 is not 1.0_b"),
        ("oci://r/x:1", ">0.0.0-0", "chart reference and version mismatch: >0.0.0-0 is not 1"),
        # the tag list that a tag which is not semver leads to parses the reference as written
        ("oci://r/x:1.0.0+b", "", 'invalid reference: invalid tag "1.0.0+b"'),
        (
            "oci://r/x:1@sha256:abc",
            "",
            'invalid reference: invalid digest "sha256:abc": invalid checksum digest length',
        ),
        ("oci://r/x@", "1.0.0", None),
        ("oci://r/X:1", "", 'invalid reference: invalid repository "X"'),
        ("oci://r/x:a%zz", "", None),  # url.Parse fails first, where the URL is parsed
    ],
)
def test_chart_reference_error(url: str, version: str, problem: str | None) -> None:
    assert chart_reference_error(url, version) == problem
