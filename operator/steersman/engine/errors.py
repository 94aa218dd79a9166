"""Typed errors of the release actions, with Helm's texts (`pkg/action`), so a message read in
a condition or event says what `helm` would have said."""

from __future__ import annotations

from steersman.errors import SteersmanError
from steersman.kube import KubeError
from steersman.storage import Release


class EngineError(SteersmanError):
    """Base class of every error an action raises on purpose (rendering and waiting too)."""


class InvalidReleaseName(EngineError):
    pass


class NameInUse(EngineError):
    def __init__(self) -> None:
        super().__init__("cannot reuse a name that is still in use")


class ReleaseLocked(EngineError):
    """The newest revision is `pending-*`: another operation is (or was, if it died) running.
    `unlock` turns a stale one into `failed`."""

    def __init__(self, release: Release | None = None) -> None:
        self.release = release
        super().__init__("another operation (install/upgrade/rollback) is in progress")


class NoDeployedReleases(EngineError):
    def __init__(self, name: str) -> None:
        super().__init__(f'"{name}" has no deployed releases')


class InvalidRevision(EngineError):
    def __init__(self, message: str = "invalid release revision") -> None:
        super().__init__(message)


class AlreadyDeleted(EngineError):
    def __init__(self, name: str) -> None:
        super().__init__(f'the release named "{name}" is already deleted')


class OwnershipConflict(EngineError):
    """An object the chart wants already exists and belongs to someone else."""


class NamespaceNotAllowed(EngineError):
    """The chart puts an object in a namespace this release may not touch (a HelmRelease acting
    with the operator's own rights stays in its own namespace)."""


class ManifestInvalid(EngineError):
    """A manifest document cannot be turned into an object (bad YAML, no kind or name)."""


class HookFailed(EngineError):
    pass


class DeletionTimeout(EngineError):
    """Deleted objects were still there when the timeout ran out."""


class ActionFailed(EngineError):
    """The action stored a `failed` record (or could not finish one); `release` is that record
    and `__cause__` the underlying error."""

    def __init__(self, message: str, release: Release | None) -> None:
        self.release = release
        super().__init__(message)


# What a failed action raises, and what makes an action record `failed` (anything else, like
# cancellation, leaves the record as it was last stored). Rendering and waiting errors are
# EngineErrors; the apiserver's own are KubeErrors.
FAILURES = (EngineError, KubeError)
