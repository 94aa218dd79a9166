"""Helm's log lines (log/slog's text handler: `level=WARN msg="..." key=value`).

Chart code logs through Python logging as usual and tags a record with what Helm would print
(`extra={HELM_SLOG: (level, msg, attrs)}`); `steersman template` prints those lines on stderr
as helm does, the operator's own log formatting ignores the tag.
"""

from __future__ import annotations

import logging
from typing import Any

from steersman.golang.fmt import go_quote, go_sprintf

HELM_SLOG = "helm_slog"


def warn(logger: logging.Logger, msg: str, *attrs: tuple[str, str]) -> None:
    """slog.Warn(msg, key, value, ...)."""
    text = " ".join([msg, *(f"{k}={v}" for k, v in attrs)])
    logger.warning("%s", text, extra={HELM_SLOG: ("WARN", msg, tuple(attrs))})


class Quoted(str):
    """An attribute value slog always quotes (a []byte: strconv.Quote of its text)."""


def debug(logger: logging.Logger, msg: str, *attrs: tuple[str, str]) -> None:
    """slog.Debug(msg, key, value, ...): printed by `steersman template --debug` only."""
    if logger.isEnabledFor(logging.DEBUG):
        text = " ".join([msg, *(f"{k}={v}" for k, v in attrs)])
        logger.debug("%s", text, extra={HELM_SLOG: ("DEBUG", msg, tuple(attrs))})


def info(logger: logging.Logger, msg: str, *attrs: tuple[str, str]) -> None:
    """slog.Info(msg, key, value, ...) (logged at Python's DEBUG: routine for the operator)."""
    text = " ".join([msg, *(f"{k}={v}" for k, v in attrs)])
    logger.debug("%s", text, extra={HELM_SLOG: ("INFO", msg, tuple(attrs))})


def error(logger: logging.Logger, msg: str, *attrs: tuple[str, str]) -> None:
    """slog.Error(msg, key, value, ...)."""
    text = " ".join([msg, *(f"{k}={v}" for k, v in attrs)])
    logger.error("%s", text, extra={HELM_SLOG: ("ERROR", msg, tuple(attrs))})


def printf(logger: logging.Logger, fmt: str, *args: Any) -> None:
    """log.Printf(fmt, args...): Helm v4 routes the log package through slog at INFO."""
    text = go_sprintf(fmt, *args)
    logger.warning("%s", text, extra={HELM_SLOG: ("INFO", text, ())})


def slog_value(s: str) -> str:
    """slog's TextHandler: a string quoted (strconv.Quote) when it needs to be."""
    if s == "" or any(
        c in ' ="' or ord(c) < 0x20 or (ord(c) >= 0x80 and (c.isspace() or not c.isprintable()))
        for c in s
    ):
        return go_quote(s)
    return s


def slog_line(record: logging.LogRecord) -> str:
    tag = getattr(record, HELM_SLOG, None)
    attrs: tuple[tuple[str, str], ...] = ()
    if tag is None:
        level = {"WARNING": "WARN"}.get(record.levelname, record.levelname)
        msg = record.getMessage()
    else:
        level, msg, attrs = tag
    parts = [f"level={level}", f"msg={slog_value(msg)}"]
    parts.extend(f"{k}={go_quote(v) if isinstance(v, Quoted) else slog_value(v)}" for k, v in attrs)
    return " ".join(parts)


class SlogCollector(logging.Handler):
    """Collects chart log records as helm's stderr lines."""

    def __init__(self, debug: bool = False) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.debug = debug  # helm's --debug: slog's level is DEBUG, else INFO

    def emit(self, record: logging.LogRecord) -> None:
        tag = getattr(record, HELM_SLOG, None)
        if tag is not None and tag[0] == "DEBUG" and not self.debug:
            return
        self.lines.append(slog_line(record) + "\n")
