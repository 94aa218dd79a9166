"""The installed `steersman` entry point."""

import shutil
import subprocess
import sys

import pytest

from steersman import __version__
from steersman.cli import main


def _steersman() -> list[str]:
    exe = shutil.which("steersman", path=str(__import__("pathlib").Path(sys.executable).parent))
    assert exe, "the steersman entry point is not installed next to this interpreter"
    return [exe]


def test_help_lists_commands() -> None:
    res = subprocess.run([*_steersman(), "--help"], capture_output=True, text=True, check=True)
    assert "usage: steersman" in res.stdout
    assert "version" in res.stdout and "run" in res.stdout


def test_version_prints_package_version() -> None:
    res = subprocess.run([*_steersman(), "version"], capture_output=True, text=True, check=True)
    assert res.stdout.strip() == f"steersman {__version__}"
    assert __version__ != "0.0.0+unknown"


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_run_rejects_an_invalid_flag_before_starting(capsys: pytest.CaptureFixture[str]) -> None:
    # Exit code 2 and a message naming the flag, before any connection is attempted (the
    # kubeconfig below does not exist, so getting further would fail differently).
    code = main(["run", "--helm-storage-driver", "etcd", "--kubeconfig", "/nonexistent"])
    assert code == 2
    err = capsys.readouterr().err
    assert "--helm-storage-driver" in err and "etcd" in err


def test_run_rejects_a_bad_label_selector(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["run", "--watch-label-selector", "a in b", "--kubeconfig", "/nonexistent"]) == 2
    assert "--watch-label-selector" in capsys.readouterr().err
