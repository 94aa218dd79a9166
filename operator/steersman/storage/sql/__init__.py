"""The SQL (PostgreSQL) storage driver, its connection pools and DSN handling."""

from steersman.storage.sql.driver import SqlDriver
from steersman.storage.sql.pools import SqlPools, probe
from steersman.storage.sql.sanitize import SqlDsn

__all__ = ["SqlDriver", "SqlDsn", "SqlPools", "probe"]
