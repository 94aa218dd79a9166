"""uint64 values (semver's Major/Minor/Patch) through Sprig's reflection and cast.ToInt64
conversions; expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from steersman.gotemplate import TemplateSet
from steersman.sprig import sprig_funcs

MAX = '{{ $m := (semver "18446744073709551615.0.0").Major }}'
HALF = '{{ $m := (semver "9223372036854775808.0.0").Major }}'


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{{ $m := (semver "1.2.3").Major }}{{ kindOf $m }} {{ kindIs "uint64" $m }}'
            ' {{ typeIs "uint64" $m }} {{ empty $m }} {{ empty (semver "0.0.1").Major }}',
            "uint64 true true false true",
        ),
        # cast.ToInt64 converts a uint64 with Go's wrap-around.
        (
            MAX + "{{ int64 $m }} {{ int $m }} {{ max $m 1 }} {{ min $m 2 }} {{ add $m 1 }}",
            "-1 -1 1 -1 0",
        ),
        (
            MAX + "{{ float64 $m }} {{ toString $m }} {{ toDecimal $m }}",
            "1.8446744073709552e+19 18446744073709551615 0",
        ),
        (HALF + "{{ int64 $m }} {{ mod $m 10 }}", "-9223372036854775808 -8"),
    ],
)
def test_uint64_matches_helm(template: str, expected: str) -> None:
    ts = TemplateSet(sprig_funcs())
    ts.parse("t", template)
    assert ts.execute("t", {}) == expected
