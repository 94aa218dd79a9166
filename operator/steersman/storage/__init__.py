"""Helm-compatible release records and their storage drivers.

Records are helm's release v1 JSON, stored as base64(gzip(json)) exactly where helm keeps them,
so the helm CLI (v3 and v4) reads what Steersman writes and the other way round.
"""

from steersman.golang.gotime import GoTime
from steersman.storage.chart_record import StoredChart, StoredFile
from steersman.storage.codec import decode_release, encode_release, record_key
from steersman.storage.driver import Driver, ReleaseFilter, Releases
from steersman.storage.errors import (
    CorruptRecord,
    InvalidRecord,
    RecordTooLarge,
    ReleaseExists,
    ReleaseNotFound,
    StorageConfigError,
    StorageError,
    StorageUnavailable,
)
from steersman.storage.memory import MemoryStore
from steersman.storage.record import (
    Hook,
    HookExecution,
    Info,
    Release,
    Status,
    is_pending,
)
from steersman.storage.record_keys import load_codec
from steersman.storage.sealing import PLAIN, RecordCodec
from steersman.storage.selection import (
    DriverKind,
    StorageBackend,
    load_sql_dsn,
    normalize_driver_name,
    select_driver,
)
from steersman.storage.storage import Storage

__all__ = [
    "PLAIN",
    "CorruptRecord",
    "Driver",
    "DriverKind",
    "GoTime",
    "Hook",
    "HookExecution",
    "Info",
    "InvalidRecord",
    "MemoryStore",
    "RecordCodec",
    "RecordTooLarge",
    "Release",
    "ReleaseExists",
    "ReleaseFilter",
    "ReleaseNotFound",
    "Releases",
    "Status",
    "Storage",
    "StorageBackend",
    "StorageConfigError",
    "StorageError",
    "StorageUnavailable",
    "StoredChart",
    "StoredFile",
    "decode_release",
    "encode_release",
    "is_pending",
    "load_codec",
    "load_sql_dsn",
    "normalize_driver_name",
    "record_key",
    "select_driver",
]
