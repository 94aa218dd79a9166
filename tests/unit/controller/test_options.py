"""The engine options built from a HelmRelease spec: Flux's defaults and field mapping."""

from __future__ import annotations

from typing import Any

import pytest

from steersman.api import HelmRelease
from steersman.api.spec import ServerSideApplyMode
from steersman.controller.options import (
    Where,
    action_timeout,
    install_options,
    release_test_options,
    rollback_options,
    server_side,
    uninstall_options,
    upgrade_options,
)
from steersman.engine.actions import CrdPolicy

CHART = {"repository": "https://charts.example.com/stable", "name": "podinfo"}
WHERE = Where("web", "apps", "records", {"owner": "me"})
ENABLED, DISABLED, AUTO = (
    ServerSideApplyMode.ENABLED,
    ServerSideApplyMode.DISABLED,
    ServerSideApplyMode.AUTO,
)


def hr(**spec: Any) -> HelmRelease:
    body = {"metadata": {"name": "web", "namespace": "apps"}, "spec": {"chart": CHART, **spec}}
    return HelmRelease.from_k8s(body)


def test_defaults_follow_flux() -> None:
    opts = install_options(hr(), WHERE, None, ENABLED)
    assert (opts.name, opts.namespace, opts.storage_namespace) == ("web", "apps", "records")
    assert opts.timeout == 300.0
    assert opts.wait and opts.wait_for_jobs and opts.take_ownership and opts.server_side
    assert not opts.replace and not opts.skip_schema_validation
    assert opts.crds is CrdPolicy.CREATE
    assert opts.labels == {"owner": "me"}

    up = upgrade_options(hr(), WHERE, "ssa", ENABLED)
    assert up.wait_for_jobs and up.take_ownership and up.reset_values
    assert not up.reuse_values and not up.force
    assert uninstall_options(hr(), WHERE).wait
    assert rollback_options(hr(), WHERE, 3, "ssa", ENABLED).version == 3


def test_per_action_timeouts_fall_back_to_spec_timeout() -> None:
    release = hr(
        timeout="2m",
        install={"timeout": "10s"},
        upgrade={"timeout": "20s"},
        test={"timeout": "30s"},
        rollback={"timeout": "40s"},
    )
    assert install_options(release, WHERE, None, ENABLED).timeout == 10.0
    assert upgrade_options(release, WHERE, "ssa", ENABLED).timeout == 20.0
    assert release_test_options(release, WHERE).timeout == 30.0
    assert rollback_options(release, WHERE, 1, "ssa", ENABLED).timeout == 40.0
    assert uninstall_options(release, WHERE).timeout == 120.0  # spec.timeout
    assert action_timeout(release.spec, "uninstall") == "2m"
    assert action_timeout(release.spec, "install") == "10s"


def test_disable_switches_map_to_the_engine() -> None:
    release = hr(
        install={
            "disableTakeOwnership": True,
            "disableWaitForJobs": True,
            "disableSchemaValidation": True,
            "disableOpenAPIValidation": True,
        },
        upgrade={
            "disableTakeOwnership": True,
            "disableWaitForJobs": True,
            "force": True,
            "preserveValues": True,
        },
        rollback={"disableWaitForJobs": True, "recreate": True, "force": True},
        uninstall={"disableWait": True, "keepHistory": True, "deletionPropagation": "orphan"},
    )
    install = install_options(release, WHERE, None, ENABLED)
    assert not install.take_ownership and not install.wait_for_jobs
    assert install.skip_schema_validation
    upgrade = upgrade_options(release, WHERE, "ssa", ENABLED)
    assert not upgrade.take_ownership and not upgrade.wait_for_jobs and upgrade.force
    assert upgrade.reuse_values and not upgrade.reset_values
    rollback = rollback_options(release, WHERE, 1, "ssa", ENABLED)
    assert rollback.recreate and rollback.force and not rollback.wait_for_jobs
    uninstall = uninstall_options(release, WHERE)
    assert not uninstall.wait and uninstall.keep_history and uninstall.propagation == "Orphan"


@pytest.mark.parametrize(
    ("install", "newest", "replace"),
    [
        ({}, None, False),
        ({}, "failed", True),  # the controller retries a failed install over it
        ({}, "uninstalled", False),
        ({"replace": True}, "uninstalled", True),
    ],
)
def test_replace(install: dict[str, Any], newest: str | None, replace: bool) -> None:
    assert install_options(hr(install=install), WHERE, newest, ENABLED).replace is replace


def test_history_this_helmrelease_keeps_is_reused() -> None:
    release = hr(uninstall={"keepHistory": True})
    assert install_options(release, WHERE, "uninstalled", ENABLED).replace


def test_skip_crds_means_crd_policy_skip() -> None:
    assert install_options(hr(install={"skipCRDs": True}), WHERE, None, ENABLED).crds is (
        CrdPolicy.SKIP
    )
    release = hr(install={"crds": "CreateReplace"}, upgrade={"crds": "Skip"})
    assert install_options(release, WHERE, None, ENABLED).crds is CrdPolicy.CREATE_REPLACE
    assert upgrade_options(release, WHERE, "ssa", ENABLED).crds is CrdPolicy.SKIP


def test_test_filters() -> None:
    release = hr(
        test={
            "enable": True,
            "filters": [{"name": "smoke"}, {"name": "slow", "exclude": True}, {"name": "api"}],
        }
    )
    opts = release_test_options(release, WHERE)
    assert (opts.include, opts.exclude) == (["smoke", "api"], ["slow"])


@pytest.mark.parametrize(
    ("mode", "default", "last", "expected"),
    [
        (None, ENABLED, "", True),
        (None, DISABLED, "ssa", False),
        (None, AUTO, "ssa", True),
        (None, AUTO, "csa", False),
        (None, AUTO, "", False),  # helm v3 records: client-side
        (ENABLED, DISABLED, "csa", True),
        (DISABLED, ENABLED, "ssa", False),
        (AUTO, ENABLED, "csa", False),
    ],
)
def test_server_side_choice(
    mode: ServerSideApplyMode | None, default: ServerSideApplyMode, last: str, expected: bool
) -> None:
    assert server_side(mode, default, last) is expected


def test_install_server_side_apply() -> None:
    assert not install_options(hr(), WHERE, None, DISABLED).server_side
    assert install_options(hr(), WHERE, None, AUTO).server_side  # nothing recorded yet
    release = hr(install={"serverSideApply": False})
    assert not install_options(release, WHERE, None, ENABLED).server_side
    release = hr(install={"serverSideApply": True})
    assert install_options(release, WHERE, None, DISABLED).server_side
    release = hr(upgrade={"serverSideApply": "disabled"}, rollback={"serverSideApply": "auto"})
    assert not upgrade_options(release, WHERE, "ssa", ENABLED).server_side
    assert not rollback_options(release, WHERE, 1, "csa", ENABLED).server_side
