"""Nothing secret reaches the log, even at --log-level=debug: third-party loggers stay at WARNING,
kopf at INFO, and every message is redacted."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from steersman.controller import logs
from steersman.controller.settings import LogFormat

MARKER = "Mk-7f3a9c2e"


@pytest.fixture
def configured() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved_handlers, saved_level = list(root.handlers), root.level
    names = ["kopf", "kopf.objects", *logs.THIRD_PARTY_LOGGERS]
    saved = {n: logging.getLogger(n).level for n in names}
    out = io.StringIO()
    try:
        yield out
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved_handlers:
            root.addHandler(handler)
        root.setLevel(saved_level)
        for n, level in saved.items():
            logging.getLogger(n).setLevel(level)


@pytest.mark.parametrize("fmt", [LogFormat.JSON, LogFormat.TEXT])
def test_debug_level_keeps_third_party_bodies_out(configured: io.StringIO, fmt: LogFormat) -> None:
    logs.configure("debug", fmt, configured)
    logging.getLogger("steersman.controller").debug("decision: install")
    logging.getLogger("kubernetes_asyncio.client.rest").debug("response body: %s", MARKER)
    logging.getLogger("kopf.objects").debug("Resuming is in progress: {'spec': '%s'}", MARKER)
    logging.getLogger("asyncpg.pool").debug("connecting with %s", MARKER)
    # A library lowering its own logger's level cannot opt out: the handler filter holds.
    chatty = logging.getLogger("somelib.internal")
    chatty.setLevel(logging.DEBUG)
    chatty.info("payload %s", MARKER)
    logging.getLogger("kopf.objects").info("Handler 'reconcile' succeeded.")
    logging.getLogger("kubernetes_asyncio.client.rest").warning("apiserver is slow")
    text = configured.getvalue()
    assert MARKER not in text
    assert "decision: install" in text  # our own debug lines are kept
    assert "Handler 'reconcile' succeeded." in text and "apiserver is slow" in text


def test_messages_are_redacted(configured: io.StringIO) -> None:
    logs.configure("info", LogFormat.JSON, configured)
    log = logging.getLogger("steersman.controller")
    log.warning("connecting to postgresql://steersman:%s@127.0.0.1/helm", MARKER)
    log.warning("dsn host=127.0.0.1 password=%s dbname=helm", MARKER)
    log.warning("headers {'Authorization': 'Basic %s'}", MARKER)
    log.warning('body {"password": "%s"}', MARKER)
    text = configured.getvalue()
    assert MARKER not in text
    assert "127.0.0.1/helm" in text and "dbname=helm" in text  # the rest stays readable
