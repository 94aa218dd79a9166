"""No error leaving the SQL driver, the pools or the probe carries the DSN or its password.

A throwaway PostgreSQL of this module's own (so stopping it mid-use does not hurt the shared
one) has a role whose password is a unique marker. Failures are forced for real: wrong port,
wrong password, unknown database, server stopped mid-use, bad DSN syntax. The marker must not
appear in the message, repr, args, chained causes, formatted traceback or any captured output.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import tempfile
import traceback
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from hack.testenv import Postgres
from hack.testenv.parts import free_port
from hack.testkit.storage_samples import make_release
from steersman.storage import Storage, StorageConfigError, StorageError, StorageUnavailable
from steersman.storage.sql import SqlDriver, SqlDsn, SqlPools, probe

if TYPE_CHECKING:
    from hack.testenv import TestBench

pytestmark = pytest.mark.integration

MARKER = f"Mk{secrets.token_hex(8)}"
WRONG = f"Wr{secrets.token_hex(8)}"


@pytest.fixture(scope="module")
def own_pg(bench: TestBench) -> Iterator[Postgres]:
    if bench.binaries.pg_bin is None:
        raise RuntimeError("these tests need a local PostgreSQL installation")
    root = Path(tempfile.mkdtemp(prefix="steersman-sanitise-"))
    os.chmod(root, 0o755)
    pg = Postgres(bench.binaries.pg_bin, root / "pg")
    pg.start()
    try:
        psql = [str(bench.binaries.pg_bin / "psql"), "-h", "127.0.0.1", "-p", str(pg.port),
                "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-q"]  # fmt: skip
        subprocess.run([*psql, "-c", f"CREATE ROLE app LOGIN PASSWORD '{MARKER}'"], check=True)
        subprocess.run([*psql, "-c", "CREATE DATABASE helmdb OWNER app"], check=True)
        yield pg
    finally:
        pg.stop()
        shutil.rmtree(root, ignore_errors=True)


def dsn_for(pg: Postgres, *, password: str = MARKER, port: int | None = None,
            db: str = "helmdb") -> str:  # fmt: skip
    return f"postgresql://app:{password}@127.0.0.1:{port or pg.port}/{db}"


def chain_text(err: BaseException) -> str:
    """Everything a log or a debugger could show about `err` and what it was raised from."""
    parts, seen = [], set()
    node: BaseException | None = err
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        parts += [str(node), repr(node), repr(node.args)]
        parts += traceback.format_exception(node)
        node = node.__cause__ or node.__context__
    return "\n".join(parts)


async def assert_clean_failure(
    action: Callable[[], Awaitable[object]],
    expected: type[StorageError],
    words: str,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> StorageError:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(StorageError) as info:
        await action()
    err = info.value
    assert isinstance(err, expected), repr(err)
    assert words in str(err)
    assert err.__cause__ is None and err.__context__ is None
    text = chain_text(err)
    out = capsys.readouterr()
    for secret in (MARKER, WRONG):
        assert secret not in text
        assert secret not in caplog.text
        assert secret not in out.out and secret not in out.err
    return err


async def test_wrong_port(own_pg: Postgres, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    dsn = SqlDsn(dsn_for(own_pg, port=free_port()))
    await assert_clean_failure(
        lambda: probe(dsn, 3),
        StorageUnavailable,
        "SQL storage unreachable: connection refused",
        caplog,
        capsys,
    )
    pools = SqlPools(dsn, connect_timeout=3)
    try:
        await assert_clean_failure(
            lambda: Storage(SqlDriver(pools, "ns")).history("web"),
            StorageUnavailable,
            "connection refused",
            caplog,
            capsys,
        )
    finally:
        await pools.close()


async def test_wrong_password(own_pg: Postgres, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    dsn = SqlDsn(dsn_for(own_pg, password=WRONG))
    await assert_clean_failure(
        lambda: probe(dsn, 5),
        StorageUnavailable,
        "authentication failed for the configured user",
        caplog,
        capsys,
    )
    pools = SqlPools(dsn)
    try:
        await assert_clean_failure(
            lambda: Storage(SqlDriver(pools, "ns")).create(make_release("w", 1, "deployed", "ns")),
            StorageUnavailable,
            "authentication failed",
            caplog,
            capsys,
        )
    finally:
        await pools.close()


async def test_unknown_database(own_pg: Postgres, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    dsn = SqlDsn(dsn_for(own_pg, db="nosuchdb"))
    await assert_clean_failure(
        lambda: probe(dsn, 5), StorageUnavailable, "database does not exist", caplog, capsys
    )


@pytest.mark.parametrize(
    "bad",
    [
        f"postgresql://app:{MARKER}@127.0.0.1:notaport/helmdb",
        f"mysql://app:{MARKER}@127.0.0.1/helmdb",
        f"host=127.0.0.1 password='{MARKER}",
        f"postgresql://app:{MARKER}@127.0.0.1/helmdb?sslmode=bogus",
    ],
)
async def test_bad_dsn_syntax(bad: str, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    await assert_clean_failure(
        lambda: probe(SqlDsn(bad), 3),
        StorageConfigError,
        "invalid SQL connection string",
        caplog,
        capsys,
    )
    pools = SqlPools(SqlDsn(bad))
    try:
        await assert_clean_failure(
            lambda: Storage(SqlDriver(pools, "ns")).history("web"),
            StorageConfigError,
            "invalid SQL connection string",
            caplog,
            capsys,
        )
    finally:
        await pools.close()


async def test_server_stopped_mid_use(own_pg: Postgres, caplog, capsys) -> None:  # type: ignore[no-untyped-def]
    dsn = SqlDsn(dsn_for(own_pg))
    await probe(dsn, 5)
    pools = SqlPools(dsn, connect_timeout=3)
    storage = Storage(SqlDriver(pools, "ns"))
    try:
        await storage.create(make_release("web", 1, "deployed", "ns"))
        assert (await storage.last("web")).version == 1
        own_pg.stop()
        try:
            err = await assert_clean_failure(
                lambda: storage.last("web"),
                StorageUnavailable,
                "SQL storage unreachable",
                caplog,
                capsys,
            )
            # Both the dropped pooled connection and a fresh connect attempt are covered.
            again = await assert_clean_failure(
                lambda: storage.last("web"),
                StorageUnavailable,
                "SQL storage unreachable",
                caplog,
                capsys,
            )
            assert {str(err), str(again)} <= {
                "SQL storage unreachable: connection lost",
                "SQL storage unreachable: connection refused",
            }
            await assert_clean_failure(
                lambda: probe(dsn, 3), StorageUnavailable, "connection refused", caplog, capsys
            )
        finally:
            own_pg.start()
        # The same pools recover once the server is back.
        assert (await storage.last("web")).version == 1
    finally:
        await pools.close()


def test_reprs_hide_the_dsn(own_pg: Postgres) -> None:
    dsn = SqlDsn(dsn_for(own_pg))
    pools = SqlPools(dsn)
    for thing in (dsn, pools, SqlDriver(pools, "ns")):
        assert MARKER not in repr(thing) and MARKER not in str(thing)
