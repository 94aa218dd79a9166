"""DSN handling without a server: parsing, redaction and error translation."""

import asyncio
import socket

import asyncpg
import pytest

from steersman.storage import StorageConfigError, StorageError, StorageUnavailable
from steersman.storage.sql.sanitize import SqlDsn, sanitised, translate

MARKER = "Pw-unit-7f3a9c"


def test_repr_and_str_hide_the_dsn() -> None:
    dsn = SqlDsn(f"postgresql://app:{MARKER}@db.internal:5432/helm")
    assert MARKER not in repr(dsn) and MARKER not in str(dsn) and MARKER not in f"{dsn}"
    assert dsn.connect_kwargs() == {"dsn": f"postgresql://app:{MARKER}@db.internal:5432/helm"}


def test_keyword_form_like_lib_pq() -> None:
    dsn = SqlDsn(
        f"host=db port=6432 user=app password='{MARKER} x\\'y' dbname=helm sslmode=disable"
        " connect_timeout=3 fallback_application_name=helm"
    )
    assert dsn.connect_kwargs() == {
        "host": "db", "port": 6432, "user": "app", "password": f"{MARKER} x'y",
        "database": "helm", "ssl": "disable", "timeout": 3,
    }  # fmt: skip
    assert dsn.scrub(f"oops {MARKER} x'y here") == "oops *** here"


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "mysql://u:p@h/db",
        f"postgresql://u:{MARKER}@h:notaport/db",
        "host=h port=abc",
        f"host=h password='{MARKER}",
        "just-words",
    ],
)
def test_bad_dsn_is_a_generic_config_error(bad: str) -> None:
    with pytest.raises(StorageConfigError) as err:
        SqlDsn(bad).connect_kwargs()
    assert "invalid SQL connection string" in str(err.value)
    assert MARKER not in str(err.value)


def test_scrub_handles_url_encoded_passwords() -> None:
    dsn = SqlDsn("postgresql://app:p%40ss%2Fword@h/db")
    assert dsn.scrub("x p@ss/word y p%40ss%2Fword") == "x *** y ***"


@pytest.mark.parametrize(
    ("exc", "kind", "text"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), StorageUnavailable,
         "connection refused"),
        (socket.gaierror(-2, "Name or service not known"), StorageUnavailable, "host name"),
        (TimeoutError(), StorageUnavailable, "timed out"),
        (asyncpg.InvalidPasswordError("password authentication failed for user"),
         StorageUnavailable, "authentication failed for the configured user"),
        (asyncpg.ConnectionDoesNotExistError("connection was closed"), StorageUnavailable,
         "connection lost"),
        (ValueError("invalid literal"), StorageConfigError, "invalid SQL connection string"),
    ],
)  # fmt: skip
def test_translation_is_generic(exc: Exception, kind: type, text: str) -> None:
    err = translate(exc)
    assert isinstance(err, kind) and text in str(err)


async def test_sanitised_cuts_the_chain_and_scrubs() -> None:
    class Holder:
        _dsn = SqlDsn(f"postgresql://u:{MARKER}@h/db")

        @sanitised
        async def boom(self) -> None:
            try:
                raise RuntimeError(f"inner {MARKER}")
            except RuntimeError:
                raise asyncpg.PostgresError(f"server said {MARKER}") from None

    with pytest.raises(StorageError) as info:
        await Holder().boom()
    err = info.value
    assert err.__cause__ is None and err.__context__ is None and err.__suppress_context__
    assert MARKER not in str(err) and "server said ***" in str(err)


async def test_cancellation_passes_through_sanitised() -> None:
    @sanitised
    async def slow() -> None:
        await asyncio.sleep(10)

    task = asyncio.ensure_future(slow())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
