"""The registry config file check helm v4 runs while building its root command: oras-go's
credentials file store decodes --registry-config with a json.Decoder (so the first JSON value
counts, trailing bytes do not) into a map, then its `auths` into another. A failure there ends
helm before any flag is validated, logged as slog's `command failed` warning."""

from __future__ import annotations

import json
from collections.abc import Sequence

from steersman.golang.jsonout import json_kind
from steersman.golang.jsonscan import value_end

_MAP = "map[string]json.RawMessage"


def _decoder_error(data: bytes) -> tuple[object, str | None]:
    """json.NewDecoder(data).Decode(&m) for m a map: (first value, Go's error text or None)."""
    if not data.strip(b" \t\r\n"):
        return None, "EOF"
    try:
        end = value_end(data, 0)
    except ValueError as exc:
        # Go's decoder reads a value to its end first: one the input stops inside of is
        # io.ErrUnexpectedEOF; only a bad byte inside the input gets the scanner's text.
        probes = set()
        for tail in (b"\x00", b"\x01"):
            try:
                value_end(data + tail, 0)
                probes.add("")
            except ValueError as more:
                probes.add(str(more))
        return None, str(exc) if probes == {str(exc)} else "unexpected EOF"
    value = json.loads(data[:end].decode("utf-8", "surrogateescape"))
    return value, _map_error(value)


def _map_error(value: object, go_type: str = _MAP) -> str | None:
    if value is None or isinstance(value, dict):
        return None
    return f"json: cannot unmarshal {json_kind(value)} into Go value of type {go_type}"


def registry_config_error(path: str) -> str | None:
    """The error text helm v4 fails with for the registry config file at `path`, or None
    (a missing file is an empty store; an unreadable one is left to the credential lookup)."""
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        return None
    doc, problem = _decoder_error(data)
    if problem is not None:
        return f"failed to decode config file at {path}: invalid config format: {problem}"
    return _fields_error(doc)


def _fields_error(doc: object) -> str | None:
    """oras-go's config.Load after the decode: credsStore a string, credHelpers a map of
    strings, auths a map (in that order)."""
    fields = doc if isinstance(doc, dict) else {}
    store = fields.get("credsStore")
    if store is not None and not isinstance(store, str):
        return (
            "failed to unmarshal creds store field: invalid config format: "
            f"json: cannot unmarshal {json_kind(store)} into Go value of type string"
        )
    helpers = fields.get("credHelpers")
    problem = _map_error(helpers, "map[string]string")
    if problem is None and isinstance(helpers, dict):
        wrong = next(
            (v for v in helpers.values() if v is not None and not isinstance(v, str)), None
        )
        if wrong is not None:
            problem = f"json: cannot unmarshal {json_kind(wrong)} into Go value of type string"
    if problem is not None:
        return f"failed to unmarshal cred helpers field: invalid config format: {problem}"
    problem = _map_error(fields.get("auths"))
    if problem is not None:
        return f"failed to unmarshal auths field: invalid config format: {problem}"
    return None


def document_error(data: bytes) -> str | None:
    """For a store's first JSON value (first_value's bytes): what oras-go's config.Load
    refuses in its fields, or None."""
    return _fields_error(json.loads(data))


def first_value(data: bytes) -> bytes | None:
    """The document oras reads from a store's bytes (its first JSON value), None if broken."""
    doc, problem = _decoder_error(data)
    return None if problem is not None else json.dumps(doc).encode()


def registry_config_flag(argv: Sequence[str], default: str) -> str:
    """--registry-config as helm's early, error-tolerant flag parse sees it (the last one)."""
    value = default
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--registry-config" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--registry-config="):
            value = arg.partition("=")[2]
    return value
