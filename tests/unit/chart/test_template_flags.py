"""pflag's parsing rules as steersman template applies them (texts checked against helm in
tests/interop/test_template_flags.py; here the pure parser)."""

from __future__ import annotations

import asyncio
import base64
import json
from pathlib import Path

import pytest

from steersman.chart.helmlog import slog_value
from steersman.chart.sources.errors import AuthFailed
from steersman.chart.sources.model import RegistryCredential
from steersman.commands.template_flags import FlagError, parse_flags, registry_store
from steersman.golang.duration import parse_duration
from steersman.golang.fmt import go_sprintf


def test_flags_and_arguments_interleave() -> None:
    p = parse_flags(["rel", "-f", "a.yaml", "chart", "--set=x=1", "-fb.yaml,c.yaml", "-n=ns"])
    assert p.args == ["rel", "chart"]
    assert p.values["value_files"] == ["a.yaml", "b.yaml", "c.yaml"]
    assert p.values["set_values"] == ["x=1"]
    assert p.values["namespace"] == "ns"


def test_double_dash_ends_flags() -> None:
    p = parse_flags(["--debug", "--", "--not-a-flag", "-x"])
    assert p.values["debug"] is True
    assert p.args == ["--not-a-flag", "-x"]


def test_bool_groups_and_values() -> None:
    p = parse_flags(["-gh", "--include-crds=false", "--skip-tests=T"])
    assert p.values["generate_name"] and p.values["help"]
    assert p.values["include_crds"] is False and p.values["skip_tests"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--nope"], "unknown flag: --nope"),
        (["-q"], "unknown shorthand flag: 'q' in -q"),
        (["--set"], "flag needs an argument: --set"),
        (["-gs"], "flag needs an argument: 's' in -s"),
        (["---x"], "bad flag syntax: ---x"),
        (
            ["-g=x"],
            'invalid argument "x" for "-g, --generate-name" flag: strconv.ParseBool: parsing '
            '"x": invalid syntax',
        ),
        (
            ["--labels", "a"],
            'invalid argument "a" for "-l, --labels" flag: a must be formatted as key=value',
        ),
        (
            ["--timeout", "5"],
            'invalid argument "5" for "--timeout" flag: time: missing unit in duration "5"',
        ),
    ],
)
def test_errors_read_as_pflag(argv: list[str], message: str) -> None:
    with pytest.raises(FlagError) as exc:
        parse_flags(argv)
    assert str(exc.value) == message


def test_deprecated_flags_warn_once() -> None:
    p = parse_flags(["--validate", "--validate", "--atomic"])
    assert p.warnings == [
        "Flag --validate has been deprecated, use '--dry-run=server' instead",
        "Flag --atomic has been deprecated, use --rollback-on-failure instead",
    ]


def test_labels_accumulate() -> None:
    p = parse_flags(["-l", "a=1,b=2", "--labels", "c=3"])
    assert p.values["labels"] == {"a": "1", "b": "2", "c": "3"}


def test_go_durations() -> None:
    assert parse_flags(["--timeout", "1m30s"]).values["timeout"] == "1m30s"
    assert parse_flags(["--timeout=1.5h"]).values["timeout"] == "1.5h"
    assert parse_flags(["--timeout", "0"]).values["timeout"] == "0"
    # The flag is checked with Go's time.ParseDuration (golang.duration), which yields ns.
    assert parse_duration("1m30s") == 90 * 10**9
    assert parse_duration("1.5h") == 5400 * 10**9


def test_slog_quoting_and_go_values() -> None:
    assert slog_value("plain") == "plain"
    assert slog_value("two words") == '"two words"'
    assert slog_value('"x" is not a table') == '"\\"x\\" is not a table"'
    assert go_sprintf("for %s (%v)", "a.b", {"c": 1.0}) == "for a.b (map[c:1])"
    assert go_sprintf("%v %q", False, "k") == 'false "k"'


def _login(config: str, registry: str, username: str, password: str) -> tuple[str, str]:
    """The username and password a 401 from `registry` would be answered with."""
    store = registry_store(config, username, password)
    if store is None:
        return username, password

    async def ask() -> RegistryCredential:
        return await store(registry)

    cred = asyncio.run(ask())
    return cred.username, cred.password


def test_registry_login_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--username with --password, else --registry-config, else Docker's config.json; a
    missing file or entry is anonymous, a broken one an error (tests/integration/
    test_template_registry_config.py checks the same next to helm)."""
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path / "docker"))
    monkeypatch.setenv("PATH", str(tmp_path / "no-helpers"))  # no default credential helper
    helm_file, docker_file = tmp_path / "config.json", tmp_path / "docker" / "config.json"
    docker_file.parent.mkdir()
    auth = base64.b64encode(b"u:p").decode()
    helm_file.write_text(json.dumps({"auths": {"https://r.example:5000/v1/": {"auth": auth}}}))
    docker_file.write_text(json.dumps({"auths": {"d.example": {"username": "d", "password": "q"}}}))
    cfg = str(helm_file)
    assert _login(cfg, "r.example:5000", "", "") == ("u", "p")
    assert _login(cfg, "r.example:5000", "x", "") == ("u", "p")  # both or neither
    assert _login(cfg, "r.example:5000", "x", "y") == ("x", "y")
    assert _login(cfg, "d.example", "", "") == ("d", "q")
    assert _login(cfg, "other.example", "", "") == ("", "")
    assert _login(str(tmp_path / "none.json"), "d.example", "", "") == ("d", "q")

    # a broken `auth` fails only when a registry asks for credentials (oras-go's text)
    helm_file.write_text(json.dumps({"auths": {"r.example:5000": {"auth": "@@"}}}))
    with pytest.raises(AuthFailed, match=r"^failed to decode auth field: invalid config format"):
        _login(cfg, "r.example:5000", "", "")
    helm_file.write_text("not json")
    with pytest.raises(FlagError, match=r"config file at .*: invalid config format: invalid char"):
        _login(cfg, "r.example:5000", "", "")
    with pytest.raises(FlagError, match="invalid config format: invalid character 'o'"):
        _login(cfg, "r.example:5000", "x", "y")  # read even with --username/--password
    with pytest.raises(FlagError, match=r"config format: read .*docker: is a directory"):
        _login(str(docker_file.parent), "d.example", "", "")
    docker_file.write_text("not json")  # oras goes on without Docker's store
    assert _login(str(tmp_path / "none.json"), "d.example", "", "") == ("", "")
    docker_file.write_text('{"credsStore": 1, "auths": {"d.example": {"auth": "ZDpx"}}}')
    assert _login(str(tmp_path / "none.json"), "d.example", "", "") == ("", "")
