"""Old import paths of modules that left chart/ (issue 12's layout), kept importable.

Code outside this repository (scripts, the peer suites' runner) imports modules by the paths
they had before the template libraries and Go behaviour moved out of chart/. A finder at the
end of `sys.meta_path` answers those names with the module at its new path (the same module
object, so types and state are shared). Nothing in this repository may use an old path:
tests/unit/test_moved_paths.py checks both directions.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType

# Exact old -> new module names; then package prefixes (their sub-modules follow).
MOVED = {
    **{
        f"steersman.chart.gotemplate.{m}": f"steersman.golang.{m}"
        for m in ("types", "typenames", "gostr", "fmt", "printer", "sprintf", "quote")
    },
    "steersman.chart.gotemplate.strconv": "steersman.golang.strconv",
    "steersman.chart.gotemplate.floatfmt": "steersman.golang.floatfmt",
    # One float formatter and one JSON encoder now serve where two or three stood.
    "steersman.chart.goformat": "steersman.golang.floatfmt",
    "steersman.chart.gotemplate.values": "steersman.golang.reflect",
    **{
        f"steersman.chart.{m}": f"steersman.golang.{m}"
        for m in (
            "jsonout",
            "jsonscan",
            "goyaml",
            "goyaml_struct",
            "yamlemit",
            "yamlout",
            "yamlpretty",
            "yamlresolve",
            "tomllex",
            "tomlout",
            "semver",
        )
    },
    "steersman.chart.sprig._netip": "steersman.golang.netip",
    "steersman.chart.sprig.gojson": "steersman.golang.jsonout",
    # Go's time behaviour left Sprig (the date functions stayed in sprig.dates).
    "steersman.chart.sprig.gotime": "steersman.golang.gotime",
    "steersman.chart.sprig.timemethods": "steersman.golang.gotime",
    "steersman.chart.sprig.timeparse": "steersman.golang.timeparse",
    "steersman.chart.strvals": "steersman.chart.values.strvals",
    "steersman.chart.schema": "steersman.chart.values.schema",
    "steersman.chart.schema_v3": "steersman.chart.values.schema_v3",
    "steersman.chart.schema_formats": "steersman.chart.values.schema_formats",
    "steersman.chart.context": "steersman.chart.render.context",
    "steersman.chart.helmfuncs": "steersman.chart.render.helmfuncs",
    "steersman.chart.manifests": "steersman.chart.render.manifests",
    "steersman.chart.capabilities_data": "steersman.chart.render.capabilities_data",
    "steersman.chart.template_command": "steersman.commands.template",
    "steersman.chart.template_flags": "steersman.commands.template_flags",
    "steersman.chart.template_help_data": "steersman.commands.template_help",
}
MOVED_PACKAGES = {
    "steersman.chart.gotemplate": "steersman.gotemplate",
    "steersman.chart.sprig": "steersman.sprig",
}


def new_path(name: str) -> str | None:
    """The module's path now, or None when `name` never moved."""
    if name in MOVED:
        return MOVED[name]
    for old, new in MOVED_PACKAGES.items():
        if name == old or name.startswith(old + "."):
            return new + name[len(old) :]
    return None


class _MovedFinder(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if new_path(fullname) is None:
            return None
        return importlib.util.spec_from_loader(
            fullname, self, is_package=fullname in MOVED_PACKAGES
        )

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        if spec.name in MOVED_PACKAGES:
            return _stand_in(spec.name)
        new = new_path(spec.name)
        assert new is not None
        return importlib.import_module(new)

    def exec_module(self, module: ModuleType) -> None:
        pass  # already executed under its new name


def _stand_in(old: str) -> ModuleType:
    package = importlib.import_module(MOVED_PACKAGES[old])
    stand_in = ModuleType(old, package.__doc__)
    stand_in.__path__ = []

    def attribute(name: str) -> object:
        if hasattr(package, name):
            return getattr(package, name)
        try:
            return importlib.import_module(new_path(f"{old}.{name}") or "")
        except ModuleNotFoundError:
            raise AttributeError(f"module {old!r} has no attribute {name!r}") from None

    stand_in.__getattr__ = attribute  # type: ignore[method-assign]
    return stand_in


def install() -> None:
    if not any(isinstance(f, _MovedFinder) for f in sys.meta_path):
        sys.meta_path.append(_MovedFinder())
