"""The engine's entry points, one import for the controller.

engine = Engine(kube, StorageBackend(...))
rel = await install(engine, chart, values, InstallOptions(namespace="web", name="web"))
"""

from steersman.engine.context import Common, Engine
from steersman.engine.errors import (
    FAILURES,
    ActionFailed,
    AlreadyDeleted,
    DeletionTimeout,
    EngineError,
    HookFailed,
    InvalidReleaseName,
    InvalidRevision,
    ManifestInvalid,
    NameInUse,
    NamespaceNotAllowed,
    NoDeployedReleases,
    OwnershipConflict,
    ReleaseLocked,
)
from steersman.engine.install import InstallOptions, install
from steersman.engine.render import Rendered, Renderer, RenderError, RenderRequest
from steersman.engine.resources import CrdPolicy
from steersman.engine.rollback import RollbackOptions, rollback
from steersman.engine.testing import TestOptions, run_tests
from steersman.engine.uninstall import UninstallOptions, UninstallResult, uninstall
from steersman.engine.unlock import unlock
from steersman.engine.upgrade import UpgradeOptions, upgrade

__all__ = [
    "FAILURES",
    "ActionFailed",
    "AlreadyDeleted",
    "Common",
    "CrdPolicy",
    "DeletionTimeout",
    "Engine",
    "EngineError",
    "HookFailed",
    "InstallOptions",
    "InvalidReleaseName",
    "InvalidRevision",
    "ManifestInvalid",
    "NameInUse",
    "NamespaceNotAllowed",
    "NoDeployedReleases",
    "OwnershipConflict",
    "ReleaseLocked",
    "RenderError",
    "RenderRequest",
    "Rendered",
    "Renderer",
    "RollbackOptions",
    "TestOptions",
    "UninstallOptions",
    "UninstallResult",
    "UpgradeOptions",
    "install",
    "rollback",
    "run_tests",
    "uninstall",
    "unlock",
    "upgrade",
]
