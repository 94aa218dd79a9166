"""Helm actions (install, upgrade, rollback, uninstall, test, unlock) in async Python.

Entry points are exported here, the front door for the controller and the commands. Records are
what helm v4 writes (apply_method "ssa"), objects carry helm's ownership metadata and are
applied server-side as field manager "helm", so the helm v3/v4 CLIs can take over a release at
any point, and the other way round.

Knowingly different from helm:
- cancellation (asyncio) leaves the stored `pending-*` record for `unlock`; helm marks it
  failed with "context canceled";
- a failing pre/post-rollback hook stores the new revision `failed` (helm leaves it pending);
- uninstall stores `uninstalling` before the pre-delete hooks, not after them, and waits for
  deletions only with `wait`;
- not implemented: `--atomic`/rollback-on-failure (the controller remediates), hook output
  logs (`helm.sh/hook-output-log-policy`), `--reuse-values`/`--reset-then-reuse-values`,
  `--force-replace`, client-side apply (v3-style releases are taken over server-side), post
  renderers, rollback `--description`, uninstall's ownership check of helm main;
- applies always force conflicts (helm v4 does only with `--force-conflicts`);
- dry runs are server-side dry runs (helm's default dry run renders without the cluster).
"""

from steersman.engine.actions import (
    ActionFailed,
    CrdPolicy,
    Engine,
    EngineError,
    InstallOptions,
    NoDeployedReleases,
    RenderError,
    RollbackOptions,
    TestOptions,
    UninstallOptions,
    UpgradeOptions,
    install,
    rollback,
    run_tests,
    uninstall,
    unlock,
    upgrade,
)
from steersman.engine.context import POST_RENDER_LABEL
from steersman.engine.errors import FAILURES
from steersman.engine.objects import ObjectKey, Target, parse_documents, resolve_all
from steersman.engine.ownership import with_ownership
from steersman.engine.render import Renderer, default_renderer
from steersman.engine.resources import build_targets
from steersman.engine.upgrade import current_and_last
from steersman.engine.wait import WaitError

__all__ = [
    "FAILURES",
    "POST_RENDER_LABEL",
    "ActionFailed",
    "CrdPolicy",
    "Engine",
    "EngineError",
    "InstallOptions",
    "NoDeployedReleases",
    "ObjectKey",
    "RenderError",
    "Renderer",
    "RollbackOptions",
    "Target",
    "TestOptions",
    "UninstallOptions",
    "UpgradeOptions",
    "WaitError",
    "build_targets",
    "current_and_last",
    "default_renderer",
    "install",
    "parse_documents",
    "resolve_all",
    "rollback",
    "run_tests",
    "uninstall",
    "unlock",
    "upgrade",
    "with_ownership",
]
