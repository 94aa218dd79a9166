"""Structured operator logs: one JSON object per line (or readable text), with the HelmRelease's
`namespace` and `release` as fields when a line is about one.

Our own lines carry them as `extra` (see `context.release_logger`); kopf's per-object lines
carry a `k8s_ref`, which is mapped to the same fields.

No secret reaches the log at any level, `--log-level=debug` included:
- `--log-level` applies to our own loggers only. Third-party libraries stay at WARNING or above
  whatever the level: kubernetes_asyncio logs every response body at debug (Secrets, release
  records, valuesFrom content), aiohttp and asyncpg are no better placed to know what is secret;
- kopf stays at INFO or above: its debug lines print whole object bodies, diffs and patches, and
  a HelmRelease's inline `spec.values` may hold credentials;
- a filter on the one handler enforces both rules for every logger (a library that sets its own
  level cannot opt out), and every message passes through `redact`, which removes URL userinfo,
  `Authorization` values, bearer tokens and `password=` / `"password": ...` fields.
"""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from steersman.controller.settings import LogFormat

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
LEVELS["error"] = logging.ERROR

OWN_LOGGERS = ("steersman",)
KOPF_FLOOR = logging.INFO
THIRD_PARTY_FLOOR = logging.WARNING
THIRD_PARTY_LOGGERS = ("kubernetes_asyncio", "aiohttp", "asyncpg", "urllib3", "asyncio")

_SECRET_PATTERNS = [
    (re.compile(r"(?<=://)[^/@\s'\"]+@"), "***@"),  # scheme://user:password@host
    (re.compile(r"(?i)\b(authorization['\"]?\s*[:=]\s*['\"]?)[^'\",}\n]+"), r"\1***"),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 ***"),
    (re.compile(r"(?i)\b(pass(?:word)?|passwd|pwd|secret|token)(\s*=\s*)[^\s&;,'\"]+"), r"\1\2***"),
    (
        re.compile(r"(?i)(['\"](?:pass(?:word)?|passwd|token|secret)['\"]\s*:\s*['\"])[^'\"]*"),
        r"\1***",
    ),
]


def redact(text: str) -> str:
    """Remove the shapes secrets take in messages; a last line of defence, not a licence to log
    secret-bearing objects (nothing of ours does)."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _floor(name: str) -> int:
    """The lowest level a logger's records may have to be written at all."""
    if any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS):
        return logging.NOTSET
    if name == "kopf" or name.startswith("kopf."):
        return KOPF_FLOOR
    return THIRD_PARTY_FLOOR


class SecretGuard(logging.Filter):
    """Drops third-party records below their floor (see the module docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= _floor(record.name)


def _fields(record: logging.LogRecord) -> dict[str, Any]:
    namespace = getattr(record, "namespace", None)
    release = getattr(record, "release", None)
    ref = getattr(record, "k8s_ref", None)
    if isinstance(ref, dict) and release is None:
        namespace, release = ref.get("namespace"), ref.get("name")
    out: dict[str, Any] = {}
    if namespace:
        out["namespace"] = namespace
    if release:
        out["release"] = release
    return out


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            **_fields(record),
            "message": redact(record.getMessage()),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3]
        fields = _fields(record)
        where = (
            f" [{fields.get('namespace', '')}/{fields['release']}]" if "release" in fields else ""
        )
        message = redact(record.getMessage())
        line = f"{when}Z {record.levelname:<7} {record.name}{where}: {message}"
        if record.exc_info and record.exc_info[0] is not None:
            line += f" ({record.exc_info[0].__name__})"
        return line


def configure(level: str, fmt: LogFormat, stream: Any = None) -> None:
    """Route every logger (ours and kopf's) to one handler on stderr.

    Tracebacks are never printed: only the exception's type is, since exception texts from
    third-party libraries are not guaranteed to be free of secrets.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter() if fmt is LogFormat.JSON else TextFormatter())
    handler.addFilter(SecretGuard())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS[level])
    # kopf's debug lines carry object bodies (see above); its info lines are machinery.
    logging.getLogger("kopf").setLevel(max(LEVELS[level], KOPF_FLOOR))
    # "Handler succeeded" for every watch event is noise; failures are still warnings.
    quiet = KOPF_FLOOR if level == "debug" else logging.WARNING
    logging.getLogger("kopf.objects").setLevel(quiet)
    for name in THIRD_PARTY_LOGGERS:
        logging.getLogger(name).setLevel(max(LEVELS[level], THIRD_PARTY_FLOOR))
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
