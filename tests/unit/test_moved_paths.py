"""Old module paths (before the template libraries and Go behaviour left chart/) still import,
as the same module objects; and nothing in the repository uses them any more."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest

from steersman.chart._moved import MOVED, MOVED_PACKAGES, new_path

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("old", sorted(MOVED))
def test_old_path_is_the_new_module(old: str) -> None:
    new = new_path(old)
    assert new is not None
    assert importlib.import_module(old) is importlib.import_module(new)


@pytest.mark.parametrize("old", sorted(MOVED_PACKAGES))
def test_old_package_lends_the_new_ones_attributes(old: str) -> None:
    stand_in = importlib.import_module(old)
    package = importlib.import_module(MOVED_PACKAGES[old])
    for name in getattr(package, "__all__", []):
        assert getattr(stand_in, name) is getattr(package, name)


def test_from_imports_through_old_paths() -> None:
    from steersman.chart import strvals, yamlout
    from steersman.chart.gotemplate import TemplateSet  # type: ignore[import-not-found]
    from steersman.chart.gotemplate import types as old_types
    from steersman.chart.gotemplate.types import GoFunc  # type: ignore[import-not-found]
    from steersman.golang import types
    from steersman.gotemplate import TemplateSet as NewTemplateSet

    assert TemplateSet is NewTemplateSet
    assert GoFunc is types.GoFunc
    assert old_types is types
    assert strvals.__name__ == "steersman.chart.values.strvals"
    assert yamlout.__name__ == "steersman.golang.yamlout"


def test_unmoved_names_are_not_answered() -> None:
    assert new_path("steersman.chart.loader") is None
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("steersman.chart.no_such_module")


def test_the_repository_uses_no_old_path() -> None:
    old = re.compile(
        r"steersman\.chart\.(gotemplate|sprig|"
        + "|".join(re.escape(o.removeprefix("steersman.chart.")) for o in MOVED)
        + r")\b"
    )
    offenders = []
    for folder in ("operator", "tests", "hack", "bench"):
        for path in (REPO / folder).rglob("*.py"):
            if ".venv" in path.parts or path.name in ("_moved.py", Path(__file__).name):
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if old.search(line):
                    offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert offenders == []
