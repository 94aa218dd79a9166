"""Structured operator logs: one JSON object per line (or readable text), with the HelmRelease's
`namespace` and `release` as fields when a line is about one.

Our own lines carry them as `extra` (see `context.release_logger`); kopf's per-object lines
carry a `k8s_ref`, which is mapped to the same fields.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any

from steersman.controller.settings import LogFormat

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}
LEVELS["error"] = logging.ERROR


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
            "message": record.getMessage(),
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
        line = f"{when}Z {record.levelname:<7} {record.name}{where}: {record.getMessage()}"
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
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(LEVELS[level])
    # kopf is chatty at debug/info about its own machinery; keep it a notch quieter.
    logging.getLogger("kopf").setLevel(max(LEVELS[level], logging.INFO))
    # "Handler succeeded" for every watch event is noise; failures are still warnings.
    quiet = logging.DEBUG if level == "debug" else logging.WARNING
    logging.getLogger("kopf.objects").setLevel(quiet)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
