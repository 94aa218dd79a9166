"""golang.osfile: Go's os.MkdirAll / os.Stat / os.Create steps and their error texts, which
helm template --output-dir prints (checked against helm in tests/interop/test_template_flags)."""

from __future__ import annotations

from pathlib import Path

import pytest

from steersman.golang.osfile import PathError, mkdir_all, stat_error, write_file


def test_mkdir_all_makes_parents_and_accepts_existing_dirs(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "c"
    mkdir_all(str(target))
    mkdir_all(str(target))  # already there
    mkdir_all(f"{tmp_path}/a/b/.")
    assert target.is_dir()


@pytest.mark.parametrize(
    ("file", "made", "failing"),
    [
        # the path itself is a file: ENOTDIR at that path (Python's makedirs says EEXIST)
        ("x", "x", "x"),
        # a parent is a file: MkdirAll walks up to it and names it
        ("x", "x/y/z", "x"),
    ],
)
def test_mkdir_all_names_the_path_that_failed(
    tmp_path: Path, file: str, made: str, failing: str
) -> None:
    (tmp_path / file).write_text("")
    with pytest.raises(PathError) as caught:
        mkdir_all(f"{tmp_path}/{made}")
    assert str(caught.value) == f"mkdir {tmp_path}/{failing}: not a directory"


def test_stat_error_ignores_only_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("")
    assert stat_error(str(tmp_path / "missing" / "x")) is None
    assert stat_error(str(tmp_path / "f")) is None
    problem = stat_error(f"{tmp_path}/f/x")
    assert problem is not None
    assert str(problem) == f"stat {tmp_path}/f/x: not a directory"


def test_write_file_creates_truncates_and_appends(tmp_path: Path) -> None:
    path = str(tmp_path / "out.yaml")
    write_file(path, b"one\n", append=False)
    write_file(path, b"two\n", append=True)
    assert Path(path).read_bytes() == b"one\ntwo\n"
    write_file(path, b"three\n", append=False)
    assert Path(path).read_bytes() == b"three\n"
    with pytest.raises(PathError) as caught:
        write_file(str(tmp_path), b"", append=False)
    assert str(caught.value) == f"open {tmp_path}: is a directory"
    with pytest.raises(PathError) as missing:
        write_file(str(tmp_path / "nope"), b"", append=True)  # append never creates
    assert str(missing.value) == f"open {tmp_path}/nope: no such file or directory"
