"""The error tree: every error a user can see derives from SteersmanError (its message is ours
and safe to show); anything else is shown by its type name only, never with a traceback."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from pathlib import Path

import pytest

import steersman
from steersman.chart import ChartError
from steersman.chart.render.engine import RenderError as ChartRenderError
from steersman.chart.sources import ChartSourceError
from steersman.commands.common import OpsError
from steersman.commands.template_flags import FlagError
from steersman.controller.charts import ChartFetchError
from steersman.controller.leader import LeaseError
from steersman.controller.main import StartupError
from steersman.controller.values import ValuesError
from steersman.engine import actions
from steersman.engine.errors import FAILURES, EngineError
from steersman.engine.render import RenderError
from steersman.engine.wait import WaitError
from steersman.errors import SteersmanError, describe
from steersman.kube import Forbidden, KubeError
from steersman.storage import StorageError, StorageUnavailable

# Control flow inside one module or layer, never shown: each is caught where it is raised.
INTERNAL = {
    # coalesce's lookups, KeyErrors by contract (callers test `except KeyError`).
    "steersman.chart.values.coalesce.NoTableError",
    "steersman.chart.values.coalesce.NoValueError",
    # Ends a reconcile whose HelmRelease was deleted meanwhile; nothing is shown.
    "steersman.controller.reconcile.outcomes.HelmReleaseGone",
}
TEMPLATE_LIBRARIES = ("steersman.gotemplate", "steersman.sprig", "steersman.golang")
PACKAGE = Path(steersman.__file__).parent


def _defined_exceptions() -> list[type[BaseException]]:
    found = []
    for info in pkgutil.walk_packages(steersman.__path__, "steersman."):
        if info.name.startswith(TEMPLATE_LIBRARIES) or info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == info.name
            ):
                found.append(value)
    return found


@pytest.mark.parametrize(
    "error",
    [
        EngineError,
        StorageError,
        KubeError,
        ChartError,
        ChartSourceError,
        ValuesError,
        ChartFetchError,
        RenderError,
        ChartRenderError,
        WaitError,
        LeaseError,
        StartupError,
        OpsError,
        FlagError,
    ],
)
def test_user_facing_errors_are_steersman_errors(error: type[Exception]) -> None:
    assert issubclass(error, SteersmanError)


def test_every_public_error_class_is_a_steersman_error() -> None:
    """A new error class must choose: safe to show (SteersmanError) or internal (listed)."""
    errors = _defined_exceptions()
    assert len(errors) > 20  # the walk found the package's errors
    outside = sorted(
        f"{e.__module__}.{e.__qualname__}"
        for e in errors
        if not issubclass(e, SteersmanError) and not e.__name__.startswith("_")
    )
    assert outside == sorted(INTERNAL)


def test_engine_errors_share_the_engine_root() -> None:
    assert issubclass(WaitError, EngineError)
    assert issubclass(RenderError, EngineError)
    assert (EngineError, KubeError) == FAILURES
    assert actions.FAILURES is FAILURES


def test_failures_and_known_errors_are_defined_once() -> None:
    sources = [p.read_text() for p in PACKAGE.rglob("*.py")]
    assert sum(len(re.findall(r"^FAILURES\s*=", s, re.M)) for s in sources) == 1
    assert not any("KNOWN_ERRORS" in s for s in sources)


def test_template_libraries_stay_outside_the_tree() -> None:
    from steersman.gotemplate import TemplateError

    assert not issubclass(TemplateError, SteersmanError)


def test_a_steersman_error_is_shown_as_written() -> None:
    assert describe(StorageUnavailable("release storage is unreachable")) == (
        "release storage is unreachable"
    )
    assert describe(Forbidden("secrets is forbidden")) == "secrets is forbidden"
    assert describe(EngineError()) == "EngineError"  # no message: at least the kind


def test_an_unexpected_error_is_shown_by_type_only() -> None:
    try:
        raise RuntimeError("postgres://admin:hunter2@db/steersman")
    except RuntimeError as err:
        shown = describe(err)
    assert shown == "internal error (RuntimeError)"
    assert "hunter2" not in shown and "Traceback" not in shown
