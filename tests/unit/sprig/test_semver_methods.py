"""Methods of *semver.Version and semver.Version (Masterminds/semver v3.4.0, linked by Helm v4):
the value type lacks the pointer-receiver methods; Scan/Unmarshal* change the pointed-to
version. Expected texts are real helm v4.1.4 renders."""

from __future__ import annotations

import pytest

from hack.testkit.templates import render
from steersman.gotemplate import TemplateError


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        (
            '{{ $v := semver "1.2.3-rc.1+m" }}{{ $v.SetPrerelease "x" }} {{ $v.SetMetadata "y.z" }}'
            " {{ $v.LessThanEqual $v }} {{ $v.GreaterThanEqual $v }}",
            "1.2.3-x+m 1.2.3-rc.1+y.z true true",
        ),
        (
            '{{ (semver "1.2.3").MarshalText | toString }} {{ (semver "1.2.3").MarshalJSON'
            " | toString }}",
            '1.2.3 "1.2.3"',
        ),
        (
            '{{ (semver "1.2.3").Value | typeOf }} {{ (semver "1.2.3").MarshalText | typeOf }}',
            "string []uint8",
        ),
        (
            '{{ (semver "1.2.3").IncMajor.MarshalJSON | toString }} '
            '{{ (semver "1.2.3").IncMajor.Value }}',
            '"2.0.0" 2.0.0',
        ),
        # Scan reads a string (anything else as ""), changing $v only when it parses. (A nil
        # error result prints <nil> in Go but <no value> in our engine, so it is not printed.)
        ('{{ $v := semver "1.2.3" }}{{ $_ := $v.Scan "2.0.0" }}{{ $v }}', "2.0.0"),
        (
            '{{ $v := semver "1.2.3" }}{{ $v.Scan 5 }}|{{ $v }}|{{ $v.Scan 5 | typeOf }}',
            "invalid semantic version|1.2.3|*errors.errorString",
        ),
        (
            '{{ $v := semver "1.2.3" }}{{ if $v.Scan "1.0" }}err{{ else }}ok{{ end }}{{ $v }}',
            "ok1.0.0",
        ),
        (
            '{{ $v := semver "1.2.3" }}{{ $_ := $v.UnmarshalJSON ((semver "v4.5").MarshalJSON) }}'
            "{{ $v }}|{{ $v.Original }}",
            "4.5.0|4.5.0",
        ),
        (
            '{{ $v := semver "1.2.3" }}{{ $v.UnmarshalJSON ((semver "v4.5").MarshalText) }}'
            '|{{ $v }}|{{ $v.UnmarshalJSON ((semver "v4.5").MarshalText) | typeOf }}',
            "invalid character '.' after top-level value|1.2.3|*json.SyntaxError",
        ),
        (
            '{{ $v := semver "1.2.3" }}{{ $_ := $v.UnmarshalText ((semver "v4.5").MarshalText) }}'
            "{{ $v }}|{{ $v.Original }}",
            "4.5.0|4.5.0",
        ),
        (
            '{{ $v := semver "1.2.3" }}{{ $v.UnmarshalText ((semver "v4.5").MarshalJSON) }}'
            "|{{ $v }}",
            "invalid semantic version|1.2.3",
        ),
    ],
)
def test_methods_match_helm(template: str, expected: str) -> None:
    assert render(template) == expected


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            '{{ (semver "1.2.3").SetMetadata "a..b" }}',
            "error calling SetMetadata: invalid metadata string",
        ),
        (
            '{{ (semver "1.2.3").SetPrerelease "a b" }}',
            "error calling SetPrerelease: invalid prerelease string",
        ),
        (
            '{{ (semver "1.2.3").SetPrerelease "01" }}',
            "error calling SetPrerelease: version segment starts with 0",
        ),
        # A semver.Version value has no pointer-receiver methods.
        (
            '{{ (semver "v1.2.3-a").IncMajor.Original }}',
            "can't evaluate field Original in type semver.Version",
        ),
        (
            '{{ (semver "1.2.3").IncMajor.Compare (semver "1.0.0") }}',
            "can't evaluate field Compare in type semver.Version",
        ),
        (
            '{{ $v := semver "1.2.3" }}{{ $v.UnmarshalJSON "3" }}',
            'can\'t handle "3" for arg of type []uint8',
        ),
    ],
)
def test_method_errors_match_helm(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as err:
        render(template)
    assert str(err.value).endswith(message)


def test_deep_copy_of_a_version_is_zero_like_copystructure() -> None:
    # copystructure copies exported fields only, and semver.Version has none.
    assert (
        render(
            '{{ deepCopy (semver "1.2.3") | typeOf }}'
            ' {{ (deepCopy (semver "v1.2.3-a+b")).Original }}'
            '|{{ (deepCopy (semver "1.2.3")).Major }} {{ deepCopy (list (semver "1.2.3")) }}'
            ' {{ deepCopy ((semver "1.2.3").IncMajor) | typeOf }}'
        )
        == "*semver.Version |0 [0.0.0] semver.Version"
    )
