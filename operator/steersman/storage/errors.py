"""Typed storage errors. Messages never carry connection strings or passwords."""

from __future__ import annotations

from steersman.errors import SteersmanError


class StorageError(SteersmanError):
    """Base of every error the storage layer raises."""


class ReleaseNotFound(StorageError):
    """No record matched (helm's `release: not found`)."""

    def __init__(self, message: str = "release: not found") -> None:
        super().__init__(message)


class ReleaseExists(StorageError):
    """A record with this key already exists (helm's `release: already exists`)."""

    def __init__(self, message: str = "release: already exists") -> None:
        super().__init__(message)


class StorageUnavailable(StorageError):
    """The backend could not be reached or refused the operation; usually worth retrying."""


class RecordTooLarge(StorageError):
    """The encoded record does not fit the backend (the 1 MiB Kubernetes object limit)."""

    def __init__(self, name: str, version: int, size: int, limit: int, kind: str) -> None:
        self.release = name
        self.version = version
        self.size = size
        self.limit = limit
        self.kind = kind
        super().__init__(
            f"release {name!r} revision {version} is {size} bytes encoded, over the {limit}-byte "
            f"limit of a Kubernetes {kind}; nothing was written. Store large releases with "
            "--helm-storage-driver=sql"
        )


class InvalidRecord(StorageError):
    """A stored record cannot be decoded, or a release cannot be encoded."""


class CorruptRecord(InvalidRecord):
    """A record labelled as a revision of a release cannot be decoded. Reading that release's
    history raises this instead of skipping it (as `helm list` does): a skipped newest revision
    would make the next action reuse its number and fail with `release: already exists`."""


class StorageConfigError(StorageError, ValueError):
    """Bad storage configuration (unknown driver name, missing SQL connection string...)."""


class SealedRecordError(StorageError):
    """An encrypted record cannot be opened: no keys, an unknown key id, the wrong key, or a body
    altered or moved to another record. Never skipped like an undecodable record: nothing is
    changed until the keys are fixed."""
