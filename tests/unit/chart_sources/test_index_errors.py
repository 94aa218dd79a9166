"""helm's loadIndex errors (chart/sources/index_errors.py), pinned without a server; the texts
were read from helm v4.1.4, which tests/integration/test_template_remote.py runs next to us."""

from __future__ import annotations

import pytest

from steersman.chart.sources.errors import SourceUnavailable
from steersman.chart.sources.index_errors import index_error, load_index_file

_STRICT = "error unmarshaling JSON: while decoding JSON: json: "


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "empty index.yaml file"),
        ("  \n", "no API version specified"),
        ("APIVERSION: v1\nentries: {}\n", None),  # encoding/json matches names in any case
        ("apiVersion: v1\nentries: {}\n'::': 1\n", _STRICT + 'unknown field "::"'),
        # sorted key order: apiVersion's number becomes a string (sigs.k8s.io/yaml), entries
        # is decoded before the unknown `zzz`
        (
            "apiVersion: 1\nzzz: 1\nentries: {a: [{version: [1]}]}\n",
            _STRICT + "cannot unmarshal array into Go struct field "
            "ChartVersion.entries.Metadata.version of type string",
        ),
        (
            "apiVersion: 1\nentries:\n  a:\n  - version: 1.0\n",
            _STRICT + "cannot unmarshal number into Go struct field "
            "ChartVersion.entries.Metadata.version of type string",
        ),
        ("apiVersion: v1\nentries:\n  a:\n  - digest: 12\n    urls: [1]\n", None),
        (
            "apiVersion: v1\nentries:\n  a:\n  - maintainers:\n    - name: 5\n",
            _STRICT + "cannot unmarshal number into Go struct field "
            "Maintainer.entries.Metadata.maintainers.name of type string",
        ),
        (
            "apiVersion: v1\napiVersion: v1\nentries: {}\n",
            "error converting YAML to JSON: yaml: unmarshal errors:\n"
            '  line 2: key "apiVersion" already set in map',
        ),
        ('{"apiVersion": "v1", "entries": {}, "bogus": 2}', None),  # JSON: not strict
        (
            '{"apiVersion": 1}',
            "json: cannot unmarshal number into Go struct field IndexFile.apiVersion of type "
            "string",
        ),
        (
            "apiVersion: v1\ngenerated: 5\n",
            "error unmarshaling JSON: while decoding JSON: Time.UnmarshalJSON: input is not a "
            "JSON string",
        ),
    ],
)
def test_index_errors_are_helms(text: str, error: str | None) -> None:
    got = index_error(text.encode())
    if error is None:
        assert got is None
    else:
        assert got == error


def test_a_cached_index_names_its_file() -> None:
    with pytest.raises(SourceUnavailable) as failed:
        load_index_file(b"entries: {}\n", "/cache/r-index.yaml")
    assert str(failed.value) == "error loading /cache/r-index.yaml: no API version specified"
    index = load_index_file(b"apiVersion: v1\nentries:\n  a:\n  - {name: a, version: 1.0.0}\n", "p")
    assert index.versions("a") == ["1.0.0"]
