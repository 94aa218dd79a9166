"""Docker credential helpers (`docker-credential-<name> get`), as oras-go's native store runs
them: the server address on stdin, `{"ServerURL","Username","Secret"}` on stdout, the helper's
stderr passed through to ours. Error texts are the ones oras-go returns (helm prints them)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
from typing import Any

from steersman.golang.jsonout import json_kind
from steersman.golang.jsonscan import syntax_error

from .errors import AuthFailed
from .model import RegistryCredential

PREFIX = "docker-credential-"
# A helper's answer for a host it has nothing for: oras-go treats it as no credential.
_NOT_FOUND = "credentials not found in native keychain"
_TOKEN_USERNAME = "<token>"  # the Secret is then an identity (refresh) token
_MAX_OUTPUT = 1 << 20
HELPER_TIMEOUT = 60.0  # oras-go has none; a hung helper must not hang a pull forever


class CredentialHelperError(AuthFailed):
    """A credential helper could not be run or gave no usable answer; the text is oras-go's
    (the helper's own message, never the secret it printed)."""


def on_path(name: str) -> bool:
    """Whether `docker-credential-<name>` is an executable on PATH (Go's exec.LookPath)."""
    return shutil.which(PREFIX + name, path=os.environ.get("PATH", "")) is not None


async def helper_get(name: str, server: str) -> RegistryCredential:
    """The credential helper `name` holds for `server`; an empty one when it has none."""
    program = PREFIX + name
    path = shutil.which(program, path=os.environ.get("PATH", ""))
    if path is None:
        raise CredentialHelperError(f'exec: "{program}": executable file not found in $PATH')
    sys.stderr.flush()  # the helper writes to our stderr directly, after what we wrote
    try:
        proc = await asyncio.create_subprocess_exec(
            path,
            "get",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=None,
        )
    except OSError as exc:
        raise CredentialHelperError(f"fork/exec {path}: {exc.strerror}") from None
    try:
        async with asyncio.timeout(HELPER_TIMEOUT):
            out, _ = await proc.communicate(server.encode())
    except TimeoutError:
        proc.kill()
        await proc.wait()
        late = f"{program} get: no answer within {HELPER_TIMEOUT:g}s"
        raise CredentialHelperError(late) from None
    if proc.returncode != 0:
        message = out[:_MAX_OUTPUT].strip().decode("utf-8", "replace")
        if message == _NOT_FOUND:
            return RegistryCredential()
        raise CredentialHelperError(message or _exit_text(proc.returncode or 0))
    return parse_helper_output(out)


def _exit_text(returncode: int) -> str:
    """Go's ExitError text: `exit status N`, or `signal: <name>` for a killed helper."""
    if returncode >= 0:
        return f"exit status {returncode}"
    names = {9: "killed", 15: "terminated", 2: "interrupt", 6: "aborted", 11: "segmentation fault"}
    return f"signal: {names.get(-returncode, f'signal {-returncode}')}"


_FIELDS = ("ServerURL", "Username", "Secret")


def parse_helper_output(out: bytes) -> RegistryCredential:
    """json.Unmarshal of the helper's stdout into oras-go's dockerCredentials struct."""
    problem = syntax_error(out)
    if problem is not None:
        raise CredentialHelperError(problem)
    doc: Any = json.loads(out.decode("utf-8", "surrogateescape"))
    if doc is None:
        return RegistryCredential()
    if not isinstance(doc, dict):
        raise CredentialHelperError(
            f"json: cannot unmarshal {json_kind(doc)} into Go value of type "
            "credentials.dockerCredentials"
        )
    got: dict[str, str] = {}
    for key, value in doc.items():
        # encoding/json matches field names case-insensitively; the last one written wins
        field = next((f for f in _FIELDS if f.lower() == key.lower()), None)
        if field is None or value is None:
            continue
        if not isinstance(value, str):
            raise CredentialHelperError(
                f"json: cannot unmarshal {json_kind(value)} into Go struct field "
                f"dockerCredentials.{field} of type string"
            )
        got[field] = value
    username, secret = got.get("Username", ""), got.get("Secret", "")
    if username == _TOKEN_USERNAME:
        return RegistryCredential(refresh_token=secret)
    return RegistryCredential(username=username, password=secret)
