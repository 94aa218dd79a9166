"""The docker-credential-helpers protocol as oras-go's native store speaks it (texts checked
next to helm in tests/integration/test_template_credential_helpers.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from steersman.chart.sources.credhelper import (
    CredentialHelperError,
    helper_get,
    parse_helper_output,
)
from steersman.chart.sources.model import RegistryCredential


@pytest.mark.parametrize(
    ("out", "want"),
    [
        (b'{"ServerURL":"r","Username":"u","Secret":"s"}', RegistryCredential("u", "s")),
        (b'{"username":"u","SECRET":"s"}\n', RegistryCredential("u", "s")),  # Go's key folding
        (b'{"Username":"<token>","Secret":"rt"}', RegistryCredential(refresh_token="rt")),
        (b"null", RegistryCredential()),
        (b'{"Username":null,"Other":1}', RegistryCredential()),
    ],
)
def test_helper_output(out: bytes, want: RegistryCredential) -> None:
    assert parse_helper_output(out) == want


@pytest.mark.parametrize(
    ("out", "text"),
    [
        (b"", "unexpected end of JSON input"),
        (b"not json", "invalid character 'o' in literal null (expecting 'u')"),
        (b"{} x", "invalid character 'x' after top-level value"),
        (b"[1]", "json: cannot unmarshal array into Go value of type "
         "credentials.dockerCredentials"),
        (b'{"Secret":1}', "json: cannot unmarshal number into Go struct field "
         "dockerCredentials.Secret of type string"),
    ],
)  # fmt: skip
def test_bad_helper_output(out: bytes, text: str) -> None:
    with pytest.raises(CredentialHelperError) as exc:
        parse_helper_output(out)
    assert str(exc.value) == text


def _helper(where: Path, name: str, body: str) -> None:
    script = where / f"docker-credential-{name}"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)


async def test_helper_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    _helper(tmp_path, "echo", 'read a; echo "{\\"Username\\":\\"$1\\",\\"Secret\\":\\"$a\\"}"')
    assert await helper_get("echo", "r.io:5000") == RegistryCredential("get", "r.io:5000")
    _helper(tmp_path, "nf", 'echo "  credentials not found in native keychain  "; exit 1')
    assert await helper_get("nf", "r.io") == RegistryCredential()
    for name, body, text in [
        ("said", "echo locked; exit 2", "locked"),
        ("silent", "exit 2", "exit status 2"),
        ("killed", "kill -9 $$", "signal: killed"),
    ]:
        _helper(tmp_path, name, body)
        with pytest.raises(CredentialHelperError) as exc:
            await helper_get(name, "r.io")
        assert str(exc.value) == text
    (tmp_path / "docker-credential-noexec").write_text("#!/bin/sh\n")
    with pytest.raises(CredentialHelperError) as exc:
        await helper_get("noexec", "r.io")
    assert str(exc.value) == (
        'exec: "docker-credential-noexec": executable file not found in $PATH'
    )
